package domain

import "slices"

// Code is the path segment that identifies a short link: either a generated
// code (exactly GeneratedCodeLength base62 characters) or a user's alias.
// A Code value is always valid; build one with ParseCode or ParseAlias.
type Code string

const (
	// MaxCodeLength bounds codes and aliases alike.
	MaxCodeLength = 32
	// GeneratedCodeLength is the length of every code the service mints.
	GeneratedCodeLength = 7
)

// ParseCode validates a code taken from a request path.
func ParseCode(s string) (Code, error) {
	if reason := codeSyntaxError(s); reason != "" {
		return "", invalid("code", ReasonInvalidCode, "code "+reason)
	}
	return Code(s), nil
}

// reservedAliases are the top-level route names: an alias equal to one would
// be shadowed by its route. Paths are case-sensitive, so only exact matches
// are reserved ("Metrics" is a free alias). Names with '_' need no entry:
// no alias can contain one.
var reservedAliases = []string{"v1", "metrics", "health", "ready", "openapi"}

// ReservedAliases returns a copy of the names ParseAlias refuses, so that
// the HTTP layer can check its top-level routes against them.
func ReservedAliases() []string { return slices.Clone(reservedAliases) }

// ParseAlias validates a requested alias. The empty string means "no alias"
// and is returned as the empty Code with no error.
func ParseAlias(s string) (Code, error) {
	if s == "" {
		return "", nil
	}
	if reason := codeSyntaxError(s); reason != "" {
		return "", invalid("alias", ReasonInvalidAlias, "alias "+reason)
	}
	if slices.Contains(reservedAliases, s) {
		return "", invalid("alias", ReasonReservedAlias, "alias is reserved for a route of this service")
	}
	return Code(s), nil
}

func (c Code) String() string { return string(c) }

// codeSyntaxError returns why s is not a code, or "" when it is one:
// 1–32 base62 characters, with '-' allowed only between them.
func codeSyntaxError(s string) string {
	if s == "" || len(s) > MaxCodeLength {
		return "must be 1 to 32 characters long"
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case isBase62(ch):
		case ch == '-' && i > 0 && i < len(s)-1:
		default:
			return "may contain only 0-9, a-z, A-Z and '-' (not first or last)"
		}
	}
	return ""
}

func isBase62(ch byte) bool {
	return ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z'
}
