package domain

import (
	"net/url"
	"strings"
)

// RuleInWords is one rule as a preview shows it: who goes where.
type RuleInWords struct {
	// When is the condition in words: "Visitors on iOS (iPhone, iPad)".
	When string
	// Host is the host of the rule's target; URL the whole target.
	Host, URL string
}

var (
	deviceWords = map[string]string{DeviceDesktop: "a desktop computer", DeviceMobile: "a phone", DeviceTablet: "a tablet"}
	osWords     = map[string]string{"ios": "iOS (iPhone, iPad)", "android": "Android", "windows": "Windows", "macos": "macOS", "linux": "Linux", ValueOther: "another system"}
)

// InWords lists every rule with its condition in words and its target's
// host, in order, so a preview names every host a link can send people to.
func (rs *Rules) InWords() []RuleInWords {
	out := make([]RuleInWords, 0, rs.Len())
	for _, s := range rs.Specs() {
		var parts []string
		if len(s.Device) > 0 {
			parts = append(parts, "on "+orList(s.Device, deviceWords))
		}
		if len(s.OS) > 0 {
			parts = append(parts, "on "+orList(s.OS, osWords))
		}
		if len(s.Country) > 0 {
			parts = append(parts, "in "+orList(s.Country, nil))
		}
		if len(s.Language) > 0 {
			parts = append(parts, "whose browser prefers the language "+orList(s.Language, nil))
		}
		if len(s.Query) > 0 {
			q := make([]string, len(s.Query))
			for i, p := range s.Query {
				q[i] = p.Name + "=" + p.Value
			}
			parts = append(parts, "opening the link with ?"+strings.Join(q, "&"))
		}
		host := s.URL
		if u, err := url.Parse(s.URL); err == nil {
			host = u.Host
		}
		out = append(out, RuleInWords{When: "Visitors " + strings.Join(parts, ", "), Host: host, URL: s.URL})
	}
	return out
}

// orList is values, each in words when words has it, joined with "or".
func orList(values []string, words map[string]string) string {
	w := make([]string, len(values))
	for i, v := range values {
		w[i] = v
		if s, ok := words[v]; ok {
			w[i] = s
		}
	}
	if len(w) <= 1 {
		return strings.Join(w, "")
	}
	return strings.Join(w[:len(w)-1], ", ") + " or " + w[len(w)-1]
}
