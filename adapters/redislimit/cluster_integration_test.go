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

func TestMain(m *testing.M) { testenv.Main(m) }

// TestRateLimiterContractOnCluster: each check's commands name one key, so
// they go to one primary in one round trip (a DoMulti spanning slots would
// split, and a multi-key command would be refused with CROSSSLOT).
func TestRateLimiterContractOnCluster(t *testing.T) {
	t.Parallel()
	porttest.RateLimiterContract(t, func(t *testing.T) ports.RateLimiter {
		client, prefix := testenv.RedisClusterClient(t)
		limiter, err := redislimit.New(client, redislimit.Options{KeyPrefix: prefix, Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		return limiter
	})
}
