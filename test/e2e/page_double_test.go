//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
)

// TestPageDrawsFixedVisits runs the page in chromium against the API
// assembled in process, with the stats and QR routes answered by doubles
// with fixed data in the shapes of SPEC §10 and §9: the chart, its table
// and the referrer list must show exactly those numbers, whatever visits
// the real counting makes. The doubles sit in front of the API, so they
// keep working once the real routes exist.
func TestPageDrawsFixedVisits(t *testing.T) {
	var d *doubles
	base := serveBehindDouble(t, func(api httpsuite.Assembly, _ string, next http.Handler) http.Handler {
		d = &doubles{api: api, next: next}
		return d
	})

	b := startBrowser(t)
	p := b.newPage(t)
	p.open(base + "/")
	shortURL, token := createOnPage(t, p, "https://example.com/fixed", "fixed-visits")
	p.waitJS("the QR code", `(() => { const i = document.getElementById("qr");
		return !!i && i.complete && i.naturalWidth > 0 && !document.getElementById("qr-figure").hidden; })()`)
	if alt := js[string](p, `document.getElementById("qr").alt`); alt != "QR code that opens "+shortURL {
		t.Fatalf("the QR code's alt text is %q", alt)
	}

	p.click("manage-new")
	p.waitJS("the visits", `document.getElementById("stats-summary").textContent !== ""`)
	if got, want := p.text("stats-summary"), "15 visits in the last 7 days: 11 humans, 4 bots. 9 daily unique visitors."; got != want {
		t.Fatalf("summary = %q, want %q", got, want)
	}
	q := d.lastStatsQuery(t)
	today := time.Now().UTC().Truncate(24 * time.Hour)
	if q.Get("interval") != "day" || q.Get("from") != today.AddDate(0, 0, -6).Format(time.RFC3339) || !strings.HasSuffix(q.Get("to"), "Z") {
		t.Fatalf("the page asked for the visits with %v, want interval=day from the start of the UTC day 6 days ago to now", q)
	}
	if got, want := q.Get("dimensions"), "country,device,browser,os,utm_campaign,utm_source"; got != want {
		t.Fatalf("the page asked for the dimensions %q, want %q", got, want)
	}
	// Each dimension's bar list: the heading, then each value by name (a
	// country's name beside its code), its count written out and its bar's
	// length, so neither colour nor the bars carry a number alone.
	lists := js[[]string](p, `[...document.querySelectorAll("#dimensions section")].map((s) =>
		s.querySelector("h5").textContent + ": " + [...s.querySelectorAll("li")].map((e) =>
			e.textContent + " " + e.querySelector(".bar").style.width).join("; "))`)
	wantLists := []string{
		"Countries: Germany (DE)8 visits 100%; Japan (JP)4 visits 50%; Unknown (XX)3 visits 37.5%",
		"Devices: Phone9 visits 100%; Desktop4 visits 44.4%; Bot2 visits 22.2%",
		"Browsers: Safari9 visits 100%; Firefox4 visits 44.4%; Other2 visits 22.2%",
		"Operating systems: iOS9 visits 100%; Linux6 visits 66.7%",
		"Campaigns (utm_campaign): spring10 visits 100%; No campaign5 visits 50%",
		"Campaign sources (utm_source): newsletter10 visits 100%; No source5 visits 50%",
	}
	if !equal(lists, wantLists) {
		t.Fatalf("the dimension lists read\n%s\nwant\n%s", strings.Join(lists, "\n"), strings.Join(wantLists, "\n"))
	}
	p.expectAccessible("the link's visits with every dimension")

	rows := js[[][]string](p, `[...document.querySelectorAll("#stats-rows tr")].map((tr) => [...tr.cells].map((c) => c.textContent))`)
	wantRows := [][]string{}
	for i, v := range fixedDays {
		day := today.AddDate(0, 0, i-6).Format("2006-01-02") + " (UTC)"
		wantRows = append(wantRows, []string{day, fmt.Sprint(v[0]), fmt.Sprint(v[1]), fmt.Sprint(v[0] + v[1])})
	}
	if jsonString(rows) != jsonString(wantRows) {
		t.Fatalf("the visits table reads\n%v\nwant (days the API left out as zero)\n%v", rows, wantRows)
	}
	chart := js[map[string]any](p, `(() => { const svg = document.getElementById("chart-svg"); return {
		title: svg.querySelector(":scope > title").textContent,
		bars: svg.querySelectorAll("g.bar").length,
		values: [...svg.querySelectorAll("text.value")].map((e) => e.textContent),
		humans: svg.querySelectorAll("rect.humans").length,
		bots: [...svg.querySelectorAll("rect.bots")].map((e) => e.getAttribute("fill")),
		labelled: svg.getAttribute("role") + " " + svg.getAttribute("aria-labelledby"),
	}; })()`)
	wantChart := map[string]any{
		"title":    "Visits per day in the last 7 days: 15 in all, 11 humans, 4 bots",
		"bars":     float64(7),
		"values":   []any{"1", "2", "7", "1", "4"},
		"humans":   float64(4),
		"bots":     []any{"url(#stripes)", "url(#stripes)", "url(#stripes)"},
		"labelled": "img chart-title",
	}
	if jsonString(chart) != jsonString(wantChart) {
		t.Fatalf("the chart is\n%s\nwant\n%s", jsonString(chart), jsonString(wantChart))
	}
	referrers := js[[]string](p, `[...document.querySelectorAll("#referrers li")].map((e) => e.textContent + " " + e.querySelector(".bar").style.width)`)
	if want := []string{"news.example7 visits 100%", "direct (no referrer)5 visits 71.4%", "other3 visits 42.9%"}; !equal(referrers, want) {
		t.Fatalf("the referrers read %q, want %q", referrers, want)
	}
	p.screenshot("fixed-visits-7-days")

	js[chromedp.Void](p, `(() => { const s = document.getElementById("period"); s.value = "24h"; s.dispatchEvent(new Event("change")); })()`)
	p.waitJS("the hourly view", `document.getElementById("stats-summary").textContent.includes("24 hours")`)
	if got, want := p.text("stats-summary"), "3 visits in the last 24 hours: 2 humans, 1 bot. 9 daily unique visitors."; got != want {
		t.Fatalf("hourly summary = %q, want %q", got, want)
	}
	if q := d.lastStatsQuery(t); q.Get("interval") != "hour" || q.Get("from") != time.Now().UTC().Truncate(time.Hour).Add(-23*time.Hour).Format(time.RFC3339) {
		t.Fatalf("the page asked for the hourly visits with %v", q)
	}
	if n := js[int](p, `document.querySelectorAll("#stats-rows tr").length`); n != 24 {
		t.Fatalf("the hourly table has %d rows, want 24", n)
	}
	p.screenshot("fixed-visits-24-hours")
	p.expectTokenOnlyInHeaders(token)
	p.expectCleanConsole()
}

// fixedDays are the humans and bots of the last 7 days, oldest first, that
// the stats double answers; the days with none it leaves out of the series.
var fixedDays = [7][2]int{{0, 1}, {2, 0}, {0, 0}, {5, 2}, {1, 0}, {0, 0}, {3, 1}}

// doubles answers GET /v1/shortlink/{code}/stats and /qr, and passes
// everything else to the API.
// serveBehindDouble assembles the API in process (memory store, wall
// clock) and serves the handler double returns in front of it, on an
// address that is also the API's PUBLIC_BASE_URL, which it returns. The
// double gets the API, that base URL and a proxy to the API.
func serveBehindDouble(t *testing.T, double func(api httpsuite.Assembly, base string, next http.Handler) http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	store := memory.NewLinkStore()
	api := httpsuite.Assemble(t, httpsuite.Parts{
		Store: store, Counter: store, Cache: testenv.MemoryCache(t, time.Hour, 10*time.Second),
		Configure: func(cfg *config.Config) { cfg.PublicBaseURL = base },
	})
	api.Clock.FollowWallClock()
	apiURL, err := url.Parse(api.BaseURL)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(double(api, base, httputil.NewSingleHostReverseProxy(apiURL)))
	_ = srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return base
}

type doubles struct {
	api  httpsuite.Assembly
	next http.Handler

	mu    sync.Mutex
	stats []url.Values // the query of each stats request
}

// pageClient is the browser, as the miss limit sees it (off here).
type pageClient struct{}

func (pageClient) ClientKey() string { return "page" }

func (d *doubles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) != 4 || parts[0] != "v1" || parts[1] != "shortlink" || r.Method != http.MethodGet {
		d.next.ServeHTTP(w, r)
		return
	}
	code := parts[2]
	switch parts[3] {
	case "qr":
		if r.URL.Query().Get("format") != "svg" {
			http.Error(w, "the page asks for SVG", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "image/svg+xml")
		fmt.Fprint(w, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 21 21"><rect width="21" height="21" fill="#fff"/><rect x="1" y="1" width="7" height="7"/></svg>`)
	case "stats":
		auth := r.Header.Get("Authorization")
		if _, err := d.api.Manager.Authorize(r.Context(), code, strings.TrimPrefix(auth, "Bearer "), pageClient{}); err != nil || !strings.HasPrefix(auth, "Bearer ") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"status":403,"data":{"error":"these credentials do not grant this link","reason":"forbidden"}}`)
			return
		}
		d.mu.Lock()
		d.stats = append(d.stats, r.URL.Query())
		d.mu.Unlock()
		d.answerStats(w, r.URL.Query(), code)
	default:
		d.next.ServeHTTP(w, r)
	}
}

type point struct {
	Start  string `json:"start"`
	Humans int    `json:"humans"`
	Bots   int    `json:"bots"`
}

type referrer struct {
	Host   string `json:"host"`
	Visits int    `json:"visits"`
}

func (d *doubles) answerStats(w http.ResponseWriter, q url.Values, code string) {
	from, _ := time.Parse(time.RFC3339, q.Get("from"))
	var series []point
	humans, bots := 0, 0
	if q.Get("interval") == "hour" {
		last := time.Now().UTC().Truncate(time.Hour)
		series = append(series, point{Start: last.Format(time.RFC3339), Humans: 2, Bots: 1})
		humans, bots = 2, 1
	} else {
		for i, v := range fixedDays {
			if v[0]+v[1] > 0 {
				series = append(series, point{Start: from.AddDate(0, 0, i).Format(time.RFC3339), Humans: v[0], Bots: v[1]})
			}
			humans += v[0]
			bots += v[1]
		}
	}
	body, _ := json.Marshal(map[string]any{"status": 200, "data": map[string]any{
		"code": code, "from": q.Get("from"), "to": q.Get("to"), "interval": q.Get("interval"),
		"total": humans + bots, "humans": humans, "bots": bots, "series": series,
		"referrers":       []referrer{{"news.example", 7}, {"direct", 5}, {"other", 3}},
		"unique_visitors": 9, "unique_visitors_per": "day", "dimensions": fixedDimensions(q.Get("dimensions")),
	}})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(body)
}

// fixedDimensions are the top values the stats double answers for the
// dimensions asked (a comma-separated list, as the API takes it).
func fixedDimensions(asked string) map[string][]map[string]any {
	all := map[string][]map[string]any{
		"country":      {{"value": "DE", "visits": 8}, {"value": "JP", "visits": 4}, {"value": "XX", "visits": 3}},
		"device":       {{"value": "mobile", "visits": 9}, {"value": "desktop", "visits": 4}, {"value": "bot", "visits": 2}},
		"browser":      {{"value": "Safari", "visits": 9}, {"value": "Firefox", "visits": 4}, {"value": "other", "visits": 2}},
		"os":           {{"value": "iOS", "visits": 9}, {"value": "Linux", "visits": 6}},
		"utm_campaign": {{"value": "spring", "visits": 10}, {"value": "none", "visits": 5}},
		"utm_source":   {{"value": "newsletter", "visits": 10}, {"value": "none", "visits": 5}},
	}
	out := map[string][]map[string]any{}
	for _, name := range strings.Split(asked, ",") {
		if v, ok := all[name]; ok {
			out[name] = v
		}
	}
	return out
}

func (d *doubles) lastStatsQuery(t *testing.T) url.Values {
	t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.stats) == 0 {
		t.Fatal("the page never asked for the visits")
	}
	return d.stats[len(d.stats)-1]
}
