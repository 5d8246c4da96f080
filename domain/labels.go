package domain

import (
	"slices"
	"strings"
	"unicode/utf8"
)

const (
	// MaxTitleLen is the longest title, in characters.
	MaxTitleLen = 200
	// MaxTags is how many tags a link may carry.
	MaxTags   = 10
	maxTagLen = 32
)

// Labels are what a workspace writes on its links for itself: a title and
// tags. They are shown only to those who may read the link's statistics,
// never in public info or the preview.
type Labels struct {
	Title string
	Tags  []string // lower-cased, sorted, distinct
}

// ParseTitle checks a title as a client gave it.
func ParseTitle(raw string) (string, error) {
	title := strings.TrimSpace(raw)
	if utf8.RuneCountInString(title) > MaxTitleLen || !utf8.ValidString(title) || hasInvisibleRune(title) {
		return "", invalid("title", ReasonInvalidTitle, "title must be at most 200 visible characters")
	}
	return title, nil
}

// ParseTags checks tags as a client gave them: 1–32 of a-z0-9-_. each
// (lower-cased), at most MaxTags distinct ones. The result is sorted.
func ParseTags(raw []string) ([]string, error) {
	tags := make([]string, 0, len(raw))
	for _, t := range raw {
		tag, err := ParseTag(t)
		if err != nil {
			return nil, err
		}
		tags = append(tags, tag)
	}
	slices.Sort(tags)
	tags = slices.Compact(tags)
	if len(tags) > MaxTags {
		return nil, invalid("tags", ReasonTooManyTags, "a link may carry at most 10 tags")
	}
	return tags, nil
}

// ParseTag checks one tag, lower-casing it.
func ParseTag(raw string) (string, error) {
	tag := strings.ToLower(strings.TrimSpace(raw))
	if len(tag) == 0 || len(tag) > maxTagLen {
		return "", invalid("tags", ReasonInvalidTag, "a tag is 1 to 32 of a-z, 0-9, '-', '_' and '.'")
	}
	for i := 0; i < len(tag); i++ {
		c := tag[i]
		if !tagByte(c) {
			return "", invalid("tags", ReasonInvalidTag, "a tag is 1 to 32 of a-z, 0-9, '-', '_' and '.'")
		}
	}
	return tag, nil
}

// Ownership is whom a link belongs to besides its manage token: the
// workspace whose key created it, and that key. Anonymous links have none.
type Ownership struct {
	Workspace WorkspaceID
	Key       KeyID
}

// tagByte reports whether c may appear in a tag.
func tagByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
}
