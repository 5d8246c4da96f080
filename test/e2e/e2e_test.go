//go:build e2e

// Package e2e runs the real binaries (migrate, partitions, batch, api) built
// from the working tree, behind the project's own nginx config, against a
// fresh database and private Redis servers, and checks the service from the
// outside: through the front door, as users and operators see the service.
//
//	go test -tags e2e -count=1 ./test/e2e/
package e2e

import (
	"testing"

	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// TestE2E starts one stack and runs every case against it. Groups run one
// after another, because the later ones read process-wide counters (cache
// metrics, the pool size) that concurrent requests would disturb.
func TestE2E(t *testing.T) {
	s := startStack(t)
	t.Run("routes", func(t *testing.T) { testRoutes(t, s) })
	t.Run("front door", func(t *testing.T) { testFrontDoor(t, s) })
	t.Run("redirect rules", func(t *testing.T) { testRulesThroughNginx(t, s.front()) })
	t.Run("first redirect after a create is a cache hit", func(t *testing.T) { testCacheHit(t, s) })
	t.Run("batch and pool", func(t *testing.T) { testPool(t, s) })
	t.Run("graceful shutdown", func(t *testing.T) { testShutdown(t, s) })
}

// front is the stack as a client of the public entry point sees it.
func (s *stack) front() httpsuite.Env {
	return httpsuite.Env{BaseURL: s.proxyURL, PublicBaseURL: s.proxyURL}
}
