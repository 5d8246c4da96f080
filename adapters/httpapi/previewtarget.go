package httpapi

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"

	"github.com/shortlink/shortlink/domain"
)

// previewTarget is a target URL cut up for the preview page: the host a
// browser will connect to stands on its own, large, its registrable part
// (the name someone bought: paypal.com in www.paypal.com, evil.example in
// www.paypal.com.evil.example) in bold, and the rest of the URL apart, so
// that no path, query or user name can pass for the host. Invisible code
// points, which targets may no longer hold but older links may, are
// written out as ⟨U+202E⟩.
type previewTarget struct {
	Scheme      string // "https" or "http"
	HostPrefix  string // the labels left of the registrable part, with their dot
	Registrable string // the registrable domain; the whole host for an address or a public suffix
	Port        string // ":8080", or "" for the scheme's default
	Unicode     string // the host in Unicode, when it has punycode labels
	UserInfo    string // a user name (and password) before the host, from before they were refused
	Rest        string // path, query and fragment
	Full        string // the whole URL
}

func newPreviewTarget(raw string) previewTarget {
	t := previewTarget{Full: visibleText(raw), Rest: visibleText(raw)}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return t // stored URLs always parse; shown whole, as a last resort
	}
	t.Scheme = u.Scheme
	host := u.Hostname()
	if _, err := netip.ParseAddr(host); err == nil {
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		t.Registrable = host
	} else if reg, err := publicsuffix.EffectiveTLDPlusOne(strings.TrimSuffix(host, ".")); err == nil {
		t.HostPrefix, t.Registrable = host[:strings.LastIndex(host, reg)], host[strings.LastIndex(host, reg):]
	} else {
		t.Registrable = host
	}
	if p := u.Port(); p != "" {
		t.Port = ":" + p
	}
	if strings.Contains(host, "xn--") {
		if unicode, err := idna.ToUnicode(host); err == nil && unicode != host {
			t.Unicode = unicode
		}
	}
	if u.User != nil {
		t.UserInfo = visibleText(u.User.String())
	}
	// The rest is what follows the authority, as stored (not re-escaped).
	rest := raw[len(u.Scheme)+len("://"):]
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		t.Rest = visibleText(rest[i:])
	} else {
		t.Rest = ""
	}
	return t
}

// visibleText writes each invisible code point of s as ⟨U+XXXX⟩.
func visibleText(s string) string {
	if strings.IndexFunc(s, domain.IsInvisible) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if domain.IsInvisible(r) {
			fmt.Fprintf(&b, "⟨U+%04X⟩", r)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}
