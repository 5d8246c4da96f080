package domain_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/shortlink/shortlink/domain"
)

func TestForwardedURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, target, query string
		max                 int
		want                string
		ok                  bool
	}{
		{"no query", "https://example.com/a", "", 4096, "https://example.com/a", true},
		{"appended", "https://example.com/a", "utm_source=x&utm_medium=y", 4096, "https://example.com/a?utm_source=x&utm_medium=y", true},
		{"after the target's own", "https://example.com/a?id=7", "utm_source=x", 4096, "https://example.com/a?id=7&utm_source=x", true},
		{"never overriding", "https://example.com/a?id=7&ref=me", "id=8&x=1&ref=you", 4096, "https://example.com/a?id=7&ref=me&x=1", true},
		{"overriding not even escaped", "https://example.com/a?id=7", "%69d=8", 4096, "https://example.com/a?id=7", true},
		{"before the fragment", "https://example.com/a?b=1#top", "c=2", 4096, "https://example.com/a?b=1&c=2#top", true},
		{"fragment without query", "https://example.com/a#top", "c=2", 4096, "https://example.com/a?c=2#top", true},
		{"target ending in ?", "https://example.com/a?", "c=2", 4096, "https://example.com/a?c=2", true},
		{"target ending in &", "https://example.com/a?b=1&", "c=2", 4096, "https://example.com/a?b=1&c=2", true},
		{"empty parameters dropped", "https://example.com/a", "&&c=2&", 4096, "https://example.com/a?c=2", true},
		{"only overridden ones", "https://example.com/a?c=1", "c=2", 4096, "https://example.com/a?c=1", true},
		{"escapes kept", "https://example.com/", "q=a%20b+c", 4096, "https://example.com/?q=a%20b+c", true},
		{"unsafe bytes escaped", "https://example.com/", "q=\r\nSet-Cookie: x=1#<\">\\é%zz", 4096,
			"https://example.com/?q=%0D%0ASet-Cookie:%20x=1%23%3C%22%3E%5C%C3%A9%25zz", true},
		{"too long: the plain target", "https://example.com/a", "q=" + strings.Repeat("x", 40), 40, "https://example.com/a", false},
		{"exactly the limit", "https://example.com/a", "q=12", len("https://example.com/a?q=12"), "https://example.com/a?q=12", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := domain.ForwardedURL(tt.target, tt.query, tt.max)
			if got != tt.want || ok != tt.ok {
				t.Errorf("ForwardedURL(%q, %q, %d) = %q, %v; want %q, %v", tt.target, tt.query, tt.max, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// FuzzForwardedURL: whatever a visitor sends, the result is the target or
// starts with the target's part before any fragment, stays within the
// limit, holds no byte that could end a header or the URL (no controls,
// spaces, non-ASCII, no second '#'), keeps every parameter of the target's
// own with its value, and parses as a URL.
func FuzzForwardedURL(f *testing.F) {
	f.Add("https://example.com/a?id=7#f", "id=8&x=1")
	f.Add("https://example.com/", "a=\r\nLocation: evil")
	f.Add("https://example.com/?", "%zz&&=&%0a")
	f.Fuzz(func(t *testing.T, rawQuery, extra string) {
		for _, target := range []string{"https://example.com/a?id=7&ref=me#frag", "https://example.com/" + url.PathEscape(extra)} {
			got, ok := domain.ForwardedURL(target, rawQuery, 256)
			if !ok && got != target {
				t.Fatalf("over the limit: %q, want the plain target", got)
			}
			if got == target {
				continue
			}
			if len(got) > 256 {
				t.Fatalf("%d bytes, over the limit", len(got))
			}
			base, _, _ := strings.Cut(target, "#")
			if !strings.HasPrefix(got, base) {
				t.Fatalf("%q does not start with the target %q", got, base)
			}
			for i := 0; i < len(got); i++ {
				if c := got[i]; c <= ' ' || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' {
					t.Fatalf("byte %#x at %d in %q", c, i, got)
				}
			}
			if strings.Count(got, "#") > strings.Count(target, "#") {
				t.Fatalf("%q gained a fragment", got)
			}
			u, err := url.Parse(got)
			if err != nil {
				t.Fatalf("%q does not parse: %v", got, err)
			}
			if strings.Contains(target, "id=7") {
				if q := u.Query(); q.Get("id") != "7" || q.Get("ref") != "me" {
					t.Fatalf("%q overrode the target's own parameters: %v", got, q)
				}
			}
		}
	})
}
