package bench

// The redirect path over real loopback HTTP: the router served the way
// cmd/api serves it (httpapi.NewServer, with its timeouts), loaded by wrk
// with the make-bench script, next to a bare net/http server. With
// -cpuprofile the profile is the server side of step 2 of make bench:
// net/http, syscalls, gin, the use case and the cache. server-cpu-ns/req
// (this process's CPU time per answered request) compares the two servers
// independently of how busy the machine is.
//
//	go test ./test/bench -run '^$' -bench RedirectWrk -benchtime 1x -cpuprofile /tmp/wrk.cpu
//	BENCH_WRK_DURATION=10s go test ./test/bench -run '^$' -bench 'RedirectWrk/api' -benchtime 1x

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/redisclient"

	"github.com/shortlink/shortlink/adapters/httpapi"
	"github.com/shortlink/shortlink/adapters/rediscache"
	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

func BenchmarkRedirectWrk(b *testing.B) {
	if _, err := exec.LookPath("wrk"); err != nil {
		b.Skip("wrk is not on PATH (apt-get install wrk)")
	}
	d := 5 * time.Second
	if v := os.Getenv("BENCH_WRK_DURATION"); v != "" {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			b.Fatalf("BENCH_WRK_DURATION: %v", err)
		}
	}
	for _, visits := range []bool{false, true} {
		name := "api"
		if visits {
			name = "api+visits"
		}
		b.Run(name, func(b *testing.B) {
			srv := testenv.StartRedisServer(b)
			client, err := redisclient.Dial(srv.URL(), 200*time.Millisecond, testenv.LocalCacheBytes)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(client.Close)
			handler, codes := newAPI(b, testenv.NewCache(b, client, rediscache.Options{ClientSideCache: true}), false, visits)
			wrkAgainst(b, handler, codes, d)
		})
	}
	b.Run("bare", func(b *testing.B) {
		handler := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header()["Location"] = []string{"https://example.com/bench/0123456789abcdef0123"}
			w.WriteHeader(http.StatusFound)
		})
		wrkAgainst(b, handler, []string{"abc"}, d)
	})
}

// wrkAgainst serves handler as the api does and runs wrk -t2 -c64 for d
// against it, picking paths at random among codes.
func wrkAgainst(b *testing.B, handler http.Handler, codes []string, d time.Duration) {
	b.Helper()
	srv := httpapi.NewServer("127.0.0.1:0", 0, handler, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err := srv.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Stop(context.Background()) })
	file := filepath.Join(b.TempDir(), "codes.txt")
	if err := os.WriteFile(file, []byte(strings.Join(codes, "\n")+"\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	cpu0, gc0 := processCPU(), readGCStats()
	b.ResetTimer()
	out, err := exec.Command("wrk", "-t2", "-c64", "-d", d.String(), "--timeout", "2s",
		"-s", "lua/redirect.lua", "http://"+srv.Addr().String(), "--", file).CombinedOutput()
	b.StopTimer()
	cpu, gc1 := processCPU()-cpu0, readGCStats()
	writeHeapProfile(b)
	if err != nil {
		b.Fatalf("wrk: %v\n%s", err, out)
	}
	_, raw, ok := strings.Cut(string(out), "BENCHJSON ")
	if !ok {
		b.Fatalf("wrk printed no BENCHJSON line:\n%s", out)
	}
	var s struct {
		Requests   int64 `json:"requests"`
		DurationUS int64 `json:"duration_us"`
		Status     int64 `json:"status"`
		P99US      int64 `json:"p99_us"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(raw)), &s); err != nil || s.Requests == 0 {
		b.Fatalf("wrk summary %q: %v", raw, err)
	}
	if s.Status > 0 {
		b.Errorf("%d answers were 4xx/5xx", s.Status)
	}
	b.ReportMetric(float64(s.Requests)/(float64(s.DurationUS)/1e6), "req/s")
	b.ReportMetric(float64(cpu)/float64(s.Requests), "server-cpu-ns/req")
	b.ReportMetric(float64(s.P99US)/1000, "p99-ms")
	b.ReportMetric(gcShare(gc0, gc1), "gc-cpu-%")
	b.ReportMetric(float64(gc1.cycles-gc0.cycles), "gc-cycles")
	b.ReportMetric(float64(gc1.live)/(1<<20), "live-heap-MiB")
	b.ReportMetric(float64(gc1.scanHeap)/(1<<20), "scan-heap-MiB")
	if st, err := testkit.StatusKiB(os.Getpid()); err == nil { // the whole test process, servers' clients included
		b.ReportMetric(float64(st["RssAnon"])/1024, "rss-anon-MiB")
	}
}
