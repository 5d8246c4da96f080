//go:build e2e

package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// TestEmbeddedServesThePage: `make run` (api -embedded) serves the page at
// / and its assets, as the api behind nginx does (TestBrowser).
func TestEmbeddedServesThePage(t *testing.T) {
	base := fmt.Sprintf("http://127.0.0.1:%d", startEmbedded(t, nil))
	r := testkit.Send(nil, http.MethodGet, base+"/", "", nil, nil)
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(r.Header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Fatalf("GET / = %s, %v", r, r.Header)
	}
	assets := regexp.MustCompile(`"(/_/[a-z]+\.[a-z]+\?v=[0-9a-f]+)"`).FindAllStringSubmatch(string(r.Body), -1)
	if len(assets) != 3 {
		t.Fatalf("the page links %d assets, want its script, style and icon:\n%s", len(assets), r.Body)
	}
	for _, m := range assets {
		if a := testkit.Send(nil, http.MethodGet, base+m[1], "", nil, nil); a.Status != http.StatusOK || len(a.Body) == 0 {
			t.Errorf("GET %s = %d", m[1], a.Status)
		}
	}
}

// TestEmbeddedForOnePerson: `make run` (api -embedded) first says, in
// words, which URL to open, before any JSON log line, and stops within a
// second of Ctrl-C (SIGINT) or SIGTERM, exiting 0, even with a browser's
// idle keep-alive connection open: one person needs no drain.
func TestEmbeddedForOnePerson(t *testing.T) {
	bin := testenv.BuildBinaries(t)
	for _, sig := range []string{"SIGINT", "SIGTERM"} {
		t.Run(sig, func(t *testing.T) {
			port := testkit.FreePort(t)
			api := testenv.StartProcess(t, "api -embedded", filepath.Join(bin, "api"), map[string]string{
				"API_ADDR": fmt.Sprintf(":%d", port), "DATA_DIR": t.TempDir(),
			}, "-embedded")
			base := fmt.Sprintf("http://127.0.0.1:%d", port)
			api.WaitHTTP(base+"/v1/health", http.StatusOK, 30*time.Second)

			first, _, _ := strings.Cut(api.Output(), "\n")
			want := fmt.Sprintf("shortlink is running: open http://localhost:%d/ (", port)
			if !strings.HasPrefix(first, want) {
				t.Fatalf("the first line is %q, want it to start %q; output:\n%s", first, want, api.Output())
			}

			// A browser keeps its connection open after loading the page.
			client := &http.Client{Transport: &http.Transport{}}
			if r := testkit.Send(client, http.MethodGet, base+"/", "", nil, nil); r.Status != http.StatusOK {
				t.Fatalf("GET / = %s", r)
			}
			t.Cleanup(client.CloseIdleConnections)

			start := time.Now()
			if sig == "SIGINT" {
				api.Interrupt()
			} else {
				api.Terminate()
			}
			select {
			case <-api.Done():
			case <-time.After(10 * time.Second):
				t.Fatalf("the api had not exited 10 s after %s; output:\n%s", sig, api.Output())
			}
			took := time.Since(start)
			t.Logf("%s: exited %v after %v", sig, api.Err(), took)
			if api.Err() != nil {
				t.Fatalf("after %s the api exited with %v; output:\n%s", sig, api.Err(), api.Output())
			}
			if took >= time.Second {
				t.Fatalf("after %s the api took %v to exit, want under a second; output:\n%s", sig, took, api.Output())
			}
		})
	}
}

// TestEmbeddedTrustsLess is `make run` reached through a local tunnel: the
// binary trusts no proxy by default, so rotating X-Forwarded-For no longer
// buys a client a fresh CREATE_RATE_LIMIT (6 of 6 creates passed a limit
// of 3 before); /metrics is on no public listener unless METRICS_ADDR
// names one; and request ids tell nothing of how many requests came.
func TestEmbeddedTrustsLess(t *testing.T) {
	bin := testenv.BuildBinaries(t)
	metricsPort := testkit.FreePort(t)
	plain := testenv.StartAPI(t, bin, map[string]string{"STORE": "embedded", "DATA_DIR": t.TempDir(), "CREATE_RATE_LIMIT": "3"})
	withMetrics := testenv.StartAPI(t, bin, map[string]string{"STORE": "embedded", "DATA_DIR": t.TempDir(),
		"METRICS_ADDR": fmt.Sprintf("127.0.0.1:%d", metricsPort)})

	t.Run("X-Forwarded-For does not reset the create limit", func(t *testing.T) {
		created := 0
		for i := range 6 {
			r := testkit.Send(nil, http.MethodPost, plain.BaseURL()+"/v1/shortlink", "application/json",
				[]byte(`{"url":"https://example.com/tunnel"}`), http.Header{"X-Forwarded-For": {fmt.Sprintf("198.51.100.%d", i+1)}})
			switch r.Status {
			case http.StatusCreated:
				created++
			case http.StatusTooManyRequests:
				testkit.ExpectError(t, r, http.StatusTooManyRequests, "rate_limited", "")
			default:
				t.Fatalf("create %d: %s", i, r)
			}
		}
		if created != 3 {
			t.Fatalf("%d of 6 creates with rotating X-Forwarded-For passed a CREATE_RATE_LIMIT of 3", created)
		}
	})

	t.Run("metrics only on METRICS_ADDR", func(t *testing.T) {
		for _, api := range []*testenv.Process{plain, withMetrics} {
			testkit.ExpectError(t, testkit.Send(nil, http.MethodGet, api.BaseURL()+"/metrics", "", nil, nil), http.StatusNotFound, "no_route", "")
		}
		r := testkit.Send(nil, http.MethodGet, fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort), "", nil, nil)
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), "shortlink_http_requests_total") {
			t.Fatalf("GET /metrics on METRICS_ADDR = %s", r)
		}
	})

	t.Run("request ids reveal no volume", func(t *testing.T) {
		hexID := regexp.MustCompile(`^[0-9a-f]{32}$`)
		var ids []string
		for range 3 {
			r := testkit.Send(nil, http.MethodGet, plain.BaseURL()+"/v1/health", "", nil, nil)
			id := r.Header.Get("X-Request-Id")
			if !hexID.MatchString(id) {
				t.Fatalf("X-Request-Id %q is not 32 hex digits", id)
			}
			ids = append(ids, id)
		}
		for i := 1; i < len(ids); i++ { // a counter behind a prefix shares it
			if ids[i][:8] == ids[i-1][:8] {
				t.Fatalf("consecutive request ids %s and %s share a prefix", ids[i-1], ids[i])
			}
		}
	})
}

// TestEmbeddedPurgeRemovesErasedTargets is the erasure attack on `make
// run`'s data file, with the real binaries: a DELETE erases the target
// from every answer at once, but its bytes stay in the file; purge
// refuses to run while the api holds the file, and once it is stopped
// compacts it, after which the target is not in it and the api serves as
// before. (Left alone, the bytes last until a later write reuses their
// page.)
func TestEmbeddedPurgeRemovesErasedTargets(t *testing.T) {
	bin := testenv.BuildBinaries(t)
	dir := t.TempDir()
	// No visit counting: its first flush also forgets old batch ids, a
	// write that may reuse the freed page before the test reads the file.
	env := map[string]string{"STORE": "embedded", "DATA_DIR": dir, "VISIT_PENDING_KEYS": "0"}
	api := testenv.StartAPI(t, bin, env)
	web := httpsuite.Env{BaseURL: api.BaseURL(), PublicBaseURL: api.BaseURL()}
	erased := "https://erase-me.example/" + testkit.RandomHex(16)
	kept := "https://keep-me.example/" + testkit.RandomHex(16)
	gone := httpsuite.CreateLink(t, web, erased)
	live := httpsuite.CreateLink(t, web, kept)
	if r := httpsuite.Send(t, web, http.MethodDelete, "/v1/shortlink/"+gone.Code, gone.Token, nil); r.Status != http.StatusNoContent {
		t.Fatalf("DELETE = %s", r)
	}
	if r := testkit.Send(nil, http.MethodGet, api.BaseURL()+"/"+gone.Code+"+", "", nil, nil); r.Status != http.StatusGone || strings.Contains(string(r.Body), erased) {
		t.Fatalf("the deleted link's preview: %s", r)
	}

	running := exec.Command(filepath.Join(bin, "purge"), "-embedded")
	running.Env = []string{"DATA_DIR=" + dir}
	if out, err := running.CombinedOutput(); err == nil || !strings.Contains(string(out), "stop the api first") {
		t.Fatalf("purge with the api running: %v\n%s", err, out)
	}
	api.Terminate()
	<-api.Done()
	file := filepath.Join(dir, "shortlink.db")
	holds := func(s string) bool {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		return bytes.Contains(b, []byte(s))
	}
	if !holds(erased) {
		t.Fatal("the erased target is not in the data file before the purge: this test cannot show the purge removes it")
	}
	out := testenv.RunBinary(t, bin, "purge", env)
	if !strings.Contains(out, "compacted "+file) || holds(erased) || !holds(kept) {
		t.Fatalf("after purge (%s): erased target in the file %v, live one %v", out, holds(erased), holds(kept))
	}

	api = testenv.StartAPI(t, bin, env)
	if r := testkit.Send(nil, http.MethodGet, api.BaseURL()+"/"+live.Code, "", nil, nil); r.Status != http.StatusFound || r.Location() != kept {
		t.Fatalf("the live link after the purge: %s", r)
	}
	if r := testkit.Send(nil, http.MethodGet, api.BaseURL()+"/"+gone.Code, "", nil, nil); r.Status != http.StatusGone {
		t.Fatalf("the deleted link after the purge: %s", r)
	}
}
