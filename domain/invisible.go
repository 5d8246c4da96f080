package domain

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Invisible code points are those a reader cannot see but that change what
// is read: bidi controls (U+202E turns "fdp.exe" into "exe.pdf"), zero-width
// spaces and joiners, word joiners, the BOM, soft hyphens, tag characters,
// variation selectors, Hangul fillers. They are Unicode's format characters
// (general category Cf) and its Default_Ignorable_Code_Point set.
//
// The standard library's unicode tables give both (golang.org/x/text adds
// nothing here: its tables serve normalisation and casing). DerivedCore-
// Properties defines Default_Ignorable_Code_Point as Other_Default_Ignorable_
// Code_Point + Cf + Variation_Selector, minus White_Space, minus a few Cf
// ranges (interlinear annotations, Egyptian format controls, prepended
// concatenation marks). So Cf ∪ Other_Default_Ignorable_Code_Point ∪
// Variation_Selector holds every Default_Ignorable_Code_Point and every Cf
// code point, and nothing else but White_Space, which the URL policy refuses
// already. Unassigned code points of the ignorable ranges are in
// Other_Default_Ignorable_Code_Point, so a later Unicode version's additions
// there are refused too.
var invisibleTables = []*unicode.RangeTable{unicode.Cf, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector}

// IsInvisible reports whether r is a format character or a default
// ignorable code point.
func IsInvisible(r rune) bool { return unicode.In(r, invisibleTables...) }

const (
	zeroWidthJoiner   = '\u200d'
	textPresentation  = '\ufe0e'
	emojiPresentation = '\ufe0f'
	combiningKeycap   = '\u20e3'
)

// firstInvisible returns the first invisible code point of s as a browser
// may display it: raw, or percent-encoded as UTF-8 (%E2%80%AE), which
// address bars and pages decode for display. Two uses inside emoji are
// allowed, since they hide no text and reorder nothing: a variation
// selector after a non-ASCII symbol or a keycap's digit (❤️, 1️⃣), and a
// zero-width joiner between two emoji (👨‍👩‍👧).
func firstInvisible(s string) (rune, bool) {
	if strings.IndexByte(s, '%') >= 0 {
		s = percentDecodedForDisplay(s)
	}
	prev := noRune
	for i := 0; i < len(s); {
		r, size := decodeRune(s[i:])
		i += size
		if IsInvisible(r) {
			next, _ := decodeRune(s[i:])
			if !emojiPart(prev, r, next) {
				return r, true
			}
		}
		prev = r
	}
	return 0, false
}

// noRune stands for no code point: the ends of the text, and bytes that
// are not UTF-8 (percent-encoded binary data).
const noRune rune = -1

func decodeRune(s string) (rune, int) {
	r, size := utf8.DecodeRuneInString(s)
	if size <= 1 && r == utf8.RuneError {
		return noRune, max(size, 1)
	}
	return r, size
}

// emojiPart reports whether invisible r between prev and next belongs to
// an emoji sequence.
func emojiPart(prev, r, next rune) bool {
	switch r {
	case textPresentation, emojiPresentation:
		return isEmojiBase(prev) || (next == combiningKeycap && (prev >= '0' && prev <= '9' || prev == '#' || prev == '*'))
	case zeroWidthJoiner:
		return (isEmojiBase(prev) || prev == emojiPresentation || isSkinTone(prev)) && isEmojiBase(next)
	}
	return false
}

func isEmojiBase(r rune) bool { return r >= utf8.RuneSelf && unicode.Is(unicode.So, r) }

func isSkinTone(r rune) bool { return r >= 0x1f3fb && r <= 0x1f3ff }

// percentDecodedForDisplay decodes every %XX of s once, leaving the rest
// as it is: what a browser shows of a URL (before it refuses to show some).
func percentDecodedForDisplay(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case isDigit(c):
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
