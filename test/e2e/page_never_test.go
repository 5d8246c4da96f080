//go:build e2e

package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/httpsuite"
)

// TestPageOffersNeverWhenTheServerAllows runs the page against the API in
// process behind a double that makes it a server whose MAX_TTL is never:
// the page says data-max-ttl="never", and the double answers permanent
// links as the API does, "expires_at": null. The page must offer "Never
// expires" on create and on change, send "expires_at": "never", and show a
// null expiry as never.
func TestPageOffersNeverWhenTheServerAllows(t *testing.T) {
	var d *foreverDouble
	base := serveBehindDouble(t, func(api httpsuite.Assembly, base string, next http.Handler) http.Handler {
		d = &foreverDouble{api: api.BaseURL, base: base, next: next}
		return d
	})

	p := startBrowser(t).newPage(t)
	p.open(base + "/")
	if !p.visible("never-field") {
		t.Fatal("with MAX_TTL=never the page does not offer \"Never expires\"")
	}
	p.click("never")
	if !js[bool](p, `document.getElementById("expires").disabled`) {
		t.Fatal("with \"Never expires\" ticked the date can still be set")
	}
	p.fill("url", "https://example.com/for-ever")
	p.click("create-submit")
	p.waitJS("the new short link", `!document.getElementById("result").hidden`)
	if got := d.lastBody(t, http.MethodPost); got["expires_at"] != "never" {
		t.Fatalf("the page created the link with %v, want \"expires_at\": \"never\"", got)
	}
	if got := p.text("result-expires"); got != "never" {
		t.Fatalf("the result says the link expires %q, want never", got)
	}
	if js[bool](p, `document.getElementById("never").checked || document.getElementById("expires").disabled`) {
		t.Fatal("after a create, \"Never expires\" is still ticked")
	}
	p.screenshot("never-created")

	p.click("manage-new")
	p.waitJS("the link view", `!document.getElementById("link-view").hidden`)
	if got := p.text("info-expires"); got != "never" || !js[bool](p, `document.getElementById("extend-never").checked && document.getElementById("extend-to").disabled`) {
		t.Fatalf("a permanent link's view says it expires %q, with \"Never expires\" ticked: %v", got,
			js[bool](p, `document.getElementById("extend-never").checked`))
	}
	p.click("extend-never") // untick: give it an end
	later := time.Now().Add(30 * 24 * time.Hour).Truncate(time.Minute)
	p.fill("extend-to", later.Format("2006-01-02T15:04"))
	p.click("extend")
	p.waitJS("the change", `document.getElementById("action-status").textContent !== ""`)
	if got := d.lastBody(t, http.MethodPatch); got["expires_at"] != later.UTC().Format(time.RFC3339) {
		t.Fatalf("giving the link an end sent %v, want expires_at %s", got, later.UTC().Format(time.RFC3339))
	}
	p.click("extend-never")
	p.click("extend")
	p.waitJS("the change", `document.getElementById("action-status").textContent === "The link now never expires."`)
	if got := d.lastBody(t, http.MethodPatch); got["expires_at"] != "never" {
		t.Fatalf("making the link permanent sent %v, want \"expires_at\": \"never\"", got)
	}
	p.screenshot("never-manage")
	p.expectCleanConsole()
}

// foreverDouble serves the page as a server with MAX_TTL=never would, and
// answers for the permanent link "for-ever"; everything else goes to the API.
type foreverDouble struct {
	api, base string
	next      http.Handler

	mu     sync.Mutex
	bodies map[string]map[string]any // the last JSON body by method
	ends   string                    // the link's expires_at, "" for null
}

const foreverCode = "for-ever"

func (d *foreverDouble) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/" && r.Method == http.MethodGet:
		resp, err := http.Get(d.api + "/")
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		page, _ := io.ReadAll(resp.Body)
		for _, h := range []string{"Content-Type", "Content-Security-Policy", "X-Content-Type-Options"} {
			w.Header().Set(h, resp.Header.Get(h))
		}
		_, _ = w.Write([]byte(strings.Replace(string(page), `data-max-ttl="365 days"`, `data-max-ttl="never"`, 1)))
	case r.URL.Path == "/v1/shortlink" && r.Method == http.MethodPost:
		d.record(r)
		d.answer(w, http.StatusCreated, map[string]any{"code": foreverCode, "short_url": d.base + "/" + foreverCode,
			"url": "https://example.com/for-ever", "expires_at": nil, "manage_token": "for-ever-token-0123456789abcdef"})
	case strings.HasPrefix(r.URL.Path, "/v1/shortlink/"+foreverCode):
		switch {
		case r.Method == http.MethodPatch:
			body := d.record(r)
			d.mu.Lock()
			d.ends, _ = body["expires_at"].(string)
			if d.ends == "never" {
				d.ends = ""
			}
			d.mu.Unlock()
			d.answerInfo(w)
		case strings.HasSuffix(r.URL.Path, "/info"):
			d.answerInfo(w)
		case strings.HasSuffix(r.URL.Path, "/stats"):
			now := time.Now().UTC().Format(time.RFC3339)
			d.answer(w, http.StatusOK, map[string]any{"code": foreverCode, "from": now, "to": now, "interval": r.URL.Query().Get("interval"),
				"total": 0, "humans": 0, "bots": 0, "series": []any{}, "referrers": []any{}})
		default:
			http.NotFound(w, r)
		}
	default:
		d.next.ServeHTTP(w, r)
	}
}

func (d *foreverDouble) answerInfo(w http.ResponseWriter) {
	d.mu.Lock()
	var ends any
	if d.ends != "" {
		ends = d.ends
	}
	d.mu.Unlock()
	d.answer(w, http.StatusOK, map[string]any{"code": foreverCode, "short_url": d.base + "/" + foreverCode,
		"url": "https://example.com/for-ever", "created_at": time.Now().UTC().Format(time.RFC3339), "expires_at": ends, "state": "active"})
}

func (d *foreverDouble) record(r *http.Request) map[string]any {
	var body map[string]any
	_ = json.NewDecoder(r.Body).Decode(&body)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.bodies == nil {
		d.bodies = map[string]map[string]any{}
	}
	d.bodies[r.Method] = body
	return body
}

func (d *foreverDouble) answer(w http.ResponseWriter, status int, data map[string]any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"status": status, "data": data})
}

func (d *foreverDouble) lastBody(t *testing.T, method string) map[string]any {
	t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	body, ok := d.bodies[method]
	if !ok {
		t.Fatalf("the page sent no %s", method)
	}
	return body
}
