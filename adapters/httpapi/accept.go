package httpapi

import "strings"

// prefersHTML reports whether a request's Accept header values rank
// text/html above application/json, by RFC 9110's rules: each type weighs
// the q of the most specific range that matches it (text/html, then
// text/*, then */*; the first such range if one repeats), and a type no
// range matches weighs 0. A browser's navigation
// (text/html,…,*/*;q=0.8) prefers HTML; no Accept, */* and
// application/json do not, and a tie keeps JSON, the API's own answer.
//
// Written out rather than taken from a library because the libraries at
// hand pick by list order or sort unstably on ties, and this runs on the
// error answers of the redirect route, where it must not allocate.
// Parameters other than q are ignored, and a range whose q is malformed
// counts for nothing.
func prefersHTML(accept []string) bool {
	html, json := weight{specificity: -1}, weight{specificity: -1}
	for _, line := range accept {
		for line != "" {
			var part string
			part, line, _ = strings.Cut(line, ",")
			mediaRange, params, _ := strings.Cut(part, ";")
			q, ok := qValue(params)
			if !ok {
				continue
			}
			typ, sub, ok := strings.Cut(strings.TrimSpace(mediaRange), "/")
			if !ok {
				continue
			}
			html.consider(typ, sub, "text", "html", q)
			json.consider(typ, sub, "application", "json", q)
		}
	}
	return html.q > json.q
}

// weight is the q (in thousandths) of the most specific range seen so far
// that matches one media type: specificity 2 for type/subtype, 1 for
// type/*, 0 for */*, -1 for none yet.
type weight struct {
	specificity int
	q           int
}

// consider takes the range typ/sub with weight q into account for the
// media type wantType/wantSub.
func (w *weight) consider(typ, sub, wantType, wantSub string, q int) {
	specificity := -1
	switch {
	case typ == "*" && sub == "*":
		specificity = 0
	case !strings.EqualFold(typ, wantType):
	case sub == "*":
		specificity = 1
	case strings.EqualFold(sub, wantSub):
		specificity = 2
	}
	if specificity > w.specificity {
		w.specificity, w.q = specificity, q
	}
}

// qValue finds the q parameter among a range's parameters ("; q=0.8; …")
// and returns it in thousandths: 1000 when there is none, ok false when it
// is not a qvalue (0 to 1 with at most three decimals).
func qValue(params string) (q int, ok bool) {
	for params != "" {
		var param string
		param, params, _ = strings.Cut(params, ";")
		name, value, _ := strings.Cut(param, "=")
		if !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		return parseQ(strings.TrimSpace(value))
	}
	return 1000, true
}

// parseQ reads a qvalue: "0", "0.", "0.5", "0.123", "1", "1.000".
func parseQ(s string) (int, bool) {
	if s == "" || len(s) > 5 || (s[0] != '0' && s[0] != '1') {
		return 0, false
	}
	whole, frac, _ := strings.Cut(s, ".")
	if len(whole) != 1 {
		return 0, false
	}
	q := int(whole[0]-'0') * 1000
	scale := 100
	for i := 0; i < len(frac); i++ {
		d := frac[i]
		if d < '0' || d > '9' {
			return 0, false
		}
		q += int(d-'0') * scale
		scale /= 10
	}
	if q > 1000 {
		return 0, false
	}
	return q, true
}
