package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/shortlink/shortlink/test/testkit"
)

// zipfResult is the hit rate one api keeps in its own memory under a
// Zipf-like load over the links seeded in SQL.
type zipfResult struct {
	api       string
	budget    string // LOCAL_CACHE_BYTES
	rps       float64
	requests  int64 // redirects answered while measured
	localHits int64
	errors    int64
	rssKiB    int64
	anonKiB   int64   // RssAnon: the process's own memory, file pages (its binary) left out
	serverCPU float64 // µs per request
	p99       float64
}

func (z zipfResult) hitRate() float64 { return float64(z.localHits) / float64(max(z.requests, 1)) }

// measureZipf loads each api with lua/zipf.lua, first to warm its cache,
// then measured: the share of redirects its own memory answered.
func (b *bench) measureZipf(ctx context.Context) error {
	for _, a := range []struct {
		srv    *server
		budget string
	}{{b.work, "16MiB (default)"}, {b.bigCache, "128MiB"}} {
		links := strconv.Itoa(b.stack.links)
		b.logf("zipf: %s warm-up %s", a.srv.name, b.opts.zipfWarm)
		if _, err := runWrk(ctx, 1, 32, b.opts.zipfWarm, zipfLua, a.srv.url, links); err != nil {
			return err
		}
		before := testkit.Scrape(ctx, a.srv.url)
		cpu0, _ := cpuTime(a.srv.pid())
		m, err := runWrk(ctx, 1, 32, b.opts.zipfDuration, zipfLua, a.srv.url, links)
		if err != nil {
			return err
		}
		cpu1, _ := cpuTime(a.srv.pid())
		after := testkit.Scrape(ctx, a.srv.url)
		delta := func(metric, match string) int64 {
			return sumMetric(after, metric, match) - sumMetric(before, metric, match)
		}
		z := zipfResult{
			api: a.srv.name, budget: a.budget, rps: m.RPS, errors: m.Errors, p99: m.P99,
			requests:  delta("shortlink_http_requests_total", `status="302"`),
			localHits: delta("shortlink_cache_local_hits_total", ""),
			serverCPU: float64(cpu1-cpu0) / float64(time.Microsecond) / float64(max(m.Requests, 1)),
		}
		if status, err := testkit.StatusKiB(a.srv.pid()); err == nil {
			z.rssKiB, z.anonKiB = status["VmRSS"], status["RssAnon"]
		}
		b.zipf = append(b.zipf, z)
		b.logf("zipf: %s (%s) local hit rate %.3f over %d redirects, %.0f req/s, rss %s", a.srv.name, a.budget, z.hitRate(), z.requests, z.rps, mib(z.rssKiB))
	}
	return nil
}

// soakResult is the project's load tool's mixed soak against one api.
type soakResult struct {
	mode               string
	requests, failed   int
	rps                float64
	p95                float64
	rssEndMiB, rssPeak float64
	cacheHits, lookups int64
	localHits          int64
	passed             bool
	// What VmRSS was made of at the end: the process's own memory
	// (RssAnon), and file pages mapped in (RssFile: the binary's code and
	// data, and in embedded mode the data file bbolt maps to read it).
	anonMiB, fileMiB float64
}

// loadSummary is the part of the load tool's -json summary the bench reads.
type loadSummary struct {
	Requests  int            `json:"requests"`
	Failed    int            `json:"failed"`
	RPS       float64        `json:"rps"`
	LatencyMS map[string]any `json:"latency_ms"`
	Passed    bool           `json:"passed"`
	Memory    *struct {
		PeakMiB float64 `json:"peak_mib"`
		EndMiB  float64 `json:"end_mib"`
	} `json:"memory"`
}

// soak runs the load tool's mixed scenario (16 VUs, 20 % creates) for
// -soak against srv, sampling its RSS, and reads its cache counters.
func (b *bench) soak(ctx context.Context, mode string, srv *server) error {
	b.logf("soak: %s mode, %d VUs for %s", mode, b.opts.soakVUs, b.opts.soak)
	before := testkit.Scrape(ctx, srv.url)
	out := filepath.Join(b.dir, "soak-"+mode+".json")
	cmd := exec.CommandContext(ctx, filepath.Join(b.bin, "load"), "-scenario", "mixed", "-mode", "soak",
		"-vus", strconv.Itoa(b.opts.soakVUs), "-duration", b.opts.soak.String(), "-ramp-up", min(5*time.Second, b.opts.soak/4).String(), "-target", srv.url,
		"-header", "Host: "+publicHost, "-pid", strconv.Itoa(srv.pid()), "-json", out)
	text, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	thresholdBreached := errors.As(err, &exit) && exit.ExitCode() == 1 // reported below, not an error of the bench
	if err != nil && !thresholdBreached {
		return fmt.Errorf("load tool: %w\n%s", err, text)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		return fmt.Errorf("load tool wrote no summary: %w\n%s", err, text)
	}
	var s loadSummary
	if err := json.Unmarshal(raw, &s); err != nil {
		return fmt.Errorf("load summary: %w", err)
	}
	status, err := testkit.StatusKiB(srv.pid())
	if err != nil {
		return err
	}
	after := testkit.Scrape(ctx, srv.url)
	delta := func(metric string) int64 { return sumMetric(after, metric, "") - sumMetric(before, metric, "") }
	r := soakResult{
		mode: mode, requests: s.Requests, failed: s.Failed, rps: s.RPS, passed: s.Passed,
		cacheHits: delta("shortlink_cache_hits_total"), localHits: delta("shortlink_cache_local_hits_total"),
		lookups: delta("shortlink_cache_hits_total") + delta("shortlink_cache_misses_total") + delta("shortlink_cache_negative_hits_total"),
		anonMiB: float64(status["RssAnon"]) / 1024, fileMiB: float64(status["RssFile"]) / 1024,
	}
	if p, ok := s.LatencyMS["p95"].(float64); ok {
		r.p95 = p
	}
	if s.Memory != nil {
		r.rssEndMiB, r.rssPeak = s.Memory.EndMiB, s.Memory.PeakMiB
	}
	b.soaks = append(b.soaks, r)
	b.logf("soak: %s mode %d requests (%d failed), %.0f req/s, RSS end %.1f MiB (anon %.1f, file %.1f) peak %.1f MiB, cache hit rate %.3f",
		mode, r.requests, r.failed, r.rps, r.rssEndMiB, r.anonMiB, r.fileMiB, r.rssPeak, float64(r.cacheHits)/float64(max(r.lookups, 1)))
	return nil
}

// soakBothModes soaks a fresh api with the defaults, as a user starts it,
// on the bench's stack, then a fresh embedded-mode api.
func (b *bench) soakBothModes(ctx context.Context) error {
	fresh, err := b.startAPI(ctx, "api-soak", b.stack)
	if err != nil {
		return err
	}
	if err := b.soak(ctx, "server", fresh); err != nil {
		return err
	}
	embedded, err := b.startAPI(ctx, "api-embedded", nil, "STORE=embedded", "DATA_DIR="+filepath.Join(b.dir, "embedded"))
	if err != nil {
		return err
	}
	return b.soak(ctx, "embedded", embedded)
}
