package domain_test

import (
	"errors"
	"testing"

	"github.com/shortlink/shortlink/domain"
)

const (
	reasonDenied     = "points at a host that is not allowed"
	reasonOwnHost    = "must not point at this service"
	reasonBadName    = "has an invalid host name"
	reasonBadIPv4    = "has an invalid IPv4 address"
	reasonBadIPv6    = "has an invalid IPv6 address"
	reasonBadPort    = "has an invalid port"
	reasonNotAbsURL  = "must be an absolute http or https URL with a host"
	reasonUserinfo   = "must not carry a user name or password before its host (user@host): it disguises where the link goes"
	deniedName       = "evil.com"
	deniedIP         = "169.254.169.254"
	localPublicHost  = "localhost:8080"
	remotePublicHost = "sho.rt:443"
)

var (
	localPolicy = domain.URLPolicy{
		MaxLength: 4096, PublicHost: localPublicHost, DeniedHosts: []string{deniedName, deniedIP},
	}
	remotePolicy = domain.URLPolicy{
		MaxLength: 4096, PublicHost: remotePublicHost, DeniedHosts: []string{deniedName, deniedIP},
	}
)

type hostCase struct {
	name   string
	input  string
	want   string // the stored URL when reason is ""
	reason string
}

// TestURLPolicyHostSpellings holds the spellings of SPEC §8 and issue 11,
// items 2 and 3: each names the host a browser would go to.
func TestURLPolicyHostSpellings(t *testing.T) {
	t.Parallel()
	denied := []hostCase{
		{"fullwidth letters", "http://ｅｖｉｌ.com/", "", reasonDenied},
		{"ideographic full stop", "http://evil。com/", "", reasonDenied},
		{"fullwidth full stop", "http://ｅｖｉｌ．ｃｏｍ/", "", reasonDenied},
		{"halfwidth ideographic full stop", "http://evil｡com/", "", reasonDenied},
		{"soft hyphen", "http://evi\u00adl.com/", "", reasonDenied},
		{"zero-width space", "http://e\u200bvil.com/", "", reasonDenied},
		{"word joiner and BOM", "http://e\u2060v\ufeffil.com/", "", reasonDenied},
		{"variation selector", "http://ev\ufe0fil.com/", "", reasonDenied},
		{"percent-encoded fullwidth e", "http://%EF%BD%85vil.com/", "", reasonDenied},
		{"upper case, trailing dot", "http://EVIL.COM./", "", reasonDenied},
		{"subdomain in fullwidth", "http://www.ｅｖｉｌ.com/", "", reasonDenied},
		{"explicit default port", "https://evil.com:443/", "", reasonDenied},
		{"real host after user info", "http://good.com@evil.com/", "", reasonDenied},
		{"decimal IPv4", "http://2852039166/", "", reasonDenied},
		{"hex IPv4", "http://0xa9fea9fe/", "", reasonDenied},
		{"two-part IPv4 with trailing dot", "http://169.254.43518./", "", reasonDenied},
		{"octal IPv4", "http://0251.0376.0251.0376/", "", reasonDenied},
		{"mixed radix IPv4", "http://0xA9.254.0xa9fe/", "", reasonDenied},
		{"fullwidth IPv4", "http://１６９．２５４．１６９．２５４/", "", reasonDenied},
		{"IPv4-mapped IPv6", "http://[::ffff:a9fe:a9fe]/", "", reasonDenied},
		{"IPv4-mapped IPv6, dotted", "http://[::FFFF:169.254.169.254]:80/", "", reasonDenied},
	}
	ownLocal := []hostCase{
		{"same", "http://localhost:8080/x", "", reasonOwnHost},
		{"ideographic trailing dot", "http://localhost。:8080/x", "", reasonOwnHost},
		{"leading-zero port", "http://localhost:08080/x", "", reasonOwnHost},
		{"fullwidth name", "http://ｌｏｃａｌｈｏｓｔ:8080/x", "", reasonOwnHost},
		{"loopback IPv4", "http://127.0.0.1:8080/x", "", reasonOwnHost},
		{"short IPv4", "http://127.1:8080/x", "", reasonOwnHost},
		{"decimal IPv4", "http://2130706433:8080/x", "", reasonOwnHost},
		{"hex IPv4", "http://0x7f000001:8080/x", "", reasonOwnHost},
		{"octal IPv4", "http://0177.0.0.1:8080/x", "", reasonOwnHost},
		{"fullwidth digits", "http://１２７．０．０．１:8080/x", "", reasonOwnHost},
		{"other loopback address", "http://127.0.0.2:8080/x", "", reasonOwnHost},
		{"IPv6 loopback", "http://[::1]:8080/x", "", reasonOwnHost},
		{"IPv4-mapped loopback", "http://[::ffff:7f00:1]:8080/x", "", reasonOwnHost},
		{"subdomain of localhost", "http://app.localhost:8080/x", "", reasonOwnHost},
		{"unspecified address", "http://0.0.0.0:8080/x", "", reasonOwnHost},
		{"https on the same port", "https://localhost:8080/x", "", reasonOwnHost},
		{"fullwidth port digits", "http://localhost:８０８０/x", "", reasonNotAbsURL},
	}
	ownRemote := []hostCase{
		{"no port", "https://sho.rt/x", "", reasonOwnHost},
		{"explicit default port", "https://sho.rt:443/x", "", reasonOwnHost},
		{"leading-zero default port", "https://sho.rt:0443/x", "", reasonOwnHost},
		{"http on its default port", "http://sho.rt/x", "", reasonOwnHost},
		{"fullwidth, ideographic dots", "https://ＳＨＯ。ｒｔ。/x", "", reasonOwnHost},
		{"soft hyphen", "https://sh\u00ado.rt/x", "", reasonOwnHost},
		{"other port", "https://sho.rt:8443/x", "https://sho.rt:8443/x", ""},
		{"loopback is not the remote service", "http://localhost:443/x", "http://localhost:443/x", ""},
	}
	accepted := []hostCase{
		{"hyphens in third and fourth place", "https://r4---sn-x.googlevideo.com/videoplayback?id=1",
			"https://r4---sn-x.googlevideo.com/videoplayback?id=1", ""},
		{"underscore", "http://foo_bar.example.com/", "http://foo_bar.example.com/", ""},
		{"IDN to punycode", "http://bücher.de/straße?q=ü#ä", "http://xn--bcher-kva.de/straße?q=ü#ä", ""},
		{"percent-encoded IDN", "http://b%C3%BCcher.de/", "http://xn--bcher-kva.de/", ""},
		{"punycode kept", "http://xn--bcher-kva.de/", "http://xn--bcher-kva.de/", ""},
		{"non-transitional sharp s", "http://faß.de/", "http://xn--fa-hia.de/", ""},
		{"upper case", "HTTPS://EXAMPLE.com/Path?Q=A#F", "https://example.com/Path?Q=A#F", ""},
		{"fullwidth to ASCII", "http://ｅｘａｍｐｌｅ．ｃｏｍ/", "http://example.com/", ""},
		{"trailing dot kept", "http://example.com./", "http://example.com./", ""},
		{"default port dropped", "https://example.com:443/a", "https://example.com/a", ""},
		{"http default port dropped", "http://example.com:80", "http://example.com", ""},
		{"leading zeros dropped", "http://example.com:08080/", "http://example.com:8080/", ""},
		{"empty port", "http://example.com:/", "http://example.com/", ""},
		{"zero-padded port", "http://example.com:000000000000000000080/", "http://example.com/", ""},
		{"@ in the path", "http://good.com/@evil.com", "http://good.com/@evil.com", ""},
		{"lookalike not denied", "http://notevil.com/", "http://notevil.com/", ""},
		{"denied name as a label", "http://evil.com.example/", "http://evil.com.example/", ""},
		{"IPv4 canonical", "http://192.0.2.1/x", "http://192.0.2.1/x", ""},
		{"short IPv4", "http://192.0.0x201/", "http://192.0.2.1/", ""},
		{"IPv4 trailing dot", "http://192.0.2.1./", "http://192.0.2.1/", ""},
		{"IPv6 compressed", "http://[2001:DB8:0:0::1]:8080/", "http://[2001:db8::1]:8080/", ""},
		{"IPv4-mapped IPv6 in hex", "http://[::ffff:192.0.2.1]/", "http://[::ffff:c000:201]/", ""},
		{"hex-looking label", "http://0x7f.example/", "http://0x7f.example/", ""},
	}
	invalid := []hostCase{
		{"IPv4 part out of range", "http://256.0.0.1/", "", reasonBadIPv4},
		{"IPv4 number out of range", "http://4294967296/", "", reasonBadIPv4},
		{"five IPv4 parts", "http://1.2.3.4.5/", "", reasonBadIPv4},
		{"bad octal", "http://09.1/", "", reasonBadIPv4},
		{"numeric last label", "http://example.123/", "", reasonBadIPv4},
		{"huge number", "http://99999999999999999999999/", "", reasonBadIPv4},
		{"invalid punycode", "http://xn--a.com/", "", reasonBadName},
		{"punycode of ASCII", "http://xn--abc-.com/", "", reasonBadName},
		{"empty punycode label", "http://xn--.com/", "", reasonBadName},
		{"zero-width joiner", "http://e\u200dvil.com/", "", reasonBadName},
		{"bidi rule", "http://يa.com/", "", reasonBadName},
		{"empty label", "http://a..b/", "", reasonBadName},
		{"only an ignorable code point", "http://%C2%AD/", "", reasonBadName},
		{"percent-encoded invalid UTF-8", "http://a%80b.com/", "", reasonBadName},
		{"percent sign", "http://a%25b.com/", "", reasonBadName},
		{"less-than sign", "http://a<b.com/", "", reasonBadName},
		{"fullwidth colon", "http://evil.com：80/", "", reasonBadName},
		{"fullwidth solidus", "http://evil.com／x/", "", reasonBadName},
		{"disallowed code point", "http://a\u2488b.com/", "", reasonBadName},
		{"mapped to a brace", "http://a｛b.com/", "", reasonBadName},
		{"IPv6 zone", "http://[fe80::1%25eth0]/", "", reasonBadIPv6},
		{"IPv4 in brackets", "http://[192.0.2.1]/", "", reasonNotAbsURL},
		{"port out of range", "http://example.com:65536/", "", reasonBadPort},
		{"user info", "http://User:p%40ss@Example.com/", "", reasonUserinfo},
		{"user name that reads as a host", "http://evil.com@good.com/", "", reasonUserinfo},
		{"empty user info", "http://@good.com/", "", reasonUserinfo},
	}
	for _, group := range []struct {
		name   string
		policy domain.URLPolicy
		cases  []hostCase
	}{
		{"denied", localPolicy, denied},
		{"own local host", localPolicy, ownLocal},
		{"own remote host", remotePolicy, ownRemote},
		{"accepted", remotePolicy, accepted},
		{"invalid", remotePolicy, invalid},
	} {
		for _, tt := range group.cases {
			t.Run(group.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				checkParse(t, group.policy, tt)
			})
		}
	}
}

func checkParse(t *testing.T, policy domain.URLPolicy, tt hostCase) {
	t.Helper()
	got, err := policy.Parse(tt.input)
	if tt.reason == "" {
		if err != nil || got != tt.want {
			t.Fatalf("Parse(%q) = %q, %v; want %q", tt.input, got, err, tt.want)
		}
		return
	}
	var verr *domain.ValidationError
	if !errors.As(err, &verr) || verr.Field != "url" || verr.Message != "url "+tt.reason {
		t.Fatalf("Parse(%q) = %q, %v; want url: %s", tt.input, got, err, tt.reason)
	}
}

func TestURLPolicyDeniedEntrySpellings(t *testing.T) {
	t.Parallel()
	policy := domain.URLPolicy{
		MaxLength:   4096,
		DeniedHosts: []string{"ＥＶＩＬ。com.", " 0xa9fea9fe", "::ffff:c000:201", "[2001:DB8::1]", "bücher.de", "not a host"},
	}
	for _, tt := range []hostCase{
		{"fullwidth entry", "http://www.evil.com/", "", reasonDenied},
		{"numeric entry", "http://169.254.169.254/", "", reasonDenied},
		{"IPv4-mapped entry", "http://192.0.2.1/", "", reasonDenied},
		{"bracketed entry", "http://[2001:db8:0::1]/", "", reasonDenied},
		{"IDN entry", "http://xn--bcher-kva.de/", "", reasonDenied},
		{"an address entry denies no neighbour", "http://169.254.169.253/", "http://169.254.169.253/", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkParse(t, policy, tt)
		})
	}
}

func TestURLPolicyStoredLength(t *testing.T) {
	t.Parallel()
	policy := domain.URLPolicy{MaxLength: 20}
	checkParse(t, policy, hostCase{"punycode grows", "http://bücher.de/", "", "must be at most 20 bytes"})
}

func TestPublicHostOfNormalises(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"http://LOCALHOST.:08080": "localhost:8080",
		"https://bücher.de/":      "xn--bcher-kva.de:443",
		"http://127.1:8000":       "127.0.0.1:8000",
		"http://[0:0::1]:8080/":   "[::1]:8080",
		"https://ｓｈｏ。ｒｔ/prefix":   "sho.rt:443",
	} {
		if got, err := domain.PublicHostOf(in); err != nil || got != want {
			t.Errorf("PublicHostOf(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"http://256.1.1.1", "http://a..b/", "http://sho.rt:70000"} {
		if got, err := domain.PublicHostOf(in); err == nil {
			t.Errorf("PublicHostOf(%q) = %q, want an error", in, got)
		}
	}
}

func TestURLPolicyValidate(t *testing.T) {
	t.Parallel()
	good := domain.URLPolicy{PublicHost: "[::1]:8080", DeniedHosts: []string{"ＥＶＩＬ。com", " 10.0.0.1 ", "::1"}}
	if err := good.Validate(); err != nil {
		t.Errorf("Validate() = %v, want nil", err)
	}
	if err := (domain.URLPolicy{}).Validate(); err != nil {
		t.Errorf("Validate() of an empty policy = %v, want nil", err)
	}
	for _, bad := range []domain.URLPolicy{
		{PublicHost: "sho.rt:99999"},
		{PublicHost: "256.0.0.1:80"},
		{DeniedHosts: []string{"evil.com", "evil.com/path"}},
		{DeniedHosts: []string{"a..b"}},
	} {
		if err := bad.Validate(); err == nil {
			t.Errorf("%+v.Validate() = nil, want an error", bad)
		}
	}
}
