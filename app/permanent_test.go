package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
)

// TestPermanentLinksEndToEndOfTheUseCases: DEFAULT_TTL=never makes an
// omitted expiry permanent, stored as PermanentExpiry with its code claimed
// for good; a change with MAX_TTL=never gives it an end and takes it back.
func TestPermanentLinksEndToEndOfTheUseCases(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := memory.NewLinkStore()
	caches := app.NewLinkCaches(mustMemoryCache(t), nil, false)
	policy := domain.ExpiryPolicy{Default: domain.Forever, Max: domain.Forever}
	supply := app.NewCodeSupply(nil, store, app.NewCodeSecrets(store, codeSecret, false, quietLog), 4, quietLog)
	creator := app.NewCreator(store, caches, supply, fixedClock{now}, urlPolicy, policy, quarantine, quietLog)

	created, err := creator.Create(ctx, app.CreateRequest{URL: "https://example.com/poster", Alias: "poster"})
	if err != nil || !created.Link.Permanent() || !created.Link.ExpiresAt().Equal(domain.PermanentExpiry) {
		t.Fatalf("DEFAULT_TTL=never: create = %+v, %v", created.Link, err)
	}
	stored, err := store.Find(ctx, "poster", now.AddDate(100, 0, 0))
	if err != nil || !stored.Permanent() || stored.Status(now.AddDate(100, 0, 0)) != domain.StatusActive {
		t.Fatalf("a century on: %+v, %v", stored, err)
	}

	opts := managerOptions()
	opts.MaxTTL = domain.Forever
	m := app.NewManager(store, caches, fixedClock{now}, opts, quietLog)
	end := now.Add(72 * time.Hour)
	info, err := m.Update(ctx, "poster", created.ManageToken, someone, app.Patch{ExpiresAt: &end})
	if err != nil || info.Link.Permanent() || !info.Link.ExpiresAt().Equal(end) {
		t.Fatalf("give it an end = %+v, %v", info.Link, err)
	}
	forever := domain.PermanentExpiry
	if info, err = m.Update(ctx, "poster", created.ManageToken, someone, app.Patch{ExpiresAt: &forever}); err != nil || !info.Link.Permanent() {
		t.Fatalf("make it permanent again = %+v, %v", info.Link, err)
	}
}
