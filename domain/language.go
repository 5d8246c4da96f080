package domain

import (
	"strconv"
	"strings"
)

// PreferredLanguage is the primary tag ("fr" of "fr-CH") of the most
// preferred entry of an Accept-Language header: the highest q-value (1 when
// absent), the first of equals; "" when the header names no language ("*",
// q=0 or nothing). It returns a slice of header and allocates nothing.
func PreferredLanguage(header string) string {
	best, bestQ := "", 0.0
	for rest := header; rest != ""; {
		var entry string
		entry, rest, _ = strings.Cut(rest, ",")
		tag, params, _ := strings.Cut(entry, ";")
		tag = strings.TrimSpace(tag)
		q := 1.0
		for params != "" {
			var p string
			p, params, _ = strings.Cut(params, ";")
			name, value, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && (name == "q" || name == "Q") {
				v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
				if err != nil || v < 0 || v > 1 {
					v = 0
				}
				q = v
			}
		}
		if i := strings.IndexAny(tag, "-_"); i >= 0 {
			tag = tag[:i]
		}
		if q > bestQ && validPrimaryTag(tag) {
			best, bestQ = tag, q
		}
	}
	return best
}

// validPrimaryTag reports whether tag is 2 to 8 ASCII letters.
func validPrimaryTag(tag string) bool {
	if len(tag) < 2 || len(tag) > 8 {
		return false
	}
	for i := 0; i < len(tag); i++ {
		if c := tag[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}
