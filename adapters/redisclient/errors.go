package redisclient

import (
	"errors"
	"fmt"
	"strings"

	"github.com/redis/rueidis"

	"github.com/shortlink/shortlink/domain"
)

// transientPrefixes are the error replies of a Redis that is alive but cannot
// serve right now: starting, failing over, out of memory or stuck in a script.
var transientPrefixes = []string{"LOADING", "READONLY", "MASTERDOWN", "BUSY", "OOM", "TRYAGAIN", "CLUSTERDOWN", "NOREPLICAS"}

// Wrap wraps err for op, marking with domain.ErrUnavailable every sign that
// Redis cannot be reached or cannot serve right now. Error replies about the
// command itself (WRONGTYPE, syntax) stay opaque.
func Wrap(op string, err error) error {
	if Unavailable(err) {
		return fmt.Errorf("%s: %w: %w", op, domain.ErrUnavailable, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// Unavailable reports whether err means Redis is down or busy rather than
// that the command or the configuration is wrong: dial errors, resets,
// timeouts, a closed client, and transient error replies. A nil reply and a
// server without client-side caching support (a configuration error) are not.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var redisErr *rueidis.RedisError
	if errors.As(err, &redisErr) {
		if redisErr.IsNil() {
			return false
		}
		msg := redisErr.Error()
		for _, p := range transientPrefixes {
			if strings.HasPrefix(msg, p) {
				return true
			}
		}
		return false
	}
	return !errors.Is(err, rueidis.ErrNoCache)
}
