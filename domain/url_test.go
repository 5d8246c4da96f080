package domain_test

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/shortlink/shortlink/domain"
)

var testURLPolicy = domain.URLPolicy{
	MaxLength:   64,
	PublicHost:  "sho.rt:443",
	DeniedHosts: []string{"evil.example"},
}

func TestURLPolicyParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		input  string
		reason string // "" means accepted
	}{
		{"https", "https://example.com/a?b=c#d", ""},
		{"http with port", "http://example.com:8080/", ""},
		{"IP host", "http://192.0.2.1/x", ""},
		{"unicode path", "https://example.com/café", ""},
		{"own host other port", "https://sho.rt:8443/x", ""},
		{"empty", "", "is required"},
		{"too long", "https://example.com/" + strings.Repeat("a", 50), "must be at most 64 bytes"},
		{"relative", "/just/a/path", "must be an absolute http or https URL with a host"},
		{"ftp", "ftp://example.com/", "must be an absolute http or https URL with a host"},
		{"javascript", "javascript:alert(1)", "must be an absolute http or https URL with a host"},
		{"no host", "https:///path", "must be an absolute http or https URL with a host"},
		{"CRLF injection", "https://example.com/\r\nSet-Cookie: a=b", "must not contain whitespace or control characters"},
		{"space", "https://example.com/a b", "must not contain whitespace or control characters"},
		{"tab", "https://example.com/\ta", "must not contain whitespace or control characters"},
		{"NUL", "https://example.com/\x00", "must not contain whitespace or control characters"},
		{"unicode line separator", "https://example.com/\u2028", "must not contain whitespace or control characters"},
		{"invalid UTF-8", "https://example.com/\xff", "must be valid UTF-8"},
		{"own host", "https://sho.rt/abc", "must not point at this service"},
		{"own host upper case with dot", "https://SHO.RT./abc", "must not point at this service"},
		{"own host explicit port", "https://sho.rt:443/abc", "must not point at this service"},
		{"denied host", "https://evil.example/", "points at a host that is not allowed"},
		{"denied subdomain", "https://a.b.evil.example/", "points at a host that is not allowed"},
		{"user info", "https://www.paypal.com@x.example/", "must not carry a user name or password before its host (user@host): it disguises where the link goes"},
		{"right-to-left override", "https://x.example/a\u202efdp.exe", "must not contain invisible or text-direction characters (it holds U+202E, raw or percent-encoded)"},
		{"lookalike not denied", "https://notevil.example/", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := testURLPolicy.Parse(tt.input)
			if tt.reason == "" {
				if err != nil || got != tt.input {
					t.Fatalf("Parse(%q) = %q, %v", tt.input, got, err)
				}
				return
			}
			var verr *domain.ValidationError
			if !errors.As(err, &verr) || verr.Field != "url" || verr.Message != "url "+tt.reason {
				t.Fatalf("Parse(%q) error = %v, want url: %s", tt.input, err, tt.reason)
			}
		})
	}
}

func TestPublicHostOf(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"http://localhost:8080":   "localhost:8080",
		"https://Sho.rt":          "sho.rt:443",
		"http://sho.rt/some/path": "sho.rt:80",
	} {
		if got, err := domain.PublicHostOf(in); err != nil || got != want {
			t.Errorf("PublicHostOf(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := domain.PublicHostOf("not a url"); err == nil {
		t.Error("PublicHostOf accepted a non-URL")
	}
}

func FuzzURLPolicyParse(f *testing.F) {
	for _, s := range []string{
		"https://example.com", "http://a/\r\n", "https://sho.rt/x", "javascript:x", "//x", "http://[::1]:80/",
		"http://ｅｖｉｌ。example/", "http://0x7f.1:08080/", "http://u@b%C3%BCcher.de:443/", "http://[::ffff:1.2.3.4]/",
		"https://www.paypal.com@evil.example/invoice\u202efdp.exe", "https://x/%E2%80%AE", "https://x/\U0001F468\u200d\U0001F469",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := testURLPolicy.Parse(s)
		if err != nil {
			if !errors.Is(err, domain.ErrInvalidInput) {
				t.Fatalf("error %v is not a validation error", err)
			}
			return
		}
		// Whatever is accepted must be safe to put in a Location header.
		if strings.ContainsAny(got, "\r\n\x00 \t") || len(got) > testURLPolicy.MaxLength {
			t.Fatalf("accepted unsafe URL %q", got)
		}
		u, perr := url.Parse(got)
		if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
			t.Fatalf("accepted %q, which is not an absolute http(s) URL", got)
		}
		// The stored form is a fixed point with an ASCII host: the host that
		// was checked is the host the redirect names.
		if again, err := testURLPolicy.Parse(got); err != nil || again != got {
			t.Fatalf("Parse(%q) = %q, but Parse(%q) = %q, %v", s, got, got, again, err)
		}
		if strings.IndexFunc(u.Host, func(r rune) bool { return r >= utf8.RuneSelf }) >= 0 {
			t.Fatalf("accepted %q with a non-ASCII host", got)
		}
		// What a preview shows is what the link does: no user info before
		// the host, no bidi control anywhere, even percent-encoded.
		unescaped, _ := url.PathUnescape(got)
		if u.User != nil || strings.ContainsFunc(got+unescaped, func(r rune) bool { return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 }) {
			t.Fatalf("accepted %q, which can show as another address", got)
		}
	})
}

func BenchmarkURLPolicyParse(b *testing.B) {
	policy := domain.URLPolicy{MaxLength: 4096, PublicHost: "sho.rt:443"}
	for i := range 20 {
		policy.DeniedHosts = append(policy.DeniedHosts, "denied"+strconv.Itoa(i)+".example")
	}
	for _, raw := range []string{"https://www.example.com/some/path?q=1", "https://bücher.de/straße"} {
		b.Run(raw, func(b *testing.B) {
			for b.Loop() {
				if _, err := policy.Parse(raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
