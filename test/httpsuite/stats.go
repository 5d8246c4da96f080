package httpsuite

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/testkit"
)

// RunStats checks visit counting and GET /v1/shortlink/{code}/stats
// against servers made by newEnv, which must accept adminKey as an
// ADMIN_KEYS entry and flush visits within a few seconds (the default
// VISIT_FLUSH_INTERVAL is 1 s).
func RunStats(t *testing.T, newEnv func(t *testing.T) Env, adminKey string) {
	t.Helper()

	t.Run("stats need the owner's token or an admin key", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		mine := MustCreate(t, env, map[string]any{"url": "https://example.com/mine"})
		other := MustCreate(t, env, map[string]any{"url": "https://example.com/other"})
		code, token := mine.Field("code"), mine.Field("manage_token")
		for _, tc := range []struct {
			name, code, bearer, query string
			status                    int
			reason, field             string
		}{
			{"no credentials", code, "", "", http.StatusUnauthorized, "unauthorized", ""},
			{"another link's token", code, other.Field("manage_token"), "", http.StatusForbidden, "forbidden", ""},
			{"a made-up token", code, "not-a-token-of-anything", "", http.StatusForbidden, "forbidden", ""},
			{"the owner's token", code, token, "", http.StatusOK, "", ""},
			{"an admin key", code, adminKey, "", http.StatusOK, "", ""},
			{"unknown code, before credentials", "NoSuch42", "", "", http.StatusNotFound, "not_found", ""},
			{"unknown code with a token", "NoSuch42", token, "", http.StatusNotFound, "not_found", ""},
			{"invalid code", "bad_code", token, "", http.StatusBadRequest, "invalid_code", "code"},
			{"credentials before the query", code, "", "interval=week", http.StatusUnauthorized, "unauthorized", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, r := testkit.GetStats(nil, env.BaseURL, tc.code, tc.bearer, tc.query)
				if tc.status == http.StatusOK {
					testkit.ExpectStatus(t, r, http.StatusOK, "")
					return
				}
				testkit.ExpectError(t, r, tc.status, tc.reason, tc.field)
			})
		}
	})

	t.Run("stats check from, to and interval", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		created := MustCreate(t, env, map[string]any{"url": "https://example.com/window"})
		code, token := created.Field("code"), created.Field("manage_token")
		for _, tc := range []struct{ query, reason, field string }{
			{"interval=week", "invalid_interval", "interval"},
			{"from=yesterday", "invalid_window", "from"},
			{"to=2026-01-01", "invalid_window", "to"},
			{"from=2026-01-01T00:00:00", "invalid_window", "from"},
			{"from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "invalid_window", "from"},
			{"from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "invalid_window", "to"},
			{"from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z&interval=hour", "invalid_interval", "interval"},
		} {
			t.Run(tc.query, func(t *testing.T) {
				_, r := testkit.GetStats(nil, env.BaseURL, code, token, tc.query)
				testkit.ExpectError(t, r, http.StatusBadRequest, tc.reason, tc.field)
			})
		}
	})

	t.Run("redirects are counted: humans, bots, referrer hosts, empty buckets as zeros", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		created := MustCreate(t, env, map[string]any{"url": "https://example.com/counted"})
		code, token := created.Field("code"), created.Field("manage_token")
		visits := testkit.MixedVisits(60)
		for i, v := range visits {
			path := "/" + code
			if i%2 == 1 {
				path = "/v1/shortlink/" + code
			}
			if r := testkit.SendVisit(nil, env.BaseURL+path, v); r.Status != http.StatusFound {
				t.Fatalf("visit %d: %s", i, r)
			}
		}
		// Not redirects, so not visits: the preview page and refused codes.
		testkit.Get(t, env.BaseURL+"/"+code+"+")
		testkit.Get(t, env.BaseURL+"/NoSuchCode")
		humans, bots, refs := testkit.Tally(visits)
		stats := WaitForVisits(t, env.BaseURL, code, token, "", humans+bots)
		if stats.Humans != humans || stats.Bots != bots || stats.Code != code || stats.Interval != "day" {
			t.Fatalf("stats = %+v; want %d humans and %d bots of %s by day", stats, humans, bots, code)
		}
		if fmt.Sprint(stats.Referrers) != fmt.Sprint(refs) {
			t.Fatalf("referrers = %v, want %v (hosts only, most visits first)", stats.Referrers, refs)
		}
		if len(stats.Series) != 7 || stats.Series[6].Humans+stats.Series[6].Bots != humans+bots {
			t.Fatalf("daily series = %+v; want 7 days, today's holding every visit", stats.Series)
		}
		for _, b := range stats.Series[:6] {
			if b.Humans != 0 || b.Bots != 0 {
				t.Fatalf("an earlier day has visits: %+v", stats.Series)
			}
		}
		from, err1 := time.Parse(time.RFC3339, stats.From)
		to, err2 := time.Parse(time.RFC3339, stats.To)
		if err1 != nil || err2 != nil || to.Sub(from) != 7*24*time.Hour || to.Hour() != 0 || !strings.HasSuffix(stats.To, "Z") {
			t.Fatalf("window %s – %s; want 7 whole days in UTC", stats.From, stats.To)
		}
		hourly, r := testkit.GetStats(nil, env.BaseURL, code, adminKey, "interval=hour")
		if r.Status != http.StatusOK || len(hourly.Series) != 7*24 || hourly.Total != humans+bots {
			t.Fatalf("hourly stats: %s; %d buckets, total %d; want 168 buckets and %d visits", r, len(hourly.Series), hourly.Total, humans+bots)
		}
	})

	t.Run("a link with rules counts which rule served each visit", func(t *testing.T) {
		t.Parallel()
		aLinkWithRulesCountsWhichRuleServed(t, newEnv(t))
	})

	t.Run("a protected link's visit counts after the password", func(t *testing.T) {
		t.Parallel()
		aProtectedLinkCountsAfterThePassword(t, newEnv(t))
	})

	t.Run("stats stay readable once the link is disabled or deleted", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		created := MustCreate(t, env, map[string]any{"url": "https://example.com/kept"})
		code, token := created.Field("code"), created.Field("manage_token")
		for range 3 {
			testkit.ExpectRedirect(t, env.BaseURL+"/"+code, "https://example.com/kept")
		}
		WaitForVisits(t, env.BaseURL, code, token, "", 3)
		auth := http.Header{"Authorization": {"Bearer " + token}}
		if r := testkit.Send(nil, http.MethodPatch, env.BaseURL+"/v1/shortlink/"+code, "application/json", []byte(`{"disabled":true}`), auth); r.Status != http.StatusOK {
			t.Fatalf("disable: %s", r)
		}
		if stats, r := testkit.GetStats(nil, env.BaseURL, code, token, ""); r.Status != http.StatusOK || stats.Total != 3 {
			t.Fatalf("stats of a disabled link: %s", r)
		}
		if r := testkit.Send(nil, http.MethodDelete, env.BaseURL+"/v1/shortlink/"+code, "", nil, auth); r.Status != http.StatusNoContent {
			t.Fatalf("delete: %s", r)
		}
		if stats, r := testkit.GetStats(nil, env.BaseURL, code, adminKey, ""); r.Status != http.StatusOK || stats.Total != 3 {
			t.Fatalf("stats of a deleted link: %s", r)
		}
	})
}

// aProtectedLinkCountsAfterThePassword: asking for a protected link, or
// a wrong password, is no visit; the right one, by the form or the unlock
// route, is one each. Where the API has attempt limits these stay within
// them (three attempts).
func aProtectedLinkCountsAfterThePassword(t *testing.T, env Env) {
	r := MustCreate(t, env, map[string]any{"url": "https://example.com/counted", "password": Password})
	code, token := r.Field("code"), r.Field("manage_token")
	Send(t, env, http.MethodGet, "/"+code, "", nil)
	sendAccept(t, env, http.MethodGet, "/"+code, BrowserAccept)
	Send(t, env, http.MethodPost, "/v1/shortlink/"+code+"/unlock", "", map[string]any{"password": "not the password"})
	if r := Send(t, env, http.MethodPost, "/v1/shortlink/"+code+"/unlock", "", map[string]any{"password": Password}); r.Status != http.StatusOK {
		t.Fatalf("unlock: %s", r)
	}
	form := testkit.Send(nil, http.MethodPost, env.BaseURL+"/"+code, "application/x-www-form-urlencoded",
		[]byte("password="+strings.ReplaceAll(Password, " ", "+")), http.Header{"Accept": {BrowserAccept}})
	if form.Status != http.StatusSeeOther {
		t.Fatalf("the form: %s", form)
	}
	WaitForVisits(t, env.BaseURL, code, token, "", 2)
}

// WaitForVisits polls a link's stats (query as GetStats) until they show
// total visits, for up to 10 s, and fails the test if they never do, or
// show more.
func WaitForVisits(t testing.TB, baseURL, code, bearer, query string, total int64) testkit.Stats {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		stats, r := testkit.GetStats(nil, baseURL, code, bearer, query)
		if r.Err != nil || r.Status != http.StatusOK {
			t.Fatalf("stats of %s: %s", code, r)
		}
		if stats.Total > total {
			t.Fatalf("stats of %s show %d visits, more than the %d made", code, stats.Total, total)
		}
		if stats.Total == total {
			return stats
		}
		if time.Now().After(deadline) {
			t.Fatalf("stats of %s show %d visits after 10 s, want %d", code, stats.Total, total)
		}
	}
}

// aLinkWithRulesCountsWhichRuleServed: every visit of a link with rules is
// counted under the rule that served it ("1" for the first) or "none",
// whatever VISIT_DIMENSIONS says.
func aLinkWithRulesCountsWhichRuleServed(t *testing.T, env Env) {
	created := MustCreate(t, env, map[string]any{"url": "https://example.com/ruled", "rules": SampleRules})
	code, token := created.Field("code"), created.Field("manage_token")
	want := map[string]int64{}
	for _, v := range SampleRuleVisits {
		url := env.BaseURL + "/" + code
		if v.Visit.Query != "" {
			url += "?" + v.Visit.Query
		}
		if r := testkit.Send(nil, http.MethodGet, url, "", nil, v.Visit.Header()); r.Status != http.StatusFound {
			t.Fatalf("%s: %s", v.Visit.Name, r)
		}
		want[v.Rule]++
	}
	stats := WaitForVisits(t, env.BaseURL, code, token, "dimensions=rule", int64(len(SampleRuleVisits)))
	if got := stats.Dimension("rule"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("visits by rule = %v, want %v", got, want)
	}
}
