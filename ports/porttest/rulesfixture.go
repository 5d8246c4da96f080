package porttest

import (
	"testing"

	"github.com/shortlink/shortlink/domain"
)

// SampleRules are three redirect rules, one of each kind of condition, as a
// create would have checked them.
func SampleRules(t testing.TB) *domain.Rules {
	t.Helper()
	specs, err := domain.ParseRulesJSON([]byte(`[
		{"when":{"os":["ios"]},"url":"https://apps.apple.com/app/id1"},
		{"when":{"device":["mobile","tablet"],"os":["android"]},"url":"https://play.google.com/store/apps/details?id=x"},
		{"when":{"language":["fr"],"country":["FR","BE"],"query":{"ref":"a \"b\""}},"url":"https://example.com/fr"}
	]`), "rules")
	if err != nil {
		t.Fatal(err)
	}
	return domain.RestoreRules(specs)
}

// expectRules fails unless got are the rules want.
func expectRules(t *testing.T, what string, got, want *domain.Rules) {
	t.Helper()
	if !domain.SameRules(got, want) {
		t.Errorf("%s: rules %s, want %s", what, domain.RulesJSON(got), domain.RulesJSON(want))
	}
}

// withoutRules is r with its rules left out, for cmp (rules compare with
// expectRules).
func withoutRules(r domain.LinkRecord) domain.LinkRecord {
	r.Rules = nil
	return r
}
