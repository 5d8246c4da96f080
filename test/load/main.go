// Command load runs shortlink's load and stress tests: the create and
// redirect scenarios of the original locust files, with k6-style virtual
// users, a ramp-up, checks and pass/fail thresholds.
//
//	go run ./test/load -scenario create   -mode load
//	go run ./test/load -scenario redirect -mode stress -target http://localhost:8080
//
// Each virtual user (VU) sends requests one after another for the whole
// run. The run ends by itself after -duration; Ctrl-C ends it early and
// still prints the summary. The exit status is 0 when every threshold
// holds, 1 when one is breached and 2 on a usage or setup error.
//
// The target must be a loopback address unless -allow-remote is given: a
// load test aimed at the wrong host is a denial of service.
package main

import (
	"bytes"
	"context"
	"encoding/hex"
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
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// profile is the shape and the thresholds of one run.
type profile struct {
	VUs         int
	Duration    time.Duration
	RampUp      time.Duration
	MaxFailRate float64
	P95         time.Duration
}

// profiles holds the defaults per scenario and mode; flags override them.
var profiles = map[string]map[string]profile{
	"create": {
		"load":   {VUs: 20, Duration: 30 * time.Second, RampUp: 5 * time.Second, MaxFailRate: 0.01, P95: 500 * time.Millisecond},
		"stress": {VUs: 100, Duration: 60 * time.Second, RampUp: 20 * time.Second, MaxFailRate: 0.05, P95: 2 * time.Second},
	},
	"redirect": {
		"load":   {VUs: 300, Duration: 60 * time.Second, RampUp: 10 * time.Second, MaxFailRate: 0.01, P95: 200 * time.Millisecond},
		"stress": {VUs: 1000, Duration: 90 * time.Second, RampUp: 30 * time.Second, MaxFailRate: 0.05, P95: time.Second},
	},
	"mixed": {
		"load": {VUs: 16, Duration: 60 * time.Second, RampUp: 5 * time.Second, MaxFailRate: 0.001, P95: 200 * time.Millisecond},
		"soak": {VUs: 16, Duration: 5 * time.Minute, RampUp: 5 * time.Second, MaxFailRate: 0.001, P95: 200 * time.Millisecond},
	},
}

// mixedCreateShare is the share of creates in the mixed scenario; the rest
// are redirects to links created so far.
const mixedCreateShare = 0.2

const usageText = `usage: go run ./test/load -scenario create|redirect|mixed [-mode load|stress|soak] [flags]

Scenarios (defaults per mode; every value can be overridden by a flag):
  create    POST /v1/shortlink with a random URL, expects 201 and a code
              load:   20 VUs,  30s, ramp-up  5s, fail rate < 1%, p95 < 500ms
              stress: 100 VUs, 60s, ramp-up 20s, fail rate < 5%, p95 < 2s
  redirect  setup creates -seed links, then GET /{code} without following,
            expects 302 with Location = the created URL
              load:   300 VUs,  60s, ramp-up 10s, fail rate < 1%, p95 < 200ms
              stress: 1000 VUs, 90s, ramp-up 30s, fail rate < 5%, p95 < 1s
  mixed     setup as redirect, then 20% creates (their links join the pool
            of redirect targets) and 80% redirects; with -pid, the api's
            memory is sampled every second and reported (start, peak, end)
              load:   16 VUs, 60s, ramp-up 5s, fail rate < 0.1%, p95 < 200ms
              soak:   16 VUs,  5m, ramp-up 5s, fail rate < 0.1%, p95 < 200ms

A failed request is a transport error, an unexpected status or a failed
check. Latency is measured from sending the request to reading the whole
response. Exit status: 0 all thresholds hold, 1 a threshold is breached,
2 usage or setup error.

Flags:
`

type config struct {
	Scenario    string
	Mode        string
	Target      string
	Profile     profile
	Seed        int
	Timeout     time.Duration
	Think       time.Duration
	Headers     http.Header
	AllowRemote bool
	JSONPath    string
	PID         int // the api's process id, for memory samples (0: none)
}

// headerFlag collects repeatable -header "Name: value" flags.
type headerFlag struct{ h http.Header }

func (f *headerFlag) String() string { return "" }

func (f *headerFlag) Set(s string) error {
	name, value, ok := strings.Cut(s, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return fmt.Errorf("want \"Name: value\", got %q", s)
	}
	f.h.Add(name, strings.TrimSpace(value))
	return nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func parseConfig(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		cfg     config
		hdr     = headerFlag{h: http.Header{}}
		vus     = fs.Int("vus", 0, "virtual users (default: from the scenario and mode)")
		dur     = fs.Duration("duration", 0, "length of the run, ramp-up included (default: from the scenario and mode)")
		ramp    = fs.Duration("ramp-up", 0, "time over which the VUs are started (default: from the scenario and mode)")
		p95     = fs.Duration("p95", 0, "threshold: 95th percentile latency must be below this (default: from the scenario and mode)")
		maxFail = fs.Float64("max-fail-rate", 0, "threshold: failed requests / requests must be below this (default: from the scenario and mode)")
	)
	fs.StringVar(&cfg.Scenario, "scenario", envOr("SCENARIO", ""), "create, redirect or mixed (env SCENARIO)")
	fs.StringVar(&cfg.Mode, "mode", envOr("MODE", "load"), "load or stress; load or soak for mixed (env MODE)")
	fs.IntVar(&cfg.PID, "pid", 0, "process id of the api on this machine: sample and report its memory (RSS)")
	fs.StringVar(&cfg.Target, "target", envOr("TARGET", "http://localhost:8080"), "base URL of the service (env TARGET)")
	fs.IntVar(&cfg.Seed, "seed", 100, "redirect: links created before the run")
	fs.DurationVar(&cfg.Timeout, "timeout", 10*time.Second, "timeout of one request")
	fs.DurationVar(&cfg.Think, "think", 0, "pause of a VU between two requests")
	fs.Var(&hdr, "header", "extra request header \"Name: value\" (repeatable), e.g. an API key")
	fs.BoolVar(&cfg.AllowRemote, "allow-remote", false, "allow a target that is not a loopback address")
	fs.StringVar(&cfg.JSONPath, "json", "", "also write the summary as JSON to this file")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageText)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	modes, ok := profiles[cfg.Scenario]
	if !ok {
		return cfg, fmt.Errorf("-scenario must be create, redirect or mixed, got %q", cfg.Scenario)
	}
	p, ok := modes[cfg.Mode]
	if !ok {
		return cfg, fmt.Errorf("-mode (MODE) must be one of %s for %s, got %q", strings.Join(sortedKeys(modes), ", "), cfg.Scenario, cfg.Mode)
	}
	if set["vus"] {
		p.VUs = *vus
	}
	if set["duration"] {
		p.Duration = *dur
	}
	if set["ramp-up"] {
		p.RampUp = *ramp
	}
	if set["p95"] {
		p.P95 = *p95
	}
	if set["max-fail-rate"] {
		p.MaxFailRate = *maxFail
	}
	switch {
	case p.VUs < 1:
		return cfg, errors.New("-vus must be at least 1")
	case p.Duration <= 0:
		return cfg, errors.New("-duration must be positive")
	case p.RampUp < 0 || p.RampUp >= p.Duration:
		return cfg, errors.New("-ramp-up must be at least 0 and shorter than -duration")
	case p.MaxFailRate <= 0 || p.MaxFailRate > 1:
		return cfg, errors.New("-max-fail-rate must be in (0, 1]")
	case p.P95 <= 0:
		return cfg, errors.New("-p95 must be positive")
	case cfg.Seed < 1:
		return cfg, errors.New("-seed must be at least 1")
	case cfg.Timeout <= 0:
		return cfg, errors.New("-timeout must be positive")
	}
	cfg.Profile = p
	cfg.Headers = hdr.h
	u, err := url.Parse(cfg.Target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return cfg, fmt.Errorf("-target (TARGET) must be an http(s) base URL, got %q", cfg.Target)
	}
	cfg.Target = strings.TrimRight(u.String(), "/")
	return cfg, nil
}

// checkLoopback refuses a target that does not resolve only to loopback
// addresses.
func checkLoopback(ctx context.Context, target string) error {
	u, err := url.Parse(target)
	if err != nil {
		return err
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); ip != nil {
		if !ip.IsLoopback() {
			return fmt.Errorf("target %s is not a loopback address; pass -allow-remote if you mean it", host)
		}
		return nil
	}
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return fmt.Errorf("resolve target host: %w", err)
	}
	for _, a := range addrs {
		if !a.IP.IsLoopback() {
			return fmt.Errorf("target %s resolves to %s, not a loopback address; pass -allow-remote if you mean it", host, a.IP)
		}
	}
	return nil
}

func newClient(cfg config) *http.Client {
	tr := &http.Transport{
		Proxy:               nil, // never send load through an HTTP_PROXY
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        cfg.Profile.VUs + 16,
		MaxIdleConnsPerHost: cfg.Profile.VUs + 16,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   cfg.Timeout,
		// A redirect is the answer under test: never follow it.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// link is a created short link.
type link struct {
	Code string
	URL  string
}

// outcome is the result of one request.
type outcome struct {
	latency time.Duration
	status  int    // 0 when no response arrived
	failure string // empty when the request passed every check
}

// stats is what one VU gathered; merged at the end.
type stats struct {
	latencies []time.Duration
	statuses  map[int]int
	failures  map[string]int
}

func newStats() *stats {
	return &stats{statuses: map[int]int{}, failures: map[string]int{}}
}

func (s *stats) add(o outcome) {
	s.latencies = append(s.latencies, o.latency)
	s.statuses[o.status]++
	if o.failure != "" {
		s.failures[o.failure]++
	}
}

func (s *stats) merge(o *stats) {
	s.latencies = append(s.latencies, o.latencies...)
	for k, v := range o.statuses {
		s.statuses[k] += v
	}
	for k, v := range o.failures {
		s.failures[k] += v
	}
}

func randomURL() string {
	var b [12]byte
	for i := range b {
		b[i] = byte(rand.Uint32())
	}
	return "https://example.com/load/" + hex.EncodeToString(b[:]) + "?src=shortlink-load"
}

type createResponse struct {
	Status int `json:"status"`
	Data   struct {
		Code     string `json:"code"`
		ShortURL string `json:"short_url"`
		URL      string `json:"url"`
		Error    string `json:"error"`
	} `json:"data"`
}

// create sends one POST /v1/shortlink and checks the answer.
func create(ctx context.Context, c *http.Client, cfg config) (outcome, link) {
	target := randomURL()
	body, err := json.Marshal(map[string]string{"url": target})
	if err != nil {
		return outcome{failure: "marshal: " + err.Error()}, link{}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.Target+"/v1/shortlink", bytes.NewReader(body))
	if err != nil {
		return outcome{failure: "request: " + err.Error()}, link{}
	}
	for k, v := range cfg.Headers {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")

	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return outcome{latency: time.Since(start), failure: transportFailure(err)}, link{}
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	o := outcome{latency: time.Since(start), status: resp.StatusCode}
	if err != nil {
		o.failure = "read body: " + transportFailure(err)
		return o, link{}
	}
	if resp.StatusCode != http.StatusCreated {
		o.failure = fmt.Sprintf("status %d (want 201)", resp.StatusCode)
		return o, link{}
	}
	var cr createResponse
	switch {
	case json.Unmarshal(raw, &cr) != nil:
		o.failure = "check: body is not JSON"
	case cr.Status != http.StatusCreated:
		o.failure = "check: envelope status is not 201"
	case cr.Data.Code == "":
		o.failure = "check: no data.code"
	case !strings.HasSuffix(cr.Data.ShortURL, "/"+cr.Data.Code):
		o.failure = "check: data.short_url does not end with /code"
	case cr.Data.URL != target:
		o.failure = "check: data.url differs from the sent url"
	}
	if o.failure != "" {
		return o, link{}
	}
	return o, link{Code: cr.Data.Code, URL: target}
}

// redirect sends one GET /{code} and checks for a 302 to the stored URL.
func redirect(ctx context.Context, c *http.Client, cfg config, l link) outcome {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, cfg.Target+"/"+l.Code, nil)
	if err != nil {
		return outcome{failure: "request: " + err.Error()}
	}
	for k, v := range cfg.Headers {
		req.Header[k] = v
	}
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return outcome{latency: time.Since(start), failure: transportFailure(err)}
	}
	_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	o := outcome{latency: time.Since(start), status: resp.StatusCode}
	switch {
	case err != nil:
		o.failure = "read body: " + transportFailure(err)
	case resp.StatusCode != http.StatusFound:
		o.failure = fmt.Sprintf("status %d (want 302)", resp.StatusCode)
	case resp.Header.Get("Location") != l.URL:
		o.failure = "check: Location differs from the created url"
	}
	return o
}

// transportFailure shortens a transport error to a groupable reason.
func transportFailure(err error) string {
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed early"
	}
	return "transport: " + err.Error()
}

// seed creates n links for the redirect scenario, 10 at a time.
func seed(ctx context.Context, c *http.Client, cfg config, n int) ([]link, error) {
	var (
		mu    sync.Mutex
		links = make([]link, 0, n)
		first string
		wg    sync.WaitGroup
		next  = make(chan struct{})
	)
	for range min(10, n) {
		wg.Go(func() {
			for range next {
				o, l := create(ctx, c, cfg)
				mu.Lock()
				if o.failure == "" {
					links = append(links, l)
				} else if first == "" {
					first = o.failure
				}
				mu.Unlock()
			}
		})
	}
	for range n {
		next <- struct{}{}
	}
	close(next)
	wg.Wait()
	if len(links) < n {
		return links, fmt.Errorf("seeding: %d of %d creates failed, first: %s", n-len(links), n, first)
	}
	return links, nil
}

// summary is the result of a run, also written by -json.
type summary struct {
	Scenario       string         `json:"scenario"`
	Mode           string         `json:"mode"`
	Target         string         `json:"target"`
	VUs            int            `json:"vus"`
	DurationS      float64        `json:"duration_s"`
	Requests       int            `json:"requests"`
	Failed         int            `json:"failed"`
	FailRate       float64        `json:"fail_rate"`
	RPS            float64        `json:"rps"`
	LatencyMS      map[string]any `json:"latency_ms"`
	Statuses       map[string]int `json:"statuses"`
	Failures       map[string]int `json:"failures"`
	MaxFailRate    float64        `json:"threshold_max_fail_rate"`
	P95ThresholdMS float64        `json:"threshold_p95_ms"`
	Passed         bool           `json:"passed"`
	Memory         *memoryResult  `json:"memory,omitempty"`
	p95            time.Duration
	p95Limit       time.Duration
	lat            map[string]time.Duration
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p/100*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func summarize(cfg config, all *stats, elapsed time.Duration) summary {
	slices.Sort(all.latencies)
	n := len(all.latencies)
	failed := 0
	for _, v := range all.failures {
		failed += v
	}
	s := summary{
		Scenario: cfg.Scenario, Mode: cfg.Mode, Target: cfg.Target,
		VUs: cfg.Profile.VUs, DurationS: elapsed.Seconds(),
		Requests: n, Failed: failed,
		Statuses: map[string]int{}, Failures: all.failures,
		MaxFailRate: cfg.Profile.MaxFailRate, P95ThresholdMS: ms(cfg.Profile.P95),
		p95Limit: cfg.Profile.P95,
		lat:      map[string]time.Duration{},
	}
	if elapsed > 0 {
		s.RPS = float64(n) / elapsed.Seconds()
	}
	if n > 0 {
		s.FailRate = float64(failed) / float64(n)
		var sum time.Duration
		for _, d := range all.latencies {
			sum += d
		}
		s.lat["min"] = all.latencies[0]
		s.lat["avg"] = sum / time.Duration(n)
		s.lat["p50"] = percentile(all.latencies, 50)
		s.lat["p90"] = percentile(all.latencies, 90)
		s.lat["p95"] = percentile(all.latencies, 95)
		s.lat["p99"] = percentile(all.latencies, 99)
		s.lat["max"] = all.latencies[n-1]
		s.p95 = s.lat["p95"]
	}
	s.LatencyMS = map[string]any{}
	for k, v := range s.lat {
		s.LatencyMS[k] = ms(v)
	}
	for k, v := range all.statuses {
		name := fmt.Sprint(k)
		if k == 0 {
			name = "no response"
		}
		s.Statuses[name] = v
	}
	s.Passed = n > 0 && s.FailRate < cfg.Profile.MaxFailRate && s.p95 < cfg.Profile.P95
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (s summary) print(w io.Writer) {
	mark := func(ok bool) string {
		if ok {
			return "ok"
		}
		return "FAILED"
	}
	fmt.Fprintf(w, "\nscenario   %s (%s) against %s\n", s.Scenario, s.Mode, s.Target)
	fmt.Fprintf(w, "vus        %d, ran %.1fs\n", s.VUs, s.DurationS)
	fmt.Fprintf(w, "requests   %d (%.1f/s), failed %d (%.2f%%)\n", s.Requests, s.RPS, s.Failed, 100*s.FailRate)
	if s.Requests > 0 {
		fmt.Fprintf(w, "latency    min %v  avg %v  p50 %v  p90 %v  p95 %v  p99 %v  max %v\n",
			s.lat["min"], s.lat["avg"], s.lat["p50"], s.lat["p90"], s.lat["p95"], s.lat["p99"], s.lat["max"])
	}
	parts := make([]string, 0, len(s.Statuses))
	for _, k := range sortedKeys(s.Statuses) {
		parts = append(parts, fmt.Sprintf("%s: %d", k, s.Statuses[k]))
	}
	fmt.Fprintf(w, "statuses   %s\n", strings.Join(parts, ", "))
	for _, k := range sortedKeys(s.Failures) {
		fmt.Fprintf(w, "failure    %dx %s\n", s.Failures[k], k)
	}
	if m := s.Memory; m != nil {
		fmt.Fprintf(w, "api memory VmRSS start %.1f MiB, peak %.1f MiB, end %.1f MiB (%d samples)\n", m.StartMiB, m.PeakMiB, m.EndMiB, m.Samples)
	}
	fmt.Fprintln(w, "thresholds")
	fmt.Fprintf(w, "  requests > 0                     %-12d %s\n", s.Requests, mark(s.Requests > 0))
	fmt.Fprintf(w, "  http_req_failed rate < %-8g  %-12.4f %s\n", s.MaxFailRate, s.FailRate, mark(s.Requests > 0 && s.FailRate < s.MaxFailRate))
	fmt.Fprintf(w, "  http_req_duration p(95) < %-6v %-12v %s\n", s.p95Limit, s.p95, mark(s.Requests > 0 && s.p95 < s.p95Limit))
	if s.Passed {
		fmt.Fprintln(w, "result     PASS")
	} else {
		fmt.Fprintln(w, "result     FAIL")
	}
}

// run executes one test: setup, VUs with ramp-up until the duration ends
// (or ctx is cancelled), then the summary.
func run(ctx context.Context, cfg config, out io.Writer) (summary, error) {
	if !cfg.AllowRemote {
		if err := checkLoopback(ctx, cfg.Target); err != nil {
			return summary{}, err
		}
	}
	client := newClient(cfg)
	defer client.CloseIdleConnections()

	var links []link
	if cfg.Scenario != "create" {
		fmt.Fprintf(out, "setup: creating %d links at %s\n", cfg.Seed, cfg.Target)
		var err error
		sctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		links, err = seed(sctx, client, cfg, cfg.Seed)
		cancel()
		if err != nil {
			return summary{}, err
		}
	}

	p := cfg.Profile
	fmt.Fprintf(out, "running %s (%s): %d VUs for %v, ramp-up %v, against %s\n",
		cfg.Scenario, cfg.Mode, p.VUs, p.Duration, p.RampUp, cfg.Target)

	rctx, cancel := context.WithTimeout(ctx, p.Duration)
	defer cancel()
	targets := &linkSet{links: links}
	var memory *rssSampler
	if cfg.PID > 0 {
		memory = sampleRSS(rctx, cfg.PID)
	}
	results := make([]*stats, p.VUs)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range p.VUs {
		st := newStats()
		results[i] = st
		delay := time.Duration(int64(p.RampUp) * int64(i) / int64(p.VUs))
		wg.Go(func() {
			if !sleep(rctx, delay) {
				return
			}
			for rctx.Err() == nil {
				var o outcome
				switch {
				case cfg.Scenario == "create":
					o, _ = create(rctx, client, cfg)
				case cfg.Scenario == "mixed" && rand.Float64() < mixedCreateShare:
					var l link
					if o, l = create(rctx, client, cfg); o.failure == "" {
						targets.add(l)
					}
				default:
					o = redirect(rctx, client, cfg, targets.pick())
				}
				if rctx.Err() != nil && o.failure != "" {
					break // cut short by the end of the run: not a failure
				}
				st.add(o)
				if cfg.Think > 0 && !sleep(rctx, cfg.Think) {
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)

	all := newStats()
	for _, st := range results {
		all.merge(st)
	}
	sum := summarize(cfg, all, elapsed)
	if memory != nil {
		sum.Memory = memory.result()
	}
	return sum, nil
}

// linkSet is the pool of redirect targets, which the mixed scenario grows.
type linkSet struct {
	mu    sync.Mutex
	links []link
}

func (s *linkSet) add(l link) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.links = append(s.links, l)
}

func (s *linkSet) pick() link {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.links[rand.IntN(len(s.links))]
}

// sleep waits d or until ctx ends; it reports whether the full d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

func realMain(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseConfig(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "load:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := run(ctx, cfg, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "load:", err)
		return 2
	}
	s.print(stdout)
	if cfg.JSONPath != "" {
		b, err := json.MarshalIndent(s, "", "  ")
		if err == nil {
			err = os.WriteFile(cfg.JSONPath, append(b, '\n'), 0o644)
		}
		if err != nil {
			fmt.Fprintln(stderr, "load: write summary:", err)
			return 2
		}
	}
	if !s.Passed {
		return 1
	}
	return 0
}
