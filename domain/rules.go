package domain

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Redirect rules (SPEC §15): a link may send a visitor to another target
// by the visitor's device, OS, country, language or the short URL's query.
// The first rule whose every listed condition holds gives the Location;
// otherwise the link's own URL does. Like the target, rules are fixed at
// create and only an administrator may replace them, and every rule's URL
// passes the checks of a link's URL: a link must not look benign to a
// scanner and send phones elsewhere unseen.

// ErrRulesAdminOnly refuses a change of a link's rules to anyone but an
// administrator: like the target, rules are fixed at create (no cloaking).
var ErrRulesAdminOnly = fmt.Errorf("%w: only an administrator can change a link's redirect rules", ErrForbidden)

// RuleNone is the rule dimension's value of a visit no rule matched: it
// went to the link's own URL.
const RuleNone = "none"

var ruleValues = [MaxRules + 1]string{RuleNone, "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}

// RuleValue is the rule dimension's value of a visit that rule i (from 0,
// as Match returns it; -1 for none) served: "1" for the first rule.
func RuleValue(i int) string {
	if i < 0 || i >= MaxRules {
		return RuleNone
	}
	return ruleValues[i+1]
}

// MaxRules is how many rules a link may carry.
const MaxRules = 10

// MaxRuleValues bounds the values of one condition (countries, languages,
// query parameters), so a rule costs bounded memory and time.
const MaxRuleValues = 32

// ReasonInvalidRules refuses rules that are not as SPEC §15 describes
// (unknown condition names or values, too many, none); Field names the part.
const ReasonInvalidRules Reason = "invalid_rules"

// The devices and operating systems a rule may name.
var (
	RuleDevices = []string{DeviceDesktop, DeviceMobile, DeviceTablet}
	RuleOSes    = []string{"ios", "android", "windows", "macos", "linux", ValueOther}
)

// QueryParam is one name and value of a rule's query condition (decoded).
type QueryParam struct{ Name, Value string }

// RuleSpec is one rule as a client writes it and stores keep it: the
// values of each condition (nil: not a condition) and the target.
type RuleSpec struct {
	Device, OS, Country, Language []string
	// Query holds when the short URL's query has each name with its value.
	Query []QueryParam
	URL   string
}

// Rules are a link's redirect rules, checked and ready to match; nil or
// empty for none. A Rules is never changed once built, so links and
// caches share it.
type Rules struct {
	list  []rule
	needs RuleNeeds
	bytes int
}

type rule struct {
	devices, systems uint8 // bit i: RuleDevices[i], RuleOSes[i]
	countries        []string
	languages        []string
	query            []QueryParam
	url              string
}

// RuleNeeds say what of the visitor matching the rules reads, so a
// redirect works out nothing else.
type RuleNeeds struct {
	Agent, Country, Language bool
}

// RuleVisitor is what a redirect's request says about its visitor, as the
// rules read it.
type RuleVisitor struct {
	// Agent is the user agent as the parser classifies it.
	Agent UserAgent
	// Country is the ISO 3166 alpha-2 code of the client's address.
	Country string
	// Language is the primary tag of the most preferred Accept-Language
	// entry (PreferredLanguage), in any case.
	Language string
	// RawQuery is the short URL's query string, as sent.
	RawQuery string
}

// ParseRules checks specs as a create or an administrator's PATCH sent
// them: at most MaxRules, each with at least one condition of known names
// and values, and a URL that passes urls (stored in its normalised form).
// Errors are ErrInvalidInput naming the field, e.g. "rules[2].when.os".
func ParseRules(specs []RuleSpec, urls URLPolicy) (*Rules, error) {
	if len(specs) > MaxRules {
		return nil, invalid("rules", ReasonInvalidRules, fmt.Sprintf("rules may list at most %d rules", MaxRules))
	}
	checked := make([]RuleSpec, len(specs))
	for i, s := range specs {
		field := fmt.Sprintf("rules[%d]", i)
		c, err := checkRule(s, field)
		if err != nil {
			return nil, err
		}
		if c.URL, err = urls.Parse(s.URL); err != nil {
			return nil, renameField(err, "url", field+".url")
		}
		checked[i] = c
	}
	return RestoreRules(checked), nil
}

// renameField is err with its field, and the field's name in its message,
// renamed from old to field.
func renameField(err error, old, field string) error {
	var v *ValidationError
	if !errors.As(err, &v) {
		return err
	}
	msg := v.Message
	if strings.HasPrefix(msg, old) {
		msg = field + msg[len(old):]
	}
	return invalid(field, v.Reason, msg)
}

func checkRule(s RuleSpec, field string) (RuleSpec, error) {
	when := field + ".when"
	if s.Device == nil && s.OS == nil && s.Country == nil && s.Language == nil && s.Query == nil {
		return RuleSpec{}, invalid(when, ReasonInvalidRules, when+" must name at least one condition (device, os, country, language or query)")
	}
	out := RuleSpec{URL: s.URL}
	var err error
	if out.Device, err = checkWords(s.Device, RuleDevices, when+".device"); err != nil {
		return RuleSpec{}, err
	}
	if out.OS, err = checkWords(s.OS, RuleOSes, when+".os"); err != nil {
		return RuleSpec{}, err
	}
	if out.Country, err = checkValues(s.Country, when+".country", "an ISO 3166 alpha-2 country code such as FR", countryValue); err != nil {
		return RuleSpec{}, err
	}
	if out.Language, err = checkValues(s.Language, when+".language", "a primary language tag such as fr", languageValue); err != nil {
		return RuleSpec{}, err
	}
	if len(s.Query) > MaxRuleValues {
		return RuleSpec{}, invalid(when+".query", ReasonInvalidRules, fmt.Sprintf("%s.query may name at most %d parameters", when, MaxRuleValues))
	}
	for _, q := range s.Query {
		f := when + ".query." + shortName(q.Name)
		switch {
		case q.Name == "":
			return RuleSpec{}, invalid(when+".query", ReasonInvalidRules, when+".query must not name an empty parameter")
		case len(q.Name) > 128 || len(q.Value) > 512:
			return RuleSpec{}, invalid(f, ReasonInvalidRules, f+" is too long (names at most 128 bytes, values 512)")
		case strings.IndexFunc(q.Name+q.Value, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0:
			return RuleSpec{}, invalid(f, ReasonInvalidRules, f+" must not contain control characters")
		}
	}
	out.Query = slices.Clone(s.Query)
	slices.SortFunc(out.Query, func(a, b QueryParam) int { return strings.Compare(a.Name, b.Name) })
	for i := 1; i < len(out.Query); i++ {
		if out.Query[i].Name == out.Query[i-1].Name {
			return RuleSpec{}, invalid(when+".query", ReasonInvalidRules, when+".query names "+shortName(out.Query[i].Name)+" twice")
		}
	}
	return out, nil
}

func shortName(s string) string {
	if len(s) <= 40 {
		return s
	}
	return strings.ToValidUTF8(s[:40], "") + "…"
}

// checkWords checks that every value is one of words (in any case) and
// returns them in lower case, each once.
func checkWords(values, words []string, field string) ([]string, error) {
	return checkValues(values, field, "one of "+strings.Join(words, ", "), func(v string) (string, bool) {
		v = strings.ToLower(v)
		return v, slices.Contains(words, v)
	})
}

func checkValues(values []string, field, what string, norm func(string) (string, bool)) ([]string, error) {
	if values == nil {
		return nil, nil
	}
	if len(values) == 0 {
		return nil, invalid(field, ReasonInvalidRules, field+" must list at least one value, or be left out")
	}
	if len(values) > MaxRuleValues {
		return nil, invalid(field, ReasonInvalidRules, fmt.Sprintf("%s may list at most %d values", field, MaxRuleValues))
	}
	out := make([]string, 0, len(values))
	for i, v := range values {
		n, ok := norm(v)
		if !ok {
			f := fmt.Sprintf("%s[%d]", field, i)
			return nil, invalid(f, ReasonInvalidRules, fmt.Sprintf("%s is %q; it must be %s", f, shortName(v), what))
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, nil
}

func countryValue(v string) (string, bool) {
	v = strings.ToUpper(v)
	return v, len(v) == 2 && isUpperAlpha(v[0]) && isUpperAlpha(v[1])
}

func languageValue(v string) (string, bool) {
	v = strings.ToLower(v)
	if len(v) < 2 || len(v) > 3 { // ISO 639 codes; the longer tags are reserved or unused
		return v, false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 'a' || v[i] > 'z' {
			return v, false
		}
	}
	return v, true
}

func isUpperAlpha(b byte) bool { return b >= 'A' && b <= 'Z' }

// RestoreRules builds the rules of specs read back from a store or cache,
// which only ever hold rules ParseRules produced; nil for none.
func RestoreRules(specs []RuleSpec) *Rules {
	if len(specs) == 0 {
		return nil
	}
	rs := &Rules{list: make([]rule, len(specs))}
	for i, s := range specs {
		r := rule{countries: s.Country, languages: s.Language, query: s.Query, url: s.URL}
		for _, d := range s.Device {
			r.devices |= 1 << max(slices.Index(RuleDevices, d), 0)
		}
		for _, o := range s.OS {
			r.systems |= 1 << max(slices.Index(RuleOSes, o), 0)
		}
		rs.needs.Agent = rs.needs.Agent || r.devices != 0 || r.systems != 0
		rs.needs.Country = rs.needs.Country || len(r.countries) > 0
		rs.needs.Language = rs.needs.Language || len(r.languages) > 0
		rs.bytes += 64 + len(r.url) + 16*(len(r.countries)+len(r.languages)+len(r.query))
		for _, v := range r.languages {
			rs.bytes += len(v)
		}
		for _, q := range r.query {
			rs.bytes += len(q.Name) + len(q.Value)
		}
		rs.list[i] = r
	}
	return rs
}

// Len is how many rules there are (0 for nil).
func (rs *Rules) Len() int {
	if rs == nil {
		return 0
	}
	return len(rs.list)
}

// Needs says what of the visitor Match reads.
func (rs *Rules) Needs() RuleNeeds {
	if rs == nil {
		return RuleNeeds{}
	}
	return rs.needs
}

// Bytes is about how much memory the rules hold: what a cache that weighs
// its entries adds for them.
func (rs *Rules) Bytes() int {
	if rs == nil {
		return 0
	}
	return rs.bytes
}

// Specs are the rules as a client wrote them, normalised.
func (rs *Rules) Specs() []RuleSpec {
	out := make([]RuleSpec, rs.Len())
	for i, r := range rs.listOrNil() {
		s := RuleSpec{Country: r.countries, Language: r.languages, Query: r.query, URL: r.url}
		for b, d := range RuleDevices {
			if r.devices&(1<<b) != 0 {
				s.Device = append(s.Device, d)
			}
		}
		for b, o := range RuleOSes {
			if r.systems&(1<<b) != 0 {
				s.OS = append(s.OS, o)
			}
		}
		out[i] = s
	}
	return out
}

func (rs *Rules) listOrNil() []rule {
	if rs == nil {
		return nil
	}
	return rs.list
}

// Match is the index and URL of the first rule whose every condition v
// meets, or -1 and "" when none does. It allocates nothing.
func (rs *Rules) Match(v *RuleVisitor) (int, string) {
	for i := range rs.listOrNil() {
		if r := &rs.list[i]; r.matches(v) {
			return i, r.url
		}
	}
	return -1, ""
}

func (r *rule) matches(v *RuleVisitor) bool {
	if r.devices != 0 && r.devices&deviceBit(v.Agent) == 0 {
		return false
	}
	if r.systems != 0 && r.systems&osBit(v.Agent.OS) == 0 {
		return false
	}
	if len(r.countries) > 0 && !slices.Contains(r.countries, v.Country) {
		return false
	}
	if len(r.languages) > 0 && !containsFold(r.languages, v.Language) {
		return false
	}
	for _, q := range r.query {
		if !queryHas(v.RawQuery, q) {
			return false
		}
	}
	return true
}

// deviceBit is the bit of ua's device class among RuleDevices; a bot is
// none of them.
func deviceBit(ua UserAgent) uint8 {
	if ua.Bot {
		return 0
	}
	switch ua.Device {
	case DeviceDesktop:
		return 1 << 0
	case DeviceMobile:
		return 1 << 1
	case DeviceTablet:
		return 1 << 2
	}
	return 0
}

// osBit is the bit of a parser's OS family among RuleOSes.
func osBit(family string) uint8 {
	switch family {
	case "iOS":
		return 1 << 0
	case "Android":
		return 1 << 1
	case "Windows":
		return 1 << 2
	case "MacOS":
		return 1 << 3
	case "Linux":
		return 1 << 4
	}
	return 1 << 5 // other
}

func containsFold(list []string, v string) bool {
	if v == "" {
		return false
	}
	for _, s := range list {
		if strings.EqualFold(s, v) {
			return true
		}
	}
	return false
}

// queryHas reports whether rawQuery has a parameter named q.Name with the
// value q.Value, both compared decoded ('+' and %XX) without allocating.
func queryHas(rawQuery string, q QueryParam) bool {
	for rest := rawQuery; rest != ""; {
		var pair string
		pair, rest, _ = strings.Cut(rest, "&")
		name, value, _ := strings.Cut(pair, "=")
		if queryEqual(name, q.Name) && queryEqual(value, q.Value) {
			return true
		}
	}
	return false
}

// queryEqual reports whether the query component raw decodes to want.
func queryEqual(raw, want string) bool {
	j := 0
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '+':
			c = ' '
		case c == '%' && i+2 < len(raw) && isHex(raw[i+1]) && isHex(raw[i+2]):
			c = unhex(raw[i+1])<<4 | unhex(raw[i+2])
			i += 2
		}
		if j >= len(want) || want[j] != c {
			return false
		}
		j++
	}
	return j == len(want)
}

func nonEmptyRules(rs *Rules) *Rules {
	if rs.Len() == 0 {
		return nil
	}
	return rs
}

// Rules are the link's redirect rules (nil for none).
func (l ShortLink) Rules() *Rules { return l.rules }

// HasRules reports whether the link has redirect rules.
func (l ShortLink) HasRules() bool { return l.rules != nil }

// WithRules is the link, not yet stored, with rules (nil or empty: none).
func (l ShortLink) WithRules(rs *Rules) ShortLink { l.rules = nonEmptyRules(rs); return l }

// SetRules replaces the link's rules (nil or empty: none): a change of a
// live link, which only an administrator may make (the use case checks).
func (l ShortLink) SetRules(rs *Rules) (ShortLink, error) {
	if l.state == StateDeleted {
		return ShortLink{}, ErrGone
	}
	l.rules = nonEmptyRules(rs)
	l.version++
	return l, nil
}

// SameRules reports whether a and b are the same rules.
func SameRules(a, b *Rules) bool {
	if a.Len() != b.Len() {
		return false
	}
	return a.Len() == 0 || string(RulesJSON(a)) == string(RulesJSON(b))
}
