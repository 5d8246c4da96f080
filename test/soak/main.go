// Command soak runs a long mixed load against a running shortlink, to find
// what short load tests miss: leaks, slow drift, errors that only show up
// after minutes. Each worker sends one request after another: a redirect of
// a link created earlier (80% by default) or a create. At the end it prints
// the requests, the errors by status, the latency percentiles and, given
// the api's process id, its resident memory at the start, peak and end.
//
//	go run ./test/soak                                   # http://localhost:8080 for 5m
//	go run ./test/soak -target http://127.0.0.1:8000 -duration 30m -pid $(pgrep -n api)
//
// TARGET and DURATION may be given in the environment instead. Ctrl-C ends
// the run early and still prints the summary. Exit status: 0 when every
// create answered 201 and every redirect 302, 1 otherwise, 2 on a usage or
// setup error. The target must be a loopback address unless -allow-remote
// is given.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

type config struct {
	target        string
	duration      time.Duration
	workers       int
	redirectShare float64
	seed          int
	pid           int
	report        time.Duration
	timeout       time.Duration
	allowRemote   bool
}

func parseConfig(args []string) (config, error) {
	fs := flag.NewFlagSet("soak", flag.ContinueOnError)
	var cfg config
	defaultDuration, err := time.ParseDuration(envOr("DURATION", "5m"))
	if err != nil {
		return cfg, fmt.Errorf("DURATION: %w", err)
	}
	fs.StringVar(&cfg.target, "target", envOr("TARGET", "http://localhost:8080"), "base URL of the service (env TARGET)")
	fs.DurationVar(&cfg.duration, "duration", defaultDuration, "length of the run (env DURATION)")
	fs.IntVar(&cfg.workers, "workers", 16, "concurrent workers, each sending one request after another")
	fs.Float64Var(&cfg.redirectShare, "redirect-share", 0.8, "share of requests that are redirects; the rest are creates")
	fs.IntVar(&cfg.seed, "seed", 200, "links created before the run starts")
	fs.IntVar(&cfg.pid, "pid", 0, "process id of the api, to report its resident memory (Linux)")
	fs.DurationVar(&cfg.report, "report", 30*time.Second, "interval between progress lines")
	fs.DurationVar(&cfg.timeout, "timeout", 10*time.Second, "timeout of one request")
	fs.BoolVar(&cfg.allowRemote, "allow-remote", false, "allow a target that is not a loopback address")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	switch {
	case fs.NArg() > 0:
		return cfg, fmt.Errorf("unexpected arguments: %q", fs.Args())
	case cfg.duration <= 0 || cfg.report <= 0 || cfg.timeout <= 0:
		return cfg, errors.New("-duration, -report and -timeout must be positive")
	case cfg.workers < 1 || cfg.seed < 1:
		return cfg, errors.New("-workers and -seed must be at least 1")
	case cfg.redirectShare < 0 || cfg.redirectShare > 1:
		return cfg, errors.New("-redirect-share must be between 0 and 1")
	}
	u, err := url.Parse(cfg.target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return cfg, fmt.Errorf("-target must be an http(s) base URL, got %q", cfg.target)
	}
	cfg.target = strings.TrimRight(u.String(), "/")
	return cfg, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// checkLoopback refuses a target that does not resolve to loopback only: a
// soak aimed at the wrong host is a denial of service.
func checkLoopback(ctx context.Context, target string) error {
	u, _ := url.Parse(target)
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, u.Hostname())
	if err != nil {
		return err
	}
	for _, a := range addrs {
		if !a.IP.IsLoopback() {
			return fmt.Errorf("%s resolves to %s, not a loopback address (use -allow-remote if you mean it)", u.Hostname(), a.IP)
		}
	}
	return nil
}

// link is one created link: its code and where it must redirect.
type link struct{ code, target string }

// links holds the links created so far, the newest maxLinks of them.
type links struct {
	mu   sync.RWMutex
	all  []link
	next int
}

const maxLinks = 100_000

func (l *links) add(k link) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.all) < maxLinks {
		l.all = append(l.all, k)
		return
	}
	l.all[l.next] = k
	l.next = (l.next + 1) % maxLinks
}

func (l *links) pick() link {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.all[rand.IntN(len(l.all))]
}

// stats counts outcomes and keeps a sample of latencies per kind.
type stats struct {
	mu        sync.Mutex
	outcomes  map[string]int
	failures  int
	latencies map[string]*reservoir
	firstErrs []string
}

const sampleSize = 50_000

type reservoir struct {
	seen    int
	samples []time.Duration
}

func (r *reservoir) add(d time.Duration) {
	r.seen++
	if len(r.samples) < sampleSize {
		r.samples = append(r.samples, d)
	} else if i := rand.IntN(r.seen); i < sampleSize {
		r.samples[i] = d
	}
}

func (s *stats) record(kind, outcome string, ok bool, took time.Duration, detail string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outcomes[kind+" "+outcome]++
	if !ok {
		s.failures++
		if len(s.firstErrs) < 5 {
			s.firstErrs = append(s.firstErrs, kind+": "+detail)
		}
	}
	if s.latencies[kind] == nil {
		s.latencies[kind] = &reservoir{}
	}
	s.latencies[kind].add(took)
}

func (s *stats) totals() (requests, failures int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.outcomes {
		requests += n
	}
	return requests, s.failures
}

type runner struct {
	cfg    config
	client *http.Client
	links  links
	stats  stats
}

func (r *runner) create(ctx context.Context) (link, string, bool, string) {
	target := fmt.Sprintf("https://example.com/soak/%d/%d", time.Now().UnixNano(), rand.Uint32())
	body, _ := json.Marshal(map[string]string{"url": target})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.cfg.target+"/v1/shortlink", bytes.NewReader(body))
	if err != nil {
		return link{}, "request error", false, err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.client.Do(req)
	if err != nil {
		return link{}, "transport error", false, err.Error()
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var env struct {
		Data struct{ Code, URL string }
	}
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(raw, &env) != nil || env.Data.Code == "" || env.Data.URL != target {
		return link{}, strconv.Itoa(resp.StatusCode), false, fmt.Sprintf("%d %s", resp.StatusCode, bytes.TrimSpace(raw))
	}
	return link{env.Data.Code, target}, "201", true, ""
}

func (r *runner) redirect(ctx context.Context, l link) (string, bool, string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.cfg.target+"/"+l.code, nil)
	if err != nil {
		return "request error", false, err.Error()
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return "transport error", false, err.Error()
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != l.target {
		return strconv.Itoa(resp.StatusCode), false, fmt.Sprintf("/%s: %d Location %q, want 302 to %s", l.code, resp.StatusCode, resp.Header.Get("Location"), l.target)
	}
	return "302", true, ""
}

func (r *runner) work(ctx context.Context) {
	for ctx.Err() == nil {
		start := time.Now()
		if rand.Float64() < r.cfg.redirectShare {
			outcome, ok, detail := r.redirect(ctx, r.links.pick())
			if ctx.Err() == nil {
				r.stats.record("redirect", outcome, ok, time.Since(start), detail)
			}
			continue
		}
		l, outcome, ok, detail := r.create(ctx)
		if ctx.Err() == nil {
			r.stats.record("create", outcome, ok, time.Since(start), detail)
		}
		if ok {
			r.links.add(l)
		}
	}
}

// rssKiB reads VmRSS of pid from /proc, or -1.
func rssKiB(pid int) int {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	return -1
}

func mib(kib int) string { return fmt.Sprintf("%.1f MiB", float64(kib)/1024) }

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	cfg, err := parseConfig(args)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "soak:", err)
		}
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if !cfg.allowRemote {
		if err := checkLoopback(ctx, cfg.target); err != nil {
			fmt.Fprintln(os.Stderr, "soak:", err)
			return 2
		}
	}
	if cfg.pid != 0 && rssKiB(cfg.pid) < 0 {
		fmt.Fprintf(os.Stderr, "soak: cannot read the memory of process %d\n", cfg.pid)
		return 2
	}
	r := &runner{
		cfg: cfg,
		client: &http.Client{
			Timeout:       cfg.timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			Transport:     &http.Transport{MaxIdleConnsPerHost: cfg.workers},
		},
		stats: stats{outcomes: map[string]int{}, latencies: map[string]*reservoir{}},
	}
	for range cfg.seed {
		l, _, ok, detail := r.create(ctx)
		if !ok {
			fmt.Fprintln(os.Stderr, "soak: setup create failed:", detail)
			return 2
		}
		r.links.add(l)
	}

	rssStart, rssPeak := rssKiB(cfg.pid), 0
	fmt.Printf("soak: %s for %v, %d workers, %.0f%% redirects, %d seed links\n",
		cfg.target, cfg.duration, cfg.workers, cfg.redirectShare*100, cfg.seed)
	runCtx, cancel := context.WithTimeout(ctx, cfg.duration)
	defer cancel()
	started := time.Now()
	var wg sync.WaitGroup
	for range cfg.workers {
		wg.Go(func() { r.work(runCtx) })
	}
	ticker := time.NewTicker(cfg.report)
	defer ticker.Stop()
	sample := func() string {
		if cfg.pid == 0 {
			return ""
		}
		rss := rssKiB(cfg.pid)
		rssPeak = max(rssPeak, rss)
		return ", api RSS " + mib(rss)
	}
	sample()
	for done := false; !done; {
		select {
		case <-runCtx.Done():
			done = true
		case <-ticker.C:
			requests, failures := r.stats.totals()
			elapsed := time.Since(started)
			fmt.Printf("  %6s  %d requests (%.0f/s), %d failed%s\n",
				elapsed.Round(time.Second), requests, float64(requests)/elapsed.Seconds(), failures, sample())
		}
	}
	wg.Wait()
	rssEnd := -1
	if cfg.pid != 0 {
		rssEnd = rssKiB(cfg.pid)
		rssPeak = max(rssPeak, rssEnd)
	}
	return r.summary(time.Since(started), rssStart, rssPeak, rssEnd)
}

func (r *runner) summary(elapsed time.Duration, rssStart, rssPeak, rssEnd int) int {
	s := &r.stats
	s.mu.Lock()
	defer s.mu.Unlock()
	requests := 0
	keys := make([]string, 0, len(s.outcomes))
	for k, n := range s.outcomes {
		keys = append(keys, k)
		requests += n
	}
	slices.Sort(keys)
	fmt.Printf("\nsoak: %d requests in %v (%.0f/s)\n", requests, elapsed.Round(time.Second), float64(requests)/elapsed.Seconds())
	for _, k := range keys {
		fmt.Printf("  %-28s %d\n", k, s.outcomes[k])
	}
	for _, kind := range []string{"redirect", "create"} {
		res := s.latencies[kind]
		if res == nil || len(res.samples) == 0 {
			continue
		}
		slices.Sort(res.samples)
		at := func(q float64) time.Duration { return res.samples[int(q*float64(len(res.samples)-1))] }
		fmt.Printf("  %-8s latency p50 %v  p95 %v  p99 %v  max %v\n", kind, at(.5), at(.95), at(.99), res.samples[len(res.samples)-1])
	}
	if rssStart >= 0 && rssEnd >= 0 {
		fmt.Printf("  api RSS: start %s, peak %s, end %s (%+.1f MiB)\n", mib(rssStart), mib(rssPeak), mib(rssEnd), float64(rssEnd-rssStart)/1024)
	}
	if s.failures > 0 {
		fmt.Printf("FAIL: %d of %d requests failed; first ones:\n  %s\n", s.failures, requests, strings.Join(s.firstErrs, "\n  "))
		return 1
	}
	fmt.Println("PASS: every create answered 201 and every redirect 302")
	return 0
}
