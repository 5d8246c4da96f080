package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/shortlink/shortlink/test/testkit"
)

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
	fs.StringVar(&cfg.Scenario, "scenario", testkit.EnvOr("SCENARIO", ""), "create, redirect or mixed (env SCENARIO)")
	fs.StringVar(&cfg.Mode, "mode", testkit.EnvOr("MODE", "load"), "load or stress; load or soak for mixed (env MODE)")
	fs.IntVar(&cfg.PID, "pid", 0, "process id of the api on this machine: sample and report its memory (RSS)")
	fs.StringVar(&cfg.Target, "target", testkit.EnvOr("TARGET", "http://localhost:8080"), "base URL of the service (env TARGET)")
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
