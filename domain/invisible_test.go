package domain_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/shortlink/shortlink/domain"
)

var invisiblePolicy = domain.URLPolicy{MaxLength: 4096, PublicHost: "sho.rt:443"}

// invisibleClasses are the kinds of code point a target may not hold
// outside emoji: each a list of ranges to draw from.
var invisibleClasses = []struct {
	name  string
	table *unicode.RangeTable
}{
	{"bidi controls", &unicode.RangeTable{R16: []unicode.Range16{{0x061c, 0x061c, 1}, {0x200e, 0x200f, 1}, {0x202a, 0x202e, 1}, {0x2066, 0x2069, 1}}}},
	{"zero-width and BOM", &unicode.RangeTable{R16: []unicode.Range16{{0x200b, 0x200d, 1}, {0x2060, 0x2064, 1}, {0xfeff, 0xfeff, 1}}}},
	{"tag characters", &unicode.RangeTable{R32: []unicode.Range32{{0xe0001, 0xe0001, 1}, {0xe0020, 0xe007f, 1}}}},
	{"category Cf", unicode.Cf},
	{"Other_Default_Ignorable_Code_Point", unicode.Other_Default_Ignorable_Code_Point},
	{"Variation_Selector", unicode.Variation_Selector},
}

// pick draws a code point uniformly from t's ranges.
func pick(r *rand.Rand, t *unicode.RangeTable) rune {
	var total int
	for _, x := range t.R16 {
		total += int(x.Hi-x.Lo)/int(x.Stride) + 1
	}
	for _, x := range t.R32 {
		total += int(x.Hi-x.Lo)/int(x.Stride) + 1
	}
	n := r.IntN(total)
	for _, x := range t.R16 {
		if size := int(x.Hi-x.Lo)/int(x.Stride) + 1; n < size {
			return rune(int(x.Lo) + n*int(x.Stride))
		} else {
			n -= size
		}
	}
	for _, x := range t.R32 {
		if size := int(x.Hi-x.Lo)/int(x.Stride) + 1; n < size {
			return rune(int(x.Lo) + n*int(x.Stride))
		} else {
			n -= size
		}
	}
	panic("unreachable")
}

// letters are what the generated paths, queries and fragments are made of:
// ASCII and Latin letters, digits and the URL punctuation between them.
var letters = []rune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789üÜéßøñçå-._~/=&!$,;:@")

// targetBase is an ordinary target: an ASCII host, then a path, maybe a
// query and a fragment; it returns the URL and where its path starts.
func targetBase(r *rand.Rand) (string, int) {
	word := func() string {
		b := make([]rune, 1+r.IntN(12))
		for i := range b {
			b[i] = letters[r.IntN(len(letters))]
		}
		return string(b)
	}
	head := "https://" + strings.Repeat("w", 1+r.IntN(3)) + ".example"
	url := head + "/" + word()
	if r.IntN(2) == 0 {
		url += "?" + word() + "=" + word()
	}
	if r.IntN(3) == 0 {
		url += "#" + word()
	}
	return url, len(head)
}

// insert puts c into url at a random code point boundary after from, as
// UTF-8 or percent-encoded (upper or lower case hex).
func insert(r *rand.Rand, url string, from int, c rune) string {
	var bounds []int
	for i := range url[from+1:] { // after the '/' that ends the host
		bounds = append(bounds, from+1+i)
	}
	bounds = append(bounds, len(url))
	at := bounds[r.IntN(len(bounds))]
	text := string(c)
	if r.IntN(2) == 0 {
		var b strings.Builder
		for _, x := range []byte(text) {
			format := "%%%02X"
			if r.IntN(2) == 0 {
				format = "%%%02x"
			}
			fmt.Fprintf(&b, format, x)
		}
		text = b.String()
	}
	return url[:at] + text + url[at:]
}

// TestInvisibleCharactersProperty: a code point of every invisible class,
// raw or percent-encoded, anywhere in the path, query or fragment of an
// ordinary target, is refused with invisible_characters; the same targets
// without it are accepted as they are.
func TestInvisibleCharactersProperty(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(21, 4))
	for _, class := range invisibleClasses {
		t.Run(class.name, func(t *testing.T) {
			for range 2000 {
				base, pathAt := targetBase(r)
				if got, err := invisiblePolicy.Parse(base); err != nil || got != base {
					t.Fatalf("Parse(%+q) = %q, %v; want it accepted as it is", base, got, err)
				}
				c := pick(r, class.table)
				if !domain.IsInvisible(c) {
					t.Fatalf("IsInvisible(%U) = false for a code point of %s", c, class.name)
				}
				url := insert(r, base, pathAt, c)
				_, err := invisiblePolicy.Parse(url)
				var verr *domain.ValidationError
				if !errors.As(err, &verr) || verr.Reason != domain.ReasonInvisibleChars || verr.Field != "url" {
					t.Fatalf("Parse(%+q) with %U = %v; want url: invisible_characters", url, c, err)
				}
			}
		})
	}
}

func TestInvisibleCharactersInContext(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, url string
		refused   bool
	}{
		{"the attack", "https://evil.example/invoice\u202efdp.exe", true},
		{"the attack, percent-encoded", "https://evil.example/invoice%E2%80%AEfdp.exe", true},
		{"bidi isolate in the query", "https://example.com/?q=\u2067x\u2069", true},
		{"BOM in the fragment", "https://example.com/#\ufefftop", true},
		{"soft hyphen, lower-case hex", "https://example.com/pay%c2%adpal", true},
		{"zero-width joiner between letters", "https://example.com/a\u200db", true},
		{"zero-width joiner after an emoji only", "https://example.com/\U0001F600\u200d", true},
		{"zero-width joiner from an emoji to a letter", "https://example.com/\U0001F600\u200da", true},
		{"emoji presentation after a letter", "https://example.com/a\ufe0f", true},
		{"emoji presentation after ASCII punctuation", "https://example.com/=\ufe0f", true},
		{"tag characters after a flag", "https://example.com/\U0001F3F4\U000E0067\U000E0062\U000E007F", true},
		{"Hangul filler", "https://example.com/\u3164", true},
		{"combining grapheme joiner", "https://example.com/a\u034fb", true},
		{"ordinary Unicode", "https://bücher.example/Ü?x=ü", false},
		{"emoji", "https://example.com/\U0001F600", false},
		{"percent-encoded emoji", "https://example.com/%F0%9F%98%80", false},
		{"emoji presentation", "https://example.com/\u2764\ufe0f", false},
		{"emoji presentation, percent-encoded", "https://example.com/%E2%9D%A4%EF%B8%8F", false},
		{"keycap", "https://example.com/1\ufe0f\u20e3", false},
		{"family", "https://example.com/\U0001F468\u200d\U0001F469\u200d\U0001F467", false},
		{"skin tone and joiner", "https://example.com/\U0001F469\U0001F3FD\u200d\U0001F4BB", false},
		{"heart on fire", "https://example.com/\u2764\ufe0f\u200d\U0001F525", false},
		{"percent-encoded bytes that are not UTF-8", "https://example.com/%FF%FE", false},
		{"a percent sign", "https://example.com/100%25", false},
		{"ignorable code points in the host are dropped, as browsers do", "https://exa\u00admple.com/", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := invisiblePolicy.Parse(tc.url)
			var verr *domain.ValidationError
			switch {
			case tc.refused && (!errors.As(err, &verr) || verr.Reason != domain.ReasonInvisibleChars):
				t.Fatalf("Parse(%+q) = %q, %v; want invisible_characters", tc.url, got, err)
			case !tc.refused && err != nil:
				t.Fatalf("Parse(%+q): %v; want it accepted", tc.url, err)
			case !tc.refused && !utf8.ValidString(got):
				t.Fatalf("Parse(%+q) = %q", tc.url, got)
			}
		})
	}
}
