package domain

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
		return "", invalid("code", reason)
	}
	return Code(s), nil
}

// ParseAlias validates a requested alias. The empty string means "no alias"
// and is returned as the empty Code with no error.
func ParseAlias(s string) (Code, error) {
	if s == "" {
		return "", nil
	}
	if reason := codeSyntaxError(s); reason != "" {
		return "", invalid("alias", reason)
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
