package domain_test

import (
	"testing"

	"github.com/shortlink/shortlink/domain"
)

// TestImportRowReadsTheDomainColumn: the domain column an export writes
// (empty on the default domain) is read back, trimmed, in any position
// and spelling of its name; without one every row is on the default
// domain.
func TestImportRowReadsTheDomainColumn(t *testing.T) {
	t.Parallel()
	export := []string{"code", "short_url", "url", "title", "tags", "created_at", "expires_at", "state", "visits", "domain"}
	l, err := domain.ParseImportHeader(export)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		record     []string
		code, host string
	}{
		{[]string{"promo", "https://exa.mp/promo", "https://example.com/a", "", "", "", "", "active", "0", " exa.mp "}, "promo", "exa.mp"},
		{[]string{"promo", "https://sho.rt/promo", "https://example.com/b", "", "", "", "", "active", "0", ""}, "promo", ""},
		{[]string{"short", "https://sho.rt/short", "https://example.com/c"}, "short", ""}, // a row cut short
	} {
		row := l.Row(2, c.record)
		if row.Code != c.code || row.Domain != c.host {
			t.Errorf("Row(%q) = code %q domain %q, want %q %q", c.record, row.Code, row.Domain, c.code, c.host)
		}
	}
	l, err = domain.ParseImportHeader([]string{"Domain", "Long URL", "Alias"})
	if err != nil {
		t.Fatal(err)
	}
	if row := l.Row(2, []string{"go.example.com", "https://example.com/x", "x"}); row.Domain != "go.example.com" || row.URL != "https://example.com/x" || row.Code != "x" {
		t.Errorf("Row = %+v, want domain go.example.com", row)
	}
	l, err = domain.ParseImportHeader([]string{"url", "alias"})
	if err != nil {
		t.Fatal(err)
	}
	if row := l.Row(2, []string{"https://example.com/y", "y"}); row.Domain != "" {
		t.Errorf("Row without a domain column = %+v, want the default domain", row)
	}
}
