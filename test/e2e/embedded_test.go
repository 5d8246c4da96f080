//go:build e2e

package e2e

import (
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// TestEmbeddedServesThePage: `make run` (api -embedded) serves the page at
// / and its assets, as the api behind nginx does (TestBrowser).
func TestEmbeddedServesThePage(t *testing.T) {
	base := fmt.Sprintf("http://127.0.0.1:%d", startEmbedded(t))
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
