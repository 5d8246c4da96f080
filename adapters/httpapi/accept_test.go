package httpapi

import "testing"

func TestPrefersHTML(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		accept []string
		want   bool
	}{
		{"no Accept", nil, false},
		{"empty", []string{""}, false},
		{"anything", []string{"*/*"}, false},
		{"JSON", []string{"application/json"}, false},
		{"Chromium's navigation", []string{"text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"}, true},
		{"Firefox's navigation", []string{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}, true},
		{"Safari's navigation", []string{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}, true},
		{"the page's fetch", []string{"application/json"}, false},
		{"HTML", []string{"text/html"}, true},
		{"HTML, upper case, spaces", []string{" TEXT/HTML ; Q=1 "}, true},
		{"both at q=1: a tie keeps JSON", []string{"text/html, application/json"}, false},
		{"JSON first, both at q=1", []string{"application/json, text/html"}, false},
		{"HTML weighed lower", []string{"text/html;q=0.5, application/json"}, false},
		{"JSON weighed lower", []string{"application/json;q=0.5, text/html"}, true},
		{"JSON only through */*", []string{"text/html, */*;q=0.1"}, true},
		{"text/* beats */*", []string{"text/*, */*;q=0.5"}, true},
		{"the specific range decides, not the wildcard", []string{"text/*;q=0.9, text/html;q=0.1, application/*;q=0.5"}, false},
		{"HTML refused", []string{"text/html;q=0, */*"}, false},
		{"values over several header lines", []string{"application/json;q=0.2", "text/html"}, true},
		{"a malformed q counts for nothing", []string{"text/html;q=2, application/json;q=0.1"}, false},
		{"q with too many decimals", []string{"text/html;q=0.1234, application/json;q=0.1"}, false},
		{"q of 1.000", []string{"text/html;q=1.000, application/json;q=0.999"}, true},
		{"q of 0.", []string{"application/json;q=0., text/html;q=0.001"}, true},
		{"other parameters ignored", []string{"text/html;level=1;q=0.9, application/json;q=0.8"}, true},
		{"no subtype", []string{"text, application/json;q=0.1"}, false},
		{"garbage", []string{",,;;=,/,*/,/*"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := prefersHTML(tc.accept); got != tc.want {
				t.Fatalf("prefersHTML(%q) = %v, want %v", tc.accept, got, tc.want)
			}
		})
	}
}

// TestPrefersHTMLDoesNotAllocate: it runs on every error answer of the
// redirect route.
func TestPrefersHTMLDoesNotAllocate(t *testing.T) {
	accept := []string{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
	if n := testing.AllocsPerRun(100, func() { prefersHTML(accept) }); n != 0 {
		t.Fatalf("prefersHTML allocates %.0f times per call", n)
	}
}

func FuzzPrefersHTML(f *testing.F) {
	for _, s := range []string{"", "*/*", "text/html", "text/html;q=0.5, application/json", "a/b;q=1.;q=0", ";;,,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, accept string) {
		html := prefersHTML([]string{accept})
		// Adding a JSON range at full weight as specific as any can only
		// keep or win JSON's place.
		if prefersHTML([]string{"application/json", accept}) && !html {
			t.Fatalf("adding application/json to %q made HTML preferred", accept)
		}
	})
}
