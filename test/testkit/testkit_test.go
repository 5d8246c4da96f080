package testkit

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseMetricsKeepsLabelsAndSkipsComments(t *testing.T) {
	t.Parallel()
	got := ParseMetrics(strings.NewReader(`# HELP shortlink_cache_hits_total Hits.
# TYPE shortlink_cache_hits_total counter
shortlink_cache_hits_total 42

shortlink_http_requests_total{route="/:code",status="302"} 7
`))
	want := map[string]string{
		"shortlink_cache_hits_total":                                 "42",
		`shortlink_http_requests_total{route="/:code",status="302"}`: "7",
	}
	if len(got) != len(want) {
		t.Fatalf("ParseMetrics = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestFreePortsAreDistinct(t *testing.T) {
	t.Parallel()
	ports, err := FreePorts(5)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, p := range ports {
		if p <= 0 || seen[p] {
			t.Fatalf("ports %v: want 5 distinct", ports)
		}
		seen[p] = true
	}
}

func TestNginxConfRewritesTheProjectSite(t *testing.T) {
	t.Parallel()
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	args, err := NginxConf(root, dir, "127.0.0.1:1234", "127.0.0.1:5678", NginxOptions{Replicas: []string{"127.0.0.1:1235"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(args) != 6 || args[3] != filepath.Join(dir, "nginx.conf") {
		t.Fatalf("args = %v", args)
	}
	site, err := os.ReadFile(filepath.Join(dir, "shortlink.conf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"server 127.0.0.1:1234 ", "server 127.0.0.1:1235 ", "listen 127.0.0.1:5678 default_server;"} {
		if !strings.Contains(string(site), line) {
			t.Errorf("site config lacks %q", line)
		}
	}
	for _, line := range strings.Split(string(site), "\n") {
		if line = strings.TrimSpace(line); !strings.HasPrefix(line, "#") && strings.Contains(line, "api:8000") {
			t.Errorf("site config still names api:8000: %s", line)
		}
	}
	if _, err := rewriteDirective(siteListen+"\n"+siteListen+"\n", siteListen, "x"); err == nil {
		t.Error("a directive found twice was rewritten")
	}
}

func TestRandomHex(t *testing.T) {
	t.Parallel()
	a, b := RandomHex(8), RandomHex(8)
	if len(a) != 16 || a == b {
		t.Fatalf("RandomHex(8) = %q, %q", a, b)
	}
}

func TestStatusKiBReadsTheMemoryLinesOfAProcess(t *testing.T) {
	t.Parallel()
	status, err := StatusKiB(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"VmRSS", "VmHWM", "RssAnon", "RssFile"} {
		if status[key] <= 0 {
			t.Errorf("%s = %d KiB, want > 0 for a running test binary", key, status[key])
		}
	}
	if status["RssAnon"] > status["VmRSS"] {
		t.Errorf("RssAnon %d > VmRSS %d KiB", status["RssAnon"], status["VmRSS"])
	}
	if _, ok := status["Threads"]; ok {
		t.Error("Threads is a count, not a kB line, and must be left out")
	}
	rss, hwm, err := MemStatus(os.Getpid())
	if err != nil || rss <= 0 || hwm < rss { // the peak is never below the current
		t.Errorf("MemStatus = %d, %d, %v", rss, hwm, err)
	}
}

// fatalRecorder is a testing.TB whose Fatalf records instead of stopping.
type fatalRecorder struct {
	testing.TB
	fatal string
}

func (r *fatalRecorder) Helper()                        {}
func (r *fatalRecorder) Fatalf(format string, a ...any) { r.fatal = fmt.Sprintf(format, a...) }

func TestEventuallyRetriesUntilTheCheckPasses(t *testing.T) {
	t.Parallel()
	calls := 0
	took := Eventually(t, time.Second, "third time lucky", func() error {
		if calls++; calls < 3 {
			return errors.New("not yet")
		}
		return nil
	})
	if calls != 3 || took <= 0 || took >= time.Second {
		t.Fatalf("Eventually made %d calls in %v, want 3 well within a second", calls, took)
	}
}

func TestEventuallyFailsWithTheLastError(t *testing.T) {
	t.Parallel()
	r := &fatalRecorder{TB: t}
	start := time.Now()
	Eventually(r, 30*time.Millisecond, "never", func() error { return errors.New("still down") })
	if waited := time.Since(start); waited < 30*time.Millisecond {
		t.Errorf("Eventually gave up after %v, before its 30ms", waited)
	}
	if r.fatal != "never: still failing after 30ms: still down" {
		t.Fatalf("Eventually failed with %q", r.fatal)
	}
}

func TestPercentileIsNearestRank(t *testing.T) {
	sorted := []int{10, 20, 30, 40, 50, 60, 70, 80, 90, 100}
	for _, c := range []struct {
		p    float64
		want int
	}{{50, 50}, {90, 90}, {95, 100}, {99, 100}, {100, 100}, {1, 10}, {11, 20}} {
		if got := Percentile(sorted, c.p); got != c.want {
			t.Errorf("Percentile(p%v) = %d, want %d", c.p, got, c.want)
		}
	}
	if got := Percentile([]float64(nil), 50); got != 0 {
		t.Errorf("Percentile of nothing = %v, want 0", got)
	}
}

func TestEnvOrFallsBackOnEmpty(t *testing.T) {
	t.Setenv("TESTKIT_ENVOR", "")
	if got := EnvOr("TESTKIT_ENVOR", "def"); got != "def" {
		t.Errorf("EnvOr(empty) = %q, want def", got)
	}
	t.Setenv("TESTKIT_ENVOR", "set")
	if got := EnvOr("TESTKIT_ENVOR", "def"); got != "set" {
		t.Errorf("EnvOr(set) = %q, want set", got)
	}
}
