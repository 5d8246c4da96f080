package main

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/shortlink/shortlink/test/testkit"
)

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
		s.lat["p50"] = testkit.Percentile(all.latencies, 50)
		s.lat["p90"] = testkit.Percentile(all.latencies, 90)
		s.lat["p95"] = testkit.Percentile(all.latencies, 95)
		s.lat["p99"] = testkit.Percentile(all.latencies, 99)
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
	s.Passed = cfg.Profile.holds(n, s.FailRate, s.p95)
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
