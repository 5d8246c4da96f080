// Package doccheck checks the repository's Markdown documents without a
// server: their relative links and anchors lead somewhere, they cite
// nothing outside the repository, and docs/configuration.md lists every
// variable of app/config with its default. Its tests run in `make test`.
//
// The reader below knows the part of CommonMark the documents use: fenced
// code blocks (``` and ~~~, whose content is not Markdown), code spans,
// ATX headings (# Title), inline links and images, reference definitions,
// and HTML href, src, id and name attributes. Setext headings and indented
// code blocks are not recognised: the documents use neither.
package doccheck

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// document is what the checks need of one Markdown file.
type document struct {
	links   []link
	anchors map[string]bool // the fragments that lead into the file
	text    []line          // the prose: every line outside fenced code, code spans blanked
}

// link is one link target as written, and the line it is on.
type link struct {
	line   int
	target string
}

// line is one line of prose and its 1-based number.
type line struct {
	number int
	text   string
}

var (
	fenceOpen     = regexp.MustCompile("^ {0,3}(`{3,}|~{3,})(.*)$")
	atxHeading    = regexp.MustCompile(`^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$`)
	referenceDef  = regexp.MustCompile(`^ {0,3}\[[^\]]+\]:[ \t]*(<[^>]*>|\S+)`)
	htmlTarget    = regexp.MustCompile(`(?i)<(?:a|img|source)\b[^>]*?\b(?:href|src)\s*=\s*["']([^"']*)["']`)
	htmlAnchor    = regexp.MustCompile(`(?i)<[a-z][a-z0-9]*\b[^>]*?\b(?:id|name)\s*=\s*["']([^"']+)["']`)
	inlineLinkRef = regexp.MustCompile(`\[[^\]]*\]\([^)]*\)`)
)

// parse reads a Markdown document.
func parse(text string) document {
	doc := document{anchors: map[string]bool{}}
	slugs := map[string]int{}
	fence := "" // the open fence's marker, "" outside one
	for i, raw := range strings.Split(text, "\n") {
		number := i + 1
		l := strings.TrimRight(raw, "\r")
		if m := fenceOpen.FindStringSubmatch(l); m != nil {
			marker, rest := m[1], m[2]
			switch {
			case fence == "" && (marker[0] == '~' || !strings.Contains(rest, "`")):
				fence = marker
				continue
			case fence != "" && marker[0] == fence[0] && len(marker) >= len(fence) && strings.TrimSpace(rest) == "":
				fence = ""
				continue
			}
		}
		if fence != "" {
			continue
		}
		prose := blankCodeSpans(l)
		doc.text = append(doc.text, line{number: number, text: prose})
		if m := atxHeading.FindStringSubmatch(l); m != nil {
			doc.anchors[uniqueSlug(slugs, slug(headingText(m[2])))] = true
		}
		for _, m := range htmlAnchor.FindAllStringSubmatch(prose, -1) {
			doc.anchors[m[1]] = true
		}
		if m := referenceDef.FindStringSubmatch(prose); m != nil {
			doc.links = append(doc.links, link{line: number, target: strings.Trim(m[1], "<>")})
			continue
		}
		for _, target := range inlineTargets(prose) {
			doc.links = append(doc.links, link{line: number, target: target})
		}
		for _, m := range htmlTarget.FindAllStringSubmatch(prose, -1) {
			doc.links = append(doc.links, link{line: number, target: m[1]})
		}
	}
	return doc
}

// blankCodeSpans replaces every code span of l, backticks included, with
// spaces, so what looks like a link or a heading inside one is not read as
// such. An unclosed run of backticks is literal text, as in CommonMark.
func blankCodeSpans(l string) string {
	b := []byte(l)
	for i := 0; i < len(b); {
		if b[i] != '`' {
			i++
			continue
		}
		run := i
		for i < len(b) && b[i] == '`' {
			i++
		}
		n := i - run
		end := closingRun(b, i, n)
		if end < 0 {
			continue
		}
		for j := run; j < end+n; j++ {
			b[j] = ' '
		}
		i = end + n
	}
	return string(b)
}

// closingRun is where the next run of exactly n backticks at or after from
// starts, or -1.
func closingRun(b []byte, from, n int) int {
	for i := from; i < len(b); {
		if b[i] != '`' {
			i++
			continue
		}
		start := i
		for i < len(b) && b[i] == '`' {
			i++
		}
		if i-start == n {
			return start
		}
	}
	return -1
}

// inlineTargets are the destinations of the inline links and images of a
// line of prose: what follows each "](" up to its closing parenthesis,
// without the optional title.
func inlineTargets(prose string) []string {
	var targets []string
	for rest := prose; ; {
		i := strings.Index(rest, "](")
		if i < 0 {
			return targets
		}
		rest = rest[i+2:]
		target, ok := destination(strings.TrimLeft(rest, " \t"))
		if ok {
			targets = append(targets, target)
		}
	}
}

// destination reads a link destination at the start of s: <…>, or the text
// up to a space or the parenthesis that closes the link (nested pairs
// allowed).
func destination(s string) (string, bool) {
	if strings.HasPrefix(s, "<") {
		end := strings.IndexByte(s, '>')
		if end < 0 {
			return "", false
		}
		return s[1:end], true
	}
	depth := 0
	for i, r := range s {
		switch {
		case r == '(':
			depth++
		case r == ')' && depth == 0:
			return s[:i], true
		case r == ')':
			depth--
		case r == ' ' || r == '\t':
			return s[:i], depth == 0
		}
	}
	return "", false
}

// headingText is the text a heading shows, as far as its slug goes: each
// inline link reduced to its text. Code spans keep their words (slug drops
// the backticks), as on GitHub.
func headingText(h string) string {
	return inlineLinkRef.ReplaceAllStringFunc(h, func(m string) string {
		return m[1:strings.Index(m, "](")]
	})
}

// slug is GitHub's anchor for a heading's text: lower case, every
// character but letters, digits, marks, spaces, hyphens and underscores
// removed, then each space a hyphen.
func slug(text string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(text)) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// uniqueSlug numbers repeated slugs as GitHub does: the second "x" is "x-1".
func uniqueSlug(seen map[string]int, s string) string {
	n, repeated := seen[s]
	seen[s] = n + 1
	if !repeated {
		return s
	}
	return s + "-" + strconv.Itoa(n)
}
