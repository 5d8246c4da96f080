package httpsuite

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/testkit"
)

// The user agents the rules cases send.
const (
	UAiPhone  = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
	UAAndroid = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
	UADesktop = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
	UABot     = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
)

// Addresses the geo database places (the embedded one, as visits use it).
const (
	AddrDE = "193.99.144.80"
	AddrJP = "133.242.0.1"
	AddrUS = "8.8.8.8"
)

// SampleRules are the rules the suite's links carry: iPhones to the App
// Store, Android phones and tablets to Google Play, French speakers to the
// French page, Germany and Japan to their page, and ?ref=qr to the QR page.
var SampleRules = []map[string]any{
	{"when": map[string]any{"os": []string{"ios"}}, "url": "https://apps.apple.com/app/id1"},
	{"when": map[string]any{"os": []string{"android"}, "device": []string{"mobile", "tablet"}}, "url": "https://play.google.com/store/apps/details?id=x"},
	{"when": map[string]any{"language": []string{"fr"}}, "url": "https://example.com/fr"},
	{"when": map[string]any{"country": []string{"DE", "JP"}}, "url": "https://example.com/de-jp"},
	{"when": map[string]any{"query": map[string]string{"ref": "qr"}}, "url": "https://example.com/qr"},
}

// RuleVisit is one request of a visitor: its headers and query.
type RuleVisit struct {
	Name, UserAgent, AcceptLanguage, ForwardedFor, Query string
}

// Header is v's request headers.
func (v RuleVisit) Header() http.Header {
	h := http.Header{}
	if v.UserAgent != "" {
		h.Set("User-Agent", v.UserAgent)
	}
	if v.AcceptLanguage != "" {
		h.Set("Accept-Language", v.AcceptLanguage)
	}
	if v.ForwardedFor != "" {
		h.Set("X-Forwarded-For", v.ForwardedFor)
	}
	return h
}

// SampleRuleVisits are visitors of a link with SampleRules and the rule
// each must meet ("" for the link's own URL), in the rule dimension's words.
var SampleRuleVisits = []struct {
	Visit RuleVisit
	Rule  string
}{
	{RuleVisit{Name: "iPhone", UserAgent: UAiPhone}, "1"},
	{RuleVisit{Name: "iPhone in French in Germany: the first rule wins", UserAgent: UAiPhone, AcceptLanguage: "fr-CH, en;q=0.5", ForwardedFor: AddrDE}, "1"},
	{RuleVisit{Name: "Android phone", UserAgent: UAAndroid}, "2"},
	{RuleVisit{Name: "desktop preferring Swiss French", UserAgent: UADesktop, AcceptLanguage: "fr-CH, en;q=0.5"}, "3"},
	{RuleVisit{Name: "desktop preferring English over French", UserAgent: UADesktop, AcceptLanguage: "fr;q=0.4, en;q=0.9"}, "none"},
	{RuleVisit{Name: "desktop in Germany", UserAgent: UADesktop, ForwardedFor: AddrDE}, "4"},
	{RuleVisit{Name: "desktop in Japan", UserAgent: UADesktop, AcceptLanguage: "ja", ForwardedFor: AddrJP}, "4"},
	{RuleVisit{Name: "desktop in the US", UserAgent: UADesktop, AcceptLanguage: "en-US,en;q=0.9", ForwardedFor: AddrUS}, "none"},
	{RuleVisit{Name: "desktop with ?ref=qr", UserAgent: UADesktop, Query: "ref=qr&utm_source=poster"}, "5"},
	{RuleVisit{Name: "desktop with ?ref=other", UserAgent: UADesktop, Query: "ref=other"}, "none"},
	{RuleVisit{Name: "a bot", UserAgent: UABot, ForwardedFor: AddrUS}, "none"},
	{RuleVisit{Name: "no user agent", ForwardedFor: AddrUS}, "none"},
}

// ruleTarget is where a visitor that meets rule (SampleRuleVisits' words)
// goes from a link to target.
func ruleTarget(target, rule string) string {
	if rule == "none" {
		return target
	}
	return SampleRules[int(rule[0]-'1')]["url"].(string)
}

// runRules checks redirect rules (SPEC §15) on every assembly: each
// visitor goes where the first rule it meets says, with the query
// forwarded to that target; the rules are checked like a link's URL; only
// an admin key replaces them; public info and the preview name every host
// in words; a protected link shows them only once unlocked. The API must
// have the feature enabled (embedded mode, or the contract step run) and
// trust the loopback proxy's X-Forwarded-For (the default).
func runRules(t *testing.T, newEnv func(t *testing.T) Env) {
	t.Helper()
	RunRules(t, newEnv)
}

// RunRules is runRules on its own, for assemblies that run no more of the suite.
func RunRules(t *testing.T, newEnv func(t *testing.T) Env) {
	t.Helper()
	t.Run("rules send each visitor to the target of the first rule it meets", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		const target = "https://example.com/everyone-else"
		r := MustCreate(t, env, map[string]any{"url": target, "rules": SampleRules})
		if rules, _ := r.Envelope.Data["rules"].([]any); len(rules) != len(SampleRules) {
			t.Errorf("create answers rules %v, want the %d sent", r.Envelope.Data["rules"], len(SampleRules))
		}
		code := r.Field("code")
		for _, v := range SampleRuleVisits {
			want := ruleTarget(target, v.Rule)
			for _, path := range []string{"/" + code, "/v1/shortlink/" + code} {
				url := env.BaseURL + path
				if v.Visit.Query != "" {
					url += "?" + v.Visit.Query
				}
				for _, method := range []string{http.MethodGet, http.MethodHead} {
					got := testkit.Send(nil, method, url, "", nil, v.Visit.Header())
					if got.Status != http.StatusFound || got.Header.Get("Location") != want {
						t.Errorf("%s: %s %s = %d, Location %q; want 302 to %s", v.Visit.Name, method, path, got.Status, got.Header.Get("Location"), want)
					}
				}
			}
		}
	})

	t.Run("forward_query applies to the target the rules chose", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		code := MustCreate(t, env, map[string]any{"url": "https://example.com/plain?a=1", "forward_query": true, "rules": SampleRules}).Field("code")
		for _, tc := range []struct{ ua, query, want string }{
			{UAiPhone, "utm_source=x", "https://apps.apple.com/app/id1?utm_source=x"},
			{UAAndroid, "id=override&b=2", "https://play.google.com/store/apps/details?id=x&b=2"},
			{UADesktop, "ref=qr", "https://example.com/qr?ref=qr"},
			{UADesktop, "b=2", "https://example.com/plain?a=1&b=2"},
		} {
			got := testkit.Send(nil, http.MethodGet, env.BaseURL+"/"+code+"?"+tc.query, "", nil, http.Header{"User-Agent": {tc.ua}})
			if got.Header.Get("Location") != tc.want {
				t.Errorf("?%s as %.30s…: Location %q, want %q", tc.query, tc.ua, got.Header.Get("Location"), tc.want)
			}
		}
	})

	t.Run("rules are checked like a link's URL and named by field", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		rule := func(when map[string]any, url string) []map[string]any {
			return []map[string]any{{"when": map[string]any{"os": []string{"ios"}}, "url": "https://example.com/ok"}, {"when": when, "url": url}}
		}
		for _, tc := range []struct {
			name          string
			rules         any
			reason, field string
		}{
			{"not an array", map[string]any{"os": "ios"}, "invalid_rules", "rules"},
			{"an unknown os", rule(map[string]any{"os": []string{"beos"}}, "https://example.com/"), "invalid_rules", "rules[1].when.os[0]"},
			{"an unknown condition", rule(map[string]any{"browser": []string{"chrome"}}, "https://example.com/"), "invalid_rules", "rules[1].when.browser"},
			{"no condition", rule(map[string]any{}, "https://example.com/"), "invalid_rules", "rules[1].when"},
			{"a bad country", rule(map[string]any{"country": []string{"Germany"}}, "https://example.com/"), "invalid_rules", "rules[1].when.country[0]"},
			{"a URL that is not http", rule(map[string]any{"device": []string{"mobile"}}, "ftp://example.com/"), "invalid_url", "rules[1].url"},
			{"the service's own host", rule(map[string]any{"device": []string{"mobile"}}, env.PublicBaseURL+"/loop"), "own_host", "rules[1].url"},
			{"a URL too long", rule(map[string]any{"device": []string{"mobile"}}, "https://example.com/"+strings.Repeat("x", 4096)), "url_too_long", "rules[1].url"},
			{"eleven rules", func() []map[string]any {
				var many []map[string]any
				for range 11 {
					many = append(many, SampleRules[0])
				}
				return many
			}(), "invalid_rules", "rules"},
		} {
			r := Create(t, env, map[string]any{"url": "https://example.com/", "rules": tc.rules})
			if r.Status != http.StatusBadRequest || r.Field("reason") != tc.reason || r.Field("field") != tc.field {
				t.Errorf("%s: %s; want 400 %s on %s", tc.name, r, tc.reason, tc.field)
			}
		}
	})

	t.Run("only an admin key replaces the rules, and [] clears them", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		created := MustCreate(t, env, map[string]any{"url": "https://example.com/fixed", "rules": SampleRules[:1]})
		code, token := created.Field("code"), created.Field("manage_token")
		path := "/v1/shortlink/" + code
		iPhone := func() string {
			return testkit.Send(nil, http.MethodGet, env.BaseURL+"/"+code, "", nil, http.Header{"User-Agent": {UAiPhone}}).Header.Get("Location")
		}
		if got := iPhone(); got != "https://apps.apple.com/app/id1" {
			t.Fatalf("an iPhone goes to %q, want the App Store", got)
		}
		elsewhere := []map[string]any{{"when": map[string]any{"os": []string{"ios"}}, "url": "https://example.com/elsewhere"}}
		testkit.ExpectError(t, Send(t, env, http.MethodPatch, path, token, map[string]any{"rules": elsewhere}), http.StatusForbidden, "rules_admin_only", "")
		testkit.ExpectError(t, Send(t, env, http.MethodPatch, path, token, map[string]any{"rules": []any{}}), http.StatusForbidden, "rules_admin_only", "")
		if got := iPhone(); got != "https://apps.apple.com/app/id1" {
			t.Fatalf("after the owner's refused PATCH an iPhone goes to %q", got)
		}
		testkit.ExpectError(t, Send(t, env, http.MethodPatch, path, AdminKey, map[string]any{"rules": []map[string]any{{"when": map[string]any{}, "url": "https://example.com/"}}}),
			http.StatusBadRequest, "invalid_rules", "rules[0].when")
		if r := Send(t, env, http.MethodPatch, path, AdminKey, map[string]any{"rules": elsewhere}); r.Status != http.StatusOK {
			t.Fatalf("the admin's PATCH = %s, want 200", r)
		}
		awaitLocation(t, env, code, UAiPhone, "https://example.com/elsewhere")
		if r := Send(t, env, http.MethodPatch, path, AdminKey, map[string]any{"rules": []any{}}); r.Status != http.StatusOK || r.Envelope.Data["rules"] != nil {
			t.Fatalf("the admin's PATCH [] = %s, want 200 without rules", r)
		}
		awaitLocation(t, env, code, UAiPhone, "https://example.com/fixed")
	})

	t.Run("public info and the preview name every target in words", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		code := MustCreate(t, env, map[string]any{"url": "https://example.com/info", "rules": SampleRules}).Field("code")
		info := Get(t, env.BaseURL+"/v1/shortlink/"+code+"/info")
		targets, _ := info.Envelope.Data["targets"].([]any)
		if info.Status != http.StatusOK || len(targets) != len(SampleRules) {
			t.Fatalf("public info = %s; want every rule's target", info)
		}
		first, _ := targets[0].(map[string]any)
		if first["host"] != "apps.apple.com" || !strings.Contains(first["when"].(string), "iOS") {
			t.Errorf("the first target = %v; want apps.apple.com for iOS", first)
		}
		page := sendAccept(t, env, http.MethodGet, "/"+code+"+", BrowserAccept)
		for _, want := range []string{"apple.com", "google.com", "iOS (iPhone, iPad)", "Android", "whose browser prefers the language fr", "in DE or JP", "?ref=qr", "https://example.com/qr"} {
			if !strings.Contains(string(page.Body), want) {
				t.Errorf("the preview does not say %q", want)
			}
		}
	})

	t.Run("a protected link shows its rules only once unlocked", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		code := MustCreate(t, env, map[string]any{"url": "https://example.com/locked", "password": Password, "rules": SampleRules}).Field("code")
		info := Get(t, env.BaseURL+"/v1/shortlink/"+code+"/info")
		if info.Envelope.Data["rules"] != nil || info.Envelope.Data["targets"] != nil || strings.Contains(string(info.Body), "apple.com") {
			t.Errorf("public info of a protected link shows its rules: %s", info)
		}
		if page := sendAccept(t, env, http.MethodGet, "/"+code+"+", BrowserAccept); strings.Contains(string(page.Body), "apple.com") {
			t.Errorf("the preview of a protected link shows its rules")
		}
		unlocked := testkit.Send(nil, http.MethodPost, env.BaseURL+"/v1/shortlink/"+code+"/unlock", "application/json",
			[]byte(`{"password":"`+Password+`"}`), http.Header{"User-Agent": {UAiPhone}})
		if unlocked.Status != http.StatusOK || unlocked.Field("url") != "https://apps.apple.com/app/id1" || unlocked.Envelope.Data["targets"] == nil {
			t.Errorf("unlock as an iPhone = %s; want the App Store and the rules", unlocked)
		}
	})
}

// awaitLocation waits, at most Settle, until the link code sends a
// visitor with user agent ua to want, and fails if it never does.
func awaitLocation(t testing.TB, env Env, code, ua, want string) {
	t.Helper()
	deadline := time.Now().Add(Settle)
	for {
		got := testkit.Send(nil, http.MethodGet, env.BaseURL+"/"+code, "", nil, http.Header{"User-Agent": {ua}}).Header.Get("Location")
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the link still sends %.30s… to %q, want %q", ua, got, want)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
