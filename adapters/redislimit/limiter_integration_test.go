//go:build integration

package redislimit_test

import (
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/redislimit"
	"github.com/shortlink/shortlink/ports"
	"github.com/shortlink/shortlink/ports/porttest"
	"github.com/shortlink/shortlink/test/testenv"
)

func TestRateLimiterContract(t *testing.T) {
	t.Parallel()
	porttest.RateLimiterContract(t, func(t *testing.T) ports.RateLimiter {
		client, prefix := testenv.RedisCacheClient(t)
		limiter, err := redislimit.New(client, redislimit.Options{KeyPrefix: prefix, Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		return limiter
	})
}
