package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "github.com/lib/pq" // admin connection: drop and create the bench database
)

// Step keys, in the order of a round.
const (
	stepBare      = "1 bare"
	stepRedirect  = "2 redirect"
	stepNginx     = "3 nginx"
	stepCreate    = "4 create"
	stepPgbench   = "5 pgbench"
	stepRedirectL = "2L redirect+log"
	stepCreateL   = "4L create+log"
)

const (
	redirectLua = "test/bench/lua/redirect.lua"
	createLua   = "test/bench/lua/create.lua"
	// plainTable has the shape of short_link, unpartitioned, without the
	// insert function: what step 5 inserts into.
	plainTable = `CREATE TABLE bench_plain (
		code       text        NOT NULL,
		url        text        NOT NULL,
		created_at timestamptz NOT NULL,
		expires_at timestamptz NOT NULL,
		PRIMARY KEY (code, created_at),
		CHECK (expires_at > created_at))`
	// pgbenchScript inserts one row like the api's: a random 7-character
	// code, a 46-character URL, now and now + DEFAULT_TTL.
	pgbenchScript = `INSERT INTO bench_plain (code, url, created_at, expires_at)
VALUES (substr(md5(random()::text), 1, 7),
        'https://example.com/bench/' || substr(md5(random()::text), 1, 20),
        now(), now() + interval '336 hours');
`
)

type step struct {
	key   string
	label string
	api   *proc // the api whose RSS the step reports; nil for 1 and 5
	// servers are the processes whose CPU time per request the step reports.
	servers func() []int
	run     func(ctx context.Context, d time.Duration) (measurement, error)
}

type bench struct {
	opts  options
	dir   string
	start time.Time

	procs    []*proc // to stop, in reverse order
	api      *proc
	apiLog   *proc
	bare     *proc
	nginx    *proc
	apiURL   string
	apiLURL  string
	nginxURL string
	bareURL  string
	dbURL    string
	codes    string // file of seeded codes, one a line

	loadStart, loadEnd string // 1-minute load averages

	steps   []step
	rounds  []map[string]measurement
	topUp   []measurement
	final   finalChecks
	version map[string]string
}

type finalChecks struct {
	redirectsServed int64 // 302s the main api counted (/metrics)
	rssKiB, hwmKiB  int64
	rows            int64
	duplicates      int64
	creates201      int64 // 201s both apis counted
	serverErrors    int64 // answers ≥ 400 both apis counted
	errorSeries     []string
	metrics         map[string]map[string]string
}

func (b *bench) logf(format string, args ...any) {
	fmt.Printf("[%5.1fs] "+format+"\n", append([]any{time.Since(b.start).Seconds()}, args...)...)
}

func (b *bench) cleanup() {
	for i := len(b.procs) - 1; i >= 0; i-- {
		p := b.procs[i]
		sig := syscall.SIGTERM
		if p.name == "nginx" {
			sig = syscall.SIGQUIT // graceful: workers finish, then exit
		}
		p.stop(sig, 10*time.Second)
	}
	b.procs = nil
}

func (b *bench) startProc(name string, env []string, argv ...string) (*proc, error) {
	p, err := startProc(b.dir, name, env, argv...)
	if err != nil {
		return nil, err
	}
	b.procs = append(b.procs, p)
	return p, nil
}

func (b *bench) setUp(ctx context.Context) error {
	b.loadStart = loadAverage()
	bin := filepath.Join(b.dir, "bin")
	b.logf("building api, batch, migrate, partitions, bareserver into %s", bin)
	build := exec.CommandContext(ctx, "go", "build", "-o", bin+"/",
		"./cmd/api", "./cmd/batch", "./cmd/migrate", "./cmd/partitions", "./test/bench/bareserver")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %w\n%s", err, out)
	}
	b.version = versions(ctx)

	ports, err := freePorts(7)
	if err != nil {
		return err
	}
	cachePort, codesPort, apiPort, apiLogPort, nginxPort, barePort := ports[0], ports[1], ports[2], ports[3], ports[4], ports[5]
	b.apiURL = fmt.Sprintf("http://127.0.0.1:%d", apiPort)
	b.apiLURL = fmt.Sprintf("http://127.0.0.1:%d", apiLogPort)
	b.nginxURL = fmt.Sprintf("http://127.0.0.1:%d", nginxPort)
	b.bareURL = fmt.Sprintf("http://127.0.0.1:%d", barePort)

	for name, port := range map[string]int{"redis-cache": cachePort, "redis-codes": codesPort} {
		p, err := b.startProc(name, nil, "redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes")
		if err != nil {
			return err
		}
		if err := waitTCP(p, fmt.Sprintf("127.0.0.1:%d", port), 10*time.Second); err != nil {
			return err
		}
	}

	if err := b.freshDatabase(ctx); err != nil {
		return err
	}
	common := []string{
		"DATABASE_URL=" + b.dbURL,
		fmt.Sprintf("REDIS_CACHE_URL=redis://127.0.0.1:%d/0", cachePort),
		fmt.Sprintf("REDIS_CODES_URL=redis://127.0.0.1:%d/0", codesPort),
		"PUBLIC_BASE_URL=" + b.nginxURL,
		"LOG_LEVEL=warn",
	}
	for _, argv := range [][]string{{"migrate", "up"}, {"partitions", "--ahead", "2"}} {
		if err := runTool(ctx, filepath.Join(bin, argv[0]), minimalEnv(common...), argv[1:]...); err != nil {
			return err
		}
	}
	if err := b.exec(ctx, plainTable); err != nil {
		return err
	}
	b.logf("filling the code pool with %d codes (batch --once)", b.opts.poolTarget)
	pool := strconv.FormatInt(b.opts.poolTarget, 10)
	if err := runTool(ctx, filepath.Join(bin, "batch"),
		minimalEnv(slices.Concat(common, []string{"POOL_TARGET=" + pool, "POOL_LOW_WATER=" + pool})...), "--once"); err != nil {
		return err
	}

	b.bare, err = b.startProc("bareserver", nil, filepath.Join(bin, "bareserver"), "-addr", fmt.Sprintf("127.0.0.1:%d", barePort))
	if err != nil {
		return err
	}
	if err := waitTCP(b.bare, fmt.Sprintf("127.0.0.1:%d", barePort), 10*time.Second); err != nil {
		return err
	}
	apiEnv := slices.Concat(common, []string{"CREATE_RATE_LIMIT=0", "DB_MAX_OPEN_CONNS=16", "REQUEST_TIMEOUT=5s"})
	b.api, err = b.startProc("api", minimalEnv(slices.Concat(apiEnv, []string{
		fmt.Sprintf("API_ADDR=127.0.0.1:%d", apiPort), "LOG_REQUESTS=false"})...), filepath.Join(bin, "api"))
	if err != nil {
		return err
	}
	b.apiLog, err = b.startProc("api-logged", minimalEnv(slices.Concat(apiEnv, []string{
		fmt.Sprintf("API_ADDR=127.0.0.1:%d", apiLogPort), "LOG_REQUESTS=true", "LOG_LEVEL=info"})...), filepath.Join(bin, "api"))
	if err != nil {
		return err
	}
	for _, a := range []struct {
		p   *proc
		url string
	}{{b.api, b.apiURL}, {b.apiLog, b.apiLURL}} {
		if err := waitHTTP(ctx, a.p, a.url+"/v1/ready", 20*time.Second); err != nil {
			return err
		}
	}
	if err := b.startNginx(apiPort, nginxPort); err != nil {
		return err
	}
	if err := waitHTTP(ctx, b.nginx, b.nginxURL+"/v1/health", 10*time.Second); err != nil {
		return err
	}

	b.logf("seeding %d links through the api", b.opts.links)
	targets, err := b.seed(ctx)
	if err != nil {
		return err
	}
	if err := verifyRedirects(ctx, targets, b.apiURL, b.nginxURL, b.apiLURL); err != nil {
		return err
	}
	b.defineSteps()
	return nil
}

func runTool(ctx context.Context, path string, env []string, args ...string) error {
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %w\n%s", filepath.Base(path), strings.Join(args, " "), err, out)
	}
	return nil
}

// freshDatabase drops and recreates the bench database.
func (b *bench) freshDatabase(ctx context.Context) error {
	u, err := url.Parse(b.opts.adminURL)
	if err != nil {
		return fmt.Errorf("-pg: %w", err)
	}
	admin, err := sql.Open("postgres", b.opts.adminURL)
	if err != nil {
		return err
	}
	defer admin.Close()
	name := quoteIdent(b.opts.dbName)
	b.logf("recreating database %s", b.opts.dbName)
	for _, stmt := range []string{"DROP DATABASE IF EXISTS " + name + " WITH (FORCE)", "CREATE DATABASE " + name} {
		if _, err := admin.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	var version string
	if err := admin.QueryRowContext(ctx, "SHOW server_version").Scan(&version); err == nil {
		b.version["postgres"] = "PostgreSQL " + version
	}
	u.Path = "/" + b.opts.dbName
	b.dbURL = u.String()
	return nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func (b *bench) exec(ctx context.Context, stmt string) error {
	db, err := sql.Open("postgres", b.dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, stmt)
	return err
}

func (b *bench) queryInt(ctx context.Context, query string) (int64, error) {
	db, err := sql.Open("postgres", b.dbURL)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int64
	err = db.QueryRowContext(ctx, query).Scan(&n)
	return n, err
}

// startNginx runs the project's site config, with the two lines its header
// names rewritten, under a private prefix directory.
func (b *bench) startNginx(apiPort, nginxPort int) error {
	site, err := os.ReadFile("compose/nginx/shortlink.conf")
	if err != nil {
		return err
	}
	rewrites := map[string]string{
		"server api:8000;": fmt.Sprintf("server 127.0.0.1:%d;", apiPort),
		"listen 8080;":     fmt.Sprintf("listen 127.0.0.1:%d;", nginxPort),
	}
	var conf strings.Builder
	for line := range strings.Lines(string(site)) {
		if repl, ok := rewrites[strings.TrimSpace(line)]; ok {
			delete(rewrites, strings.TrimSpace(line))
			line = strings.Replace(line, strings.TrimSpace(line), repl, 1)
		}
		conf.WriteString(line)
	}
	for old := range rewrites {
		return fmt.Errorf("compose/nginx/shortlink.conf has no line %q to rewrite", old)
	}
	prefix := filepath.Join(b.dir, "nginx")
	for _, d := range []string{"conf", "logs", "tmp"} {
		if err := os.MkdirAll(filepath.Join(prefix, d), 0o755); err != nil {
			return err
		}
	}
	main := fmt.Sprintf(`worker_processes %s;
daemon off;
pid %[2]s/nginx.pid;
error_log %[2]s/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path %[2]s/tmp/body;
    proxy_temp_path %[2]s/tmp/proxy;
    fastcgi_temp_path %[2]s/tmp/fastcgi;
    uwsgi_temp_path %[2]s/tmp/uwsgi;
    scgi_temp_path %[2]s/tmp/scgi;
    include %[2]s/conf/shortlink.conf;
}
`, b.opts.nginxWorkers, prefix)
	if err := os.WriteFile(filepath.Join(prefix, "conf", "shortlink.conf"), []byte(conf.String()), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(prefix, "conf", "nginx.conf"), []byte(main), 0o644); err != nil {
		return err
	}
	args := []string{"-p", prefix + "/", "-e", filepath.Join(prefix, "logs", "error.log"), "-c", filepath.Join(prefix, "conf", "nginx.conf")}
	if out, err := exec.Command("nginx", append(args, "-t", "-q")...).CombinedOutput(); err != nil {
		return fmt.Errorf("nginx -t: %w\n%s", err, out)
	}
	b.nginx, err = b.startProc("nginx", nil, append([]string{"nginx"}, args...)...)
	return err
}

// seed creates the redirect steps' links through the api and writes their
// codes to a file for the Lua script. It returns target URL by code.
func (b *bench) seed(ctx context.Context) (map[string]string, error) {
	targets := make(map[string]string, b.opts.links)
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	work := make(chan int)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	for range 16 {
		wg.Go(func() {
			for range work {
				target := fmt.Sprintf("https://example.com/bench/%020x", rand.Uint64())
				code, err := createLink(ctx, client, b.apiURL, target)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				if err == nil {
					targets[code] = target
				}
				mu.Unlock()
			}
		})
	}
	for i := range b.opts.links {
		work <- i
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return nil, fmt.Errorf("seed: %w", firstErr)
	}
	var codes strings.Builder
	for code := range targets {
		codes.WriteString(code + "\n")
	}
	b.codes = filepath.Join(b.dir, "codes.txt")
	return targets, os.WriteFile(b.codes, []byte(codes.String()), 0o644)
}

func createLink(ctx context.Context, client *http.Client, base, target string) (string, error) {
	body, _ := json.Marshal(map[string]string{"url": target})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/shortlink", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("POST /v1/shortlink: status %d: %s", resp.StatusCode, raw)
	}
	var env struct {
		Data struct {
			Code string `json:"code"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &env); err != nil || env.Data.Code == "" {
		return "", fmt.Errorf("POST /v1/shortlink: no data.code in %s", raw)
	}
	return env.Data.Code, nil
}

// verifyRedirects checks, before any load, that each base answers a sample
// of the seeded codes with 302 and the right Location: wrk counts a 200 or
// a wrong target as a success.
func verifyRedirects(ctx context.Context, targets map[string]string, bases ...string) error {
	client := &http.Client{
		Timeout:       5 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	n := 0
	for code, target := range targets {
		if n++; n > 20 {
			break
		}
		for _, base := range bases {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/"+code, nil)
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != target {
				return fmt.Errorf("GET %s/%s: %d Location %q, want 302 %q", base, code, resp.StatusCode, resp.Header.Get("Location"), target)
			}
		}
	}
	return nil
}

func (b *bench) defineSteps() {
	o := b.opts
	redirect := func(base string) func(context.Context, time.Duration) (measurement, error) {
		return func(ctx context.Context, d time.Duration) (measurement, error) {
			return runWrk(ctx, o.threads, o.redirectConns, d, redirectLua, base, b.codes)
		}
	}
	create := func(base string) func(context.Context, time.Duration) (measurement, error) {
		return func(ctx context.Context, d time.Duration) (measurement, error) {
			return runWrk(ctx, o.threads, o.createConns, d, createLua, base)
		}
	}
	script := filepath.Join(b.dir, "insert.sql")
	_ = os.WriteFile(script, []byte(pgbenchScript), 0o644)
	n := 0
	pids := func(ps ...*proc) func() []int {
		return func() []int {
			var out []int
			for _, p := range ps {
				out = append(out, p.pid())
				if p == b.nginx {
					out = append(out, children(p.pid())...)
				}
			}
			return out
		}
	}
	b.steps = []step{
		{key: stepBare, label: "bare net/http 302 (ceiling)", servers: pids(b.bare), run: redirect(b.bareURL)},
		{key: stepRedirect, label: "cached redirect → api", api: b.api, servers: pids(b.api), run: redirect(b.apiURL)},
		{key: stepNginx, label: "cached redirect → nginx → api", api: b.api, servers: pids(b.nginx, b.api), run: redirect(b.nginxURL)},
		{key: stepCreate, label: "create → api", api: b.api, servers: pids(b.api), run: create(b.apiURL)},
		{key: stepPgbench, label: "pgbench INSERT, plain table (floor)", run: func(ctx context.Context, d time.Duration) (measurement, error) {
			n++
			return runPgbench(ctx, b.dbURL, o.createConns, o.threads, d, script, filepath.Join(b.dir, fmt.Sprintf("pgbench-%d", n)))
		}},
	}
	if o.logRounds {
		b.steps = append(b.steps,
			step{key: stepRedirectL, label: "cached redirect → api, access log on", api: b.apiLog, servers: pids(b.apiLog), run: redirect(b.apiLURL)},
			step{key: stepCreateL, label: "create → api, access log on", api: b.apiLog, servers: pids(b.apiLog), run: create(b.apiLURL)},
		)
	}
}

func (b *bench) runStep(ctx context.Context, s step, d time.Duration) (measurement, error) {
	var servers []int
	var cpu0 time.Duration
	if s.servers != nil {
		servers = s.servers()
		cpu0, _ = cpuTime(servers...)
	}
	m, err := s.run(ctx, d)
	if err != nil {
		return m, fmt.Errorf("step %s: %w", s.key, err)
	}
	if cpu1, err := cpuTime(servers...); err == nil && servers != nil && m.Requests > 0 {
		m.CPUPerReq = float64(cpu1-cpu0) / float64(time.Microsecond) / float64(m.Requests)
	}
	if s.api != nil {
		if s.api.exited() {
			return m, fmt.Errorf("step %s: %s exited; its log:\n%s", s.key, s.api.name, s.api.tail())
		}
		m.RSSKiB, _, _ = memStatus(s.api.pid())
	}
	return m, nil
}

func (b *bench) measure(ctx context.Context) error {
	if b.opts.warmup > 0 {
		b.logf("warm-up: every step for %s, not counted", b.opts.warmup)
		for _, s := range b.steps {
			if _, err := b.runStep(ctx, s, b.opts.warmup); err != nil {
				return err
			}
		}
	}
	for r := range b.opts.rounds {
		results := map[string]measurement{}
		for _, s := range b.steps {
			time.Sleep(b.opts.pause)
			m, err := b.runStep(ctx, s, b.opts.stepDuration)
			if err != nil {
				return err
			}
			results[s.key] = m
			b.logf("round %d/%d %-16s %7.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %d  cpu %5.1f µs/req  rss %s",
				r+1, b.opts.rounds, s.key, m.RPS, m.P50, m.P99, m.Errors, m.CPUPerReq, mib(m.RSSKiB))
		}
		b.rounds = append(b.rounds, results)
	}
	return nil
}

// finish tops the main api up to minRedirects redirects, reads its memory,
// and checks the database.
func (b *bench) finish(ctx context.Context) error {
	served := func() int64 {
		return sumMetric(scrape(ctx, b.apiURL), "shortlink_http_requests_total", `status="302"`)
	}
	rps := median(b.column(stepRedirect, func(m measurement) float64 { return m.RPS }))
	for range 5 {
		left := b.opts.minRedirects - served()
		if left <= 0 {
			break
		}
		d := time.Duration(float64(left)/max(rps, 1000)*1.1*float64(time.Second)) + time.Second
		d = min(max(d, 2*time.Second), 90*time.Second)
		b.logf("top-up: %d redirects to go before reading RSS; %s more of step 2", left, d.Round(time.Second))
		m, err := b.runStep(ctx, b.steps[1], d)
		if err != nil {
			return err
		}
		b.topUp = append(b.topUp, m)
	}
	f := &b.final
	f.redirectsServed = served()
	var err error
	if f.rssKiB, f.hwmKiB, err = memStatus(b.api.pid()); err != nil {
		return err
	}
	f.metrics = map[string]map[string]string{"api": scrape(ctx, b.apiURL), "api-logged": scrape(ctx, b.apiLURL)}
	if f.duplicates, err = b.queryInt(ctx, "SELECT count(*) - count(DISTINCT code) FROM short_link"); err != nil {
		return err
	}
	if f.rows, err = b.queryInt(ctx, "SELECT count(*) FROM short_link"); err != nil {
		return err
	}
	for _, name := range []string{"api", "api-logged"} {
		f.creates201 += sumMetric(f.metrics[name], "shortlink_http_requests_total", `status="201"`)
		for series, value := range f.metrics[name] {
			if strings.HasPrefix(series, "shortlink_http_requests_total{") &&
				(strings.Contains(series, `status="4`) || strings.Contains(series, `status="5`)) {
				n, _ := strconv.ParseFloat(value, 64)
				f.serverErrors += int64(n)
				f.errorSeries = append(f.errorSeries, fmt.Sprintf("%s %s=%.0f", name, strings.TrimPrefix(series, "shortlink_http_requests_total"), n))
			}
		}
	}
	slices.Sort(f.errorSeries)
	b.loadEnd = loadAverage()
	return nil
}

// scrape reads the /metrics of base as series → value.
func scrape(ctx context.Context, base string) map[string]string {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	series := map[string]string{}
	for line := range strings.Lines(string(raw)) {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		if i := strings.LastIndexByte(line, ' '); i > 0 {
			series[line[:i]] = line[i+1:]
		}
	}
	return series
}

// sumMetric adds the values of the series of metric whose labels contain match.
func sumMetric(series map[string]string, metric, match string) int64 {
	var total float64
	for name, value := range series {
		if (name == metric || strings.HasPrefix(name, metric+"{")) && strings.Contains(name, match) {
			v, _ := strconv.ParseFloat(value, 64)
			total += v
		}
	}
	return int64(total)
}

func (b *bench) column(key string, f func(measurement) float64) []float64 {
	var xs []float64
	for _, r := range b.rounds {
		if m, ok := r[key]; ok {
			xs = append(xs, f(m))
		}
	}
	return xs
}

func mib(kib int64) string {
	if kib == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f MiB", float64(kib)/1024)
}

// versions names the tools measured with, for the report.
func versions(ctx context.Context) map[string]string {
	v := map[string]string{}
	first := func(name string, args ...string) string {
		out, _ := exec.CommandContext(ctx, name, args...).CombinedOutput()
		line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
		return line
	}
	v["go"] = first("go", "version")
	v["wrk"] = first("wrk", "--version")
	v["nginx"] = first("nginx", "-v")
	v["redis"] = first("redis-server", "--version")
	v["pgbench"] = first("pgbench", "--version")
	v["kernel"] = first("uname", "-sr")
	if cpu, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(cpu)) {
			if k, val, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				v["cpu"] = strings.TrimSpace(val)
				break
			}
		}
	}
	return v
}

func lookPath(name string) (string, error) { return exec.LookPath(name) }

// loadAverage is the 1-minute load average: how busy the machine was.
func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "n/a"
	}
	first, _, _ := strings.Cut(string(raw), " ")
	return first
}
