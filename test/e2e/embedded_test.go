//go:build e2e

package e2e

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

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
