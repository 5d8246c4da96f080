package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/shortlink/shortlink/test/testkit"
)

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

	ports, err := testkit.FreePorts(8)
	if err != nil {
		return err
	}
	cachePort, codesPort, apiPort, apiLogPort, nginxPort, barePort, apiVPort := ports[0], ports[1], ports[2], ports[3], ports[4], ports[5], ports[6]
	b.apiURL = fmt.Sprintf("http://127.0.0.1:%d", apiPort)
	b.apiLURL = fmt.Sprintf("http://127.0.0.1:%d", apiLogPort)
	b.nginxURL = fmt.Sprintf("http://127.0.0.1:%d", nginxPort)
	b.bareURL = fmt.Sprintf("http://127.0.0.1:%d", barePort)
	b.apiVURL = fmt.Sprintf("http://127.0.0.1:%d", apiVPort)
	b.apiNURL = fmt.Sprintf("http://127.0.0.1:%d", ports[7])

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
	// Every api but api-visits counts no visits (VISIT_PENDING_KEYS=0), so
	// their steps measure what they measured before visit counting. Steps
	// 2V and 2N are step 2 against twins that serve nothing else, one with
	// counting on (its default), one without: the ratio is counting's cost.
	apiEnv := slices.Concat(common, []string{"CREATE_RATE_LIMIT=0", "DB_MAX_OPEN_CONNS=16", "REQUEST_TIMEOUT=5s", "LOG_REQUESTS=false"})
	b.apiV, err = b.startProc("api-visits", minimalEnv(slices.Concat(apiEnv, []string{
		fmt.Sprintf("API_ADDR=127.0.0.1:%d", apiVPort)})...), filepath.Join(bin, "api"))
	if err != nil {
		return err
	}
	apiEnv = append(apiEnv, "VISIT_PENDING_KEYS=0")
	b.apiN, err = b.startProc("api-novisits", minimalEnv(slices.Concat(apiEnv, []string{
		fmt.Sprintf("API_ADDR=127.0.0.1:%d", ports[7])})...), filepath.Join(bin, "api"))
	if err != nil {
		return err
	}
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
	}{{b.api, b.apiURL}, {b.apiLog, b.apiLURL}, {b.apiV, b.apiVURL}, {b.apiN, b.apiNURL}} {
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
	if err := verifyRedirects(ctx, targets, b.apiURL, b.nginxURL, b.apiLURL, b.apiVURL, b.apiNURL); err != nil {
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

// startNginx runs the project's site config, with the two lines its header
// names rewritten, under a private prefix directory.
func (b *bench) startNginx(apiPort, nginxPort int) error {
	prefix := filepath.Join(b.dir, "nginx")
	if err := os.MkdirAll(prefix, 0o755); err != nil {
		return err
	}
	root, err := os.Getwd() // run checks that this is the repository root
	if err != nil {
		return err
	}
	args, err := testkit.NginxConf(root, prefix, fmt.Sprintf("127.0.0.1:%d", apiPort), fmt.Sprintf("127.0.0.1:%d", nginxPort),
		testkit.NginxOptions{Workers: b.opts.nginxWorkers, Connections: 4096, AccessLogOff: true})
	if err != nil {
		return err
	}
	if out, err := exec.Command("nginx", append(args, "-t", "-q")...).CombinedOutput(); err != nil {
		return fmt.Errorf("nginx -t: %w\n%s", err, out)
	}
	b.nginx, err = b.startProc("nginx", nil, append([]string{"nginx"}, args...)...)
	return err
}
