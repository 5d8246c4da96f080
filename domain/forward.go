package domain

import "strings"

// ForwardedURL is target with a redirect's query string (rawQuery, as the
// request carried it, without "?") appended after target's own
// parameters, before any fragment. A parameter whose name target already
// has is dropped: the link's own parameters are never overridden, not even
// for servers that read the last of repeated names. Every byte that may not
// stand in a URL's query as it is (controls, spaces, non-ASCII, '#', quotes,
// angle brackets, backslash) is percent-encoded, so nothing a visitor sends
// can break out of the Location header or the query. ok is false, and the
// URL is target, when the result would be longer than maxLen bytes.
func ForwardedURL(target, rawQuery string, maxLen int) (url string, ok bool) {
	if rawQuery == "" {
		return target, true
	}
	base, fragment := target, ""
	if i := strings.IndexByte(target, '#'); i >= 0 {
		base, fragment = target[:i], target[i:]
	}
	_, own, hasQuery := strings.Cut(base, "?")
	var b strings.Builder
	b.Grow(len(target) + len(rawQuery) + 8)
	b.WriteString(base)
	sep := byte('?')
	if hasQuery {
		sep = '&'
		if own == "" || strings.HasSuffix(own, "&") {
			sep = 0
		}
	}
	added := false
	for rest := rawQuery; rest != ""; {
		var param string
		param, rest, _ = strings.Cut(rest, "&")
		if param == "" {
			continue
		}
		name, _, _ := strings.Cut(param, "=")
		if hasQuery && queryHasName(own, name) {
			continue
		}
		if added {
			b.WriteByte('&')
		} else if sep != 0 {
			b.WriteByte(sep)
		}
		writeQueryEscaped(&b, param)
		added = true
		if b.Len() > maxLen {
			return target, false
		}
	}
	if !added {
		return target, true
	}
	b.WriteString(fragment)
	if b.Len() > maxLen {
		return target, false
	}
	return b.String(), true
}

// queryHasName reports whether the query string query has a parameter
// named name, comparing names unescaped ("a" and "%61" are one name).
func queryHasName(query, name string) bool {
	want := unescapeQueryName(name)
	for query != "" {
		var param string
		param, query, _ = strings.Cut(query, "&")
		n, _, _ := strings.Cut(param, "=")
		if unescapeQueryName(n) == want {
			return true
		}
	}
	return false
}

// unescapeQueryName decodes %XX and '+' in a parameter name; a malformed
// escape is kept as it is.
func unescapeQueryName(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b.WriteByte(' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// writeQueryEscaped writes param, percent-encoding every byte that may not
// stand in a query as it is (RFC 3986's query characters pass, and '%'
// when it starts an escape).
func writeQueryEscaped(b *strings.Builder, param string) {
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(param); i++ {
		c := param[i]
		if queryByteOK(c) || (c == '%' && i+2 < len(param) && isHex(param[i+1]) && isHex(param[i+2])) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
}

// queryByteOK reports whether c may stand in a query as it is: RFC 3986's
// unreserved characters, sub-delims, ':', '@', '/' and '?'.
func queryByteOK(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@/?", c) >= 0
}
