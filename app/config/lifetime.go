package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/shortlink/shortlink/domain"
)

// Lifetime is a link lifetime: a positive duration such as 336h, or
// "never" (domain.Forever) for links that do not expire.
type Lifetime time.Duration

// UnmarshalText parses a lifetime for the environment parser.
func (l *Lifetime) UnmarshalText(text []byte) error {
	s := strings.TrimSpace(string(text))
	if s == domain.NeverExpires {
		*l = Lifetime(domain.Forever)
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration such as 336h, or never", text)
	}
	*l = Lifetime(d)
	return nil
}

// Duration is the lifetime as a duration, domain.Forever for never.
func (l Lifetime) Duration() time.Duration { return time.Duration(l) }

// Never reports whether the lifetime is "never".
func (l Lifetime) Never() bool { return time.Duration(l) == domain.Forever }

func (l Lifetime) String() string {
	if l.Never() {
		return domain.NeverExpires
	}
	return time.Duration(l).String()
}
