package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shortlink/shortlink/test/testkit"
)

// measurement is one load run.
type measurement struct {
	Requests int64   // completed requests (transactions for pgbench)
	RPS      float64 // per second of the run
	P50, P99 float64 // milliseconds
	P95      float64 // milliseconds; wrk steps only
	Errors   int64   // non-2xx/3xx answers, socket errors and timeouts; failed transactions
	RSSKiB   int64   // api VmRSS after the run; 0 when the step does not involve the api
	// CPUPerReq is the CPU time (user + system) the step's server processes
	// spent per completed request, in µs; 0 when not measured. Unlike req/s
	// it hardly moves when other processes take CPU from the run.
	CPUPerReq float64
}

// wrkSummary is the line the Lua scripts' done() prints.
type wrkSummary struct {
	Requests   int64 `json:"requests"`
	DurationUS int64 `json:"duration_us"`
	Connect    int64 `json:"connect"`
	Read       int64 `json:"read"`
	Write      int64 `json:"write"`
	Status     int64 `json:"status"`
	Timeout    int64 `json:"timeout"`
	P50US      int64 `json:"p50_us"`
	P95US      int64 `json:"p95_us"`
	P99US      int64 `json:"p99_us"`
	MaxUS      int64 `json:"max_us"`
}

// runWrk runs wrk with a Lua script from test/bench/lua against url, every
// request naming publicHost as its Host (the default short domain: with
// several registered, 127.0.0.1 would be no domain and answer 404).
// Socket errors, timeouts (2 s) and answers of 400 and above (a 404
// included, but for scripts that set expect404) count as errors.
func runWrk(ctx context.Context, threads, conns int, d time.Duration, script, url string, scriptArgs ...string) (measurement, error) {
	ctx, cancel := context.WithTimeout(ctx, d+30*time.Second)
	defer cancel()
	args := []string{
		"-t", strconv.Itoa(threads), "-c", strconv.Itoa(conns), "-d", seconds(d), "--timeout", "2s",
		"-H", "Host: " + publicHost, "-s", script, url,
	}
	if len(scriptArgs) > 0 {
		args = append(append(args, "--"), scriptArgs...)
	}
	cmd := exec.CommandContext(ctx, "wrk", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return measurement{}, fmt.Errorf("wrk %s: %w\n%s%s", strings.Join(args, " "), err, out, stderr.String())
	}
	for line := range strings.Lines(string(out)) {
		raw, ok := strings.CutPrefix(strings.TrimSpace(line), "BENCHJSON ")
		if !ok {
			continue
		}
		var s wrkSummary
		if err := json.Unmarshal([]byte(raw), &s); err != nil {
			return measurement{}, fmt.Errorf("wrk summary %q: %w", raw, err)
		}
		if s.DurationUS <= 0 {
			return measurement{}, fmt.Errorf("wrk summary without a duration: %q", raw)
		}
		return measurement{
			Requests: s.Requests,
			RPS:      float64(s.Requests) / (float64(s.DurationUS) / 1e6),
			P50:      float64(s.P50US) / 1000,
			P95:      float64(s.P95US) / 1000,
			P99:      float64(s.P99US) / 1000,
			Errors:   s.Connect + s.Read + s.Write + s.Status + s.Timeout,
		}, nil
	}
	return measurement{}, fmt.Errorf("wrk printed no BENCHJSON line (is %s the bench script?):\n%s%s", script, out, stderr.String())
}

var (
	tpsLine    = regexp.MustCompile(`(?m)^tps = ([0-9.]+)`)
	failedLine = regexp.MustCompile(`(?m)^number of failed transactions: ([0-9]+)`)
	doneLine   = regexp.MustCompile(`(?m)^number of transactions actually processed: ([0-9]+)`)
)

// runPgbench runs script with clients connections over jobs threads,
// logging every transaction's latency so p50 and p99 come from the same
// definition as wrk's (the client's view of one request).
func runPgbench(ctx context.Context, dbURL string, clients, jobs int, d time.Duration, script, logDir string) (measurement, error) {
	ctx, cancel := context.WithTimeout(ctx, d+30*time.Second)
	defer cancel()
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return measurement{}, err
	}
	defer os.RemoveAll(logDir)
	args := []string{
		"-n", "-M", "prepared", "-c", strconv.Itoa(clients), "-j", strconv.Itoa(jobs), "-T", strconv.Itoa(int(d.Round(time.Second) / time.Second)),
		"-f", script, "--log", "--log-prefix=" + filepath.Join(logDir, "tx"), dbURL,
	}
	cmd := exec.CommandContext(ctx, "pgbench", args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return measurement{}, fmt.Errorf("pgbench %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	m := tpsLine.FindSubmatch(out)
	if m == nil {
		return measurement{}, fmt.Errorf("pgbench printed no tps:\n%s", out)
	}
	var res measurement
	res.RPS, _ = strconv.ParseFloat(string(m[1]), 64)
	if m := doneLine.FindSubmatch(out); m != nil {
		res.Requests, _ = strconv.ParseInt(string(m[1]), 10, 64)
	}
	if m := failedLine.FindSubmatch(out); m != nil {
		res.Errors, _ = strconv.ParseInt(string(m[1]), 10, 64)
	}
	lat, failed, err := pgbenchLatencies(logDir)
	if err != nil {
		return measurement{}, err
	}
	res.Errors = max(res.Errors, failed)
	slices.Sort(lat)
	res.P50, res.P99 = testkit.Percentile(lat, 50), testkit.Percentile(lat, 99)
	return res, nil
}

// pgbenchLatencies reads the per-transaction logs: "client tx latency_us
// script epoch us", with "failed" or "skipped" in place of the latency.
func pgbenchLatencies(dir string) (ms []float64, failed int64, err error) {
	files, err := filepath.Glob(filepath.Join(dir, "tx.*"))
	if err != nil || len(files) == 0 {
		return nil, 0, fmt.Errorf("no pgbench transaction logs in %s", dir)
	}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return nil, 0, err
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 3 {
				continue
			}
			us, err := strconv.ParseFloat(fields[2], 64)
			if err != nil {
				failed++
				continue
			}
			ms = append(ms, us/1000)
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, 0, err
		}
	}
	return ms, failed, nil
}

// median is the nearest-rank median of xs (left unsorted); NaN for none,
// so a missing measurement prints as such rather than as zero.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	return testkit.Percentile(slices.Sorted(slices.Values(xs)), 50)
}

func seconds(d time.Duration) string {
	return strconv.Itoa(int(d.Round(time.Second)/time.Second)) + "s"
}
