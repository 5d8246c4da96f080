//go:build integration

package rediscache_test

import (
	"testing"

	"github.com/shortlink/shortlink/adapters/rediscache"
	"github.com/shortlink/shortlink/ports"
	"github.com/shortlink/shortlink/ports/porttest"
)

func TestLinkCacheContract(t *testing.T) {
	t.Parallel()
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			porttest.LinkCacheContract(t, func(t *testing.T) ports.LinkCache {
				c, _, _ := newCache(t, rediscache.Options{ClientSideCache: mode.clientSideCache})
				return c
			})
		})
	}
}
