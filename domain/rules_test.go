package domain_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/shortlink/shortlink/domain"
)

var rulePolicy = domain.URLPolicy{MaxLength: 200, PublicHost: "sho.rt", DeniedHosts: []string{"evil.example"}}

func mustRules(t *testing.T, raw string) *domain.Rules {
	t.Helper()
	specs, err := domain.ParseRulesJSON([]byte(raw), "rules")
	if err != nil {
		t.Fatalf("ParseRulesJSON(%s): %v", raw, err)
	}
	rs, err := domain.ParseRules(specs, rulePolicy)
	if err != nil {
		t.Fatalf("ParseRules(%s): %v", raw, err)
	}
	return rs
}

var (
	iPhone  = domain.UserAgent{Device: domain.DeviceMobile, Browser: "Safari", OS: "iOS"}
	iPad    = domain.UserAgent{Device: domain.DeviceTablet, Browser: "Safari", OS: "iOS"}
	android = domain.UserAgent{Device: domain.DeviceMobile, Browser: "Chrome", OS: "Android"}
	desktop = domain.UserAgent{Device: domain.DeviceDesktop, Browser: "Firefox", OS: "Linux"}
	mac     = domain.UserAgent{Device: domain.DeviceDesktop, Browser: "Safari", OS: "MacOS"}
	bot     = domain.UserAgent{Bot: true, Device: domain.DeviceBot, Browser: domain.ValueOther, OS: domain.ValueOther}
)

func TestRulesMatch(t *testing.T) {
	t.Parallel()
	rs := mustRules(t, `[
		{"when":{"os":["ios"]},"url":"https://apps.apple.com/app/1"},
		{"when":{"os":["android"],"device":["mobile","tablet"]},"url":"https://play.google.com/store/apps/details?id=x"},
		{"when":{"language":["fr"]},"url":"https://example.com/fr"},
		{"when":{"country":["de","AT"]},"url":"https://example.com/de"},
		{"when":{"query":{"ref":"a b","x":"1"}},"url":"https://example.com/q"},
		{"when":{"device":["desktop"],"os":["macos"]},"url":"https://example.com/mac"},
		{"when":{"os":["other"]},"url":"https://example.com/other"}
	]`)
	tests := []struct {
		name    string
		visitor domain.RuleVisitor
		want    int
	}{
		{"iPhone", domain.RuleVisitor{Agent: iPhone}, 0},
		{"iPad is iOS too", domain.RuleVisitor{Agent: iPad}, 0},
		{"Android phone", domain.RuleVisitor{Agent: android}, 1},
		{"first match wins over language", domain.RuleVisitor{Agent: iPhone, Language: "fr"}, 0},
		{"French desktop", domain.RuleVisitor{Agent: desktop, Language: "fr"}, 2},
		{"language in any case", domain.RuleVisitor{Agent: desktop, Language: "FR"}, 2},
		{"German desktop by country", domain.RuleVisitor{Agent: desktop, Country: "DE"}, 3},
		{"Austria is listed too", domain.RuleVisitor{Agent: desktop, Country: "AT"}, 3},
		{"query, escaped and in any order", domain.RuleVisitor{Agent: desktop, RawQuery: "x=1&utm=y&ref=a+b"}, 4},
		{"query %-escaped", domain.RuleVisitor{Agent: desktop, RawQuery: "r%65f=a%20b&x=1"}, 4},
		{"query needs every parameter", domain.RuleVisitor{Agent: desktop, RawQuery: "ref=a+b"}, -1},
		{"query value must be exact", domain.RuleVisitor{Agent: desktop, RawQuery: "ref=a+bc&x=1"}, -1},
		{"every condition must hold", domain.RuleVisitor{Agent: domain.UserAgent{Device: domain.DeviceMobile, OS: "MacOS"}}, -1},
		{"Mac desktop", domain.RuleVisitor{Agent: mac}, 5},
		{"desktop Linux: no rule", domain.RuleVisitor{Agent: desktop, Country: "US", Language: "en"}, -1},
		{"a bot is no device but its OS is other", domain.RuleVisitor{Agent: bot}, 6},
		{"unknown country", domain.RuleVisitor{Agent: desktop, Country: domain.CountryUnknown}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := tt.visitor
			got, url := rs.Match(&v)
			if got != tt.want {
				t.Fatalf("Match = %d (%q), want %d", got, url, tt.want)
			}
			if got >= 0 && url != rs.Specs()[got].URL {
				t.Errorf("url %q, want rule %d's %q", url, got, rs.Specs()[got].URL)
			}
		})
	}
}

func TestRulesNeeds(t *testing.T) {
	t.Parallel()
	if n := mustRules(t, `[{"when":{"query":{"a":"b"}},"url":"https://a.example/"}]`).Needs(); n != (domain.RuleNeeds{}) {
		t.Errorf("query only: needs %+v, want nothing", n)
	}
	want := domain.RuleNeeds{Agent: true, Country: true, Language: true}
	if n := mustRules(t, `[{"when":{"os":["ios"]},"url":"https://a.example/"},{"when":{"country":["FR"],"language":["fr"]},"url":"https://b.example/"}]`).Needs(); n != want {
		t.Errorf("needs %+v, want %+v", n, want)
	}
	var none *domain.Rules
	if none.Len() != 0 || none.Needs() != (domain.RuleNeeds{}) {
		t.Error("nil rules must be empty")
	}
	if i, url := none.Match(&domain.RuleVisitor{Agent: iPhone}); i != -1 || url != "" {
		t.Errorf("nil rules matched %d %q", i, url)
	}
}

func TestRulesMatchAllocatesNothing(t *testing.T) {
	rs := mustRules(t, `[{"when":{"os":["android"]},"url":"https://a.example/"},{"when":{"language":["de"],"country":["DE"]},"url":"https://b.example/"},{"when":{"query":{"k":"v w"}},"url":"https://c.example/"}]`)
	v := domain.RuleVisitor{Agent: desktop, Country: "FR", Language: "fr", RawQuery: "a=1&k=v%20w"}
	if n := testing.AllocsPerRun(100, func() {
		v.Language = domain.PreferredLanguage("fr-CH, fr;q=0.9, en;q=0.8")
		rs.Match(&v)
	}); n != 0 {
		t.Errorf("Match allocates %v times", n)
	}
}

func TestParseRulesRefuses(t *testing.T) {
	t.Parallel()
	eleven := "[" + strings.Repeat(`{"when":{"os":["ios"]},"url":"https://a.example/"},`, 10) + `{"when":{"os":["ios"]},"url":"https://a.example/"}]`
	tests := []struct {
		name, raw, field string
		reason           domain.Reason
	}{
		{"not an array", `{"when":{}}`, "rules", domain.ReasonInvalidRules},
		{"too many", eleven, "rules", domain.ReasonInvalidRules},
		{"no condition", `[{"when":{},"url":"https://a.example/"}]`, "rules[0].when", domain.ReasonInvalidRules},
		{"no when", `[{"url":"https://a.example/"}]`, "rules[0].when", domain.ReasonInvalidRules},
		{"unknown condition", `[{"when":{"browser":["chrome"]},"url":"https://a.example/"}]`, "rules[0].when.browser", domain.ReasonInvalidRules},
		{"unknown os", `[{"when":{"os":["ios"]},"url":"https://a.example/"},{"when":{"os":["ios"]},"url":"https://a.example/"},{"when":{"os":["beos"]},"url":"https://a.example/"}]`, "rules[2].when.os[0]", domain.ReasonInvalidRules},
		{"unknown device", `[{"when":{"device":["watch"]},"url":"https://a.example/"}]`, "rules[0].when.device[0]", domain.ReasonInvalidRules},
		{"bad country", `[{"when":{"country":["France"]},"url":"https://a.example/"}]`, "rules[0].when.country[0]", domain.ReasonInvalidRules},
		{"region tag as language", `[{"when":{"language":["fr-CH"]},"url":"https://a.example/"}]`, "rules[0].when.language[0]", domain.ReasonInvalidRules},
		{"a language's name", `[{"when":{"language":["French"]},"url":"https://a.example/"}]`, "rules[0].when.language[0]", domain.ReasonInvalidRules},
		{"empty list", `[{"when":{"os":[]},"url":"https://a.example/"}]`, "rules[0].when.os", domain.ReasonInvalidRules},
		{"query not an object", `[{"when":{"query":["a"]},"url":"https://a.example/"}]`, "rules[0].when.query", domain.ReasonInvalidRules},
		{"query value not a string", `[{"when":{"query":{"a":1}},"url":"https://a.example/"}]`, "rules[0].when.query.a", domain.ReasonInvalidRules},
		{"unknown member", `[{"when":{"os":["ios"]},"url":"https://a.example/","to":"x"}]`, "rules[0].to", domain.ReasonInvalidRules},
		{"no url", `[{"when":{"os":["ios"]}}]`, "rules[0].url", domain.ReasonMissingField},
		{"url not http", `[{"when":{"os":["ios"]},"url":"javascript:alert(1)"}]`, "rules[0].url", domain.ReasonInvalidURL},
		{"denied host", `[{"when":{"os":["ios"]},"url":"https://www.evil.example/x"}]`, "rules[0].url", domain.ReasonDeniedHost},
		{"own host", `[{"when":{"os":["ios"]},"url":"https://SHO.RT./x"}]`, "rules[0].url", domain.ReasonOwnHost},
		{"too long", `[{"when":{"os":["ios"]},"url":"https://a.example/` + strings.Repeat("x", 200) + `"}]`, "rules[0].url", domain.ReasonURLTooLong},
		{"user info", `[{"when":{"os":["ios"]},"url":"https://www.paypal.com@a.example/"}]`, "rules[0].url", domain.ReasonUserinfo},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			specs, err := domain.ParseRulesJSON([]byte(tt.raw), "rules")
			if err == nil {
				_, err = domain.ParseRules(specs, rulePolicy)
			}
			var v *domain.ValidationError
			if !errors.As(err, &v) {
				t.Fatalf("err = %v, want a validation error", err)
			}
			if v.Field != tt.field || v.Reason != tt.reason {
				t.Errorf("field %q reason %q (%s), want field %q reason %q", v.Field, v.Reason, v.Message, tt.field, tt.reason)
			}
			if !strings.Contains(v.Message, tt.field) {
				t.Errorf("message %q does not name %s", v.Message, tt.field)
			}
		})
	}
}

func TestRulesRoundTrip(t *testing.T) {
	t.Parallel()
	rs := mustRules(t, `[{"when":{"os":["IOS","ios"],"device":["tablet","mobile"],"country":["fr"],"language":["FR"],"query":{"z":"1","a":"\"q\""}},"url":"https://Apps.Apple.com:443/a"}]`)
	want := `[{"when":{"device":["mobile","tablet"],"os":["ios"],"country":["FR"],"language":["fr"],"query":{"a":"\"q\"","z":"1"}},"url":"https://apps.apple.com/a"}]`
	if got := string(domain.RulesJSON(rs)); got != want {
		t.Fatalf("RulesJSON = %s\nwant          %s", got, want)
	}
	specs, err := domain.ParseRulesJSON([]byte(want), "rules")
	if err != nil {
		t.Fatal(err)
	}
	if back := domain.RestoreRules(specs); !domain.SameRules(rs, back) {
		t.Errorf("restored %s", domain.RulesJSON(back))
	}
	if got := string(domain.RulesJSON(nil)); got != "[]" {
		t.Errorf("no rules: %s", got)
	}
}

func TestRulesInWords(t *testing.T) {
	t.Parallel()
	rs := mustRules(t, `[{"when":{"os":["ios"]},"url":"https://apps.apple.com/app/1"},{"when":{"device":["mobile"],"country":["FR","BE"]},"url":"https://m.example.fr/"}]`)
	got := rs.InWords()
	want := []domain.RuleInWords{
		{When: "Visitors on iOS (iPhone, iPad)", Host: "apps.apple.com", URL: "https://apps.apple.com/app/1"},
		{When: "Visitors on a phone, in FR or BE", Host: "m.example.fr", URL: "https://m.example.fr/"},
	}
	if len(got) != len(want) {
		t.Fatalf("InWords = %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("rule %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestPreferredLanguage(t *testing.T) {
	t.Parallel()
	tests := []struct{ header, want string }{
		{"", ""},
		{"fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5", "fr"},
		{"fr-CH, en;q=0.5", "fr"},
		{"en;q=0.5, de", "de"},
		{"en;q=0.5,de;q=0.9", "de"},
		{"de;q=0.8, fr;q=0.8", "de"},
		{"*", ""},
		{"*, es;q=0.1", "es"},
		{"pt_BR", "pt"},
		{"EN-us", "EN"},
		{"fr;q=0, en;q=0.001", "en"},
		{"fr;q=0", ""},
		{"fr;q=abc, it;q=0.2", "it"},
		{"  ja ; q=1.0 ", "ja"},
		{"x-klingon, i", ""},
		{"zh-Hant-TW;level=1;q=0.7, ko;q=0.6", "zh"},
	}
	for _, tt := range tests {
		if got := domain.PreferredLanguage(tt.header); got != tt.want {
			t.Errorf("PreferredLanguage(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}
