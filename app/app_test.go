package app_test

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"go.uber.org/mock/gomock"

	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports/mocks"
)

var (
	now        = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	quietLog   = slog.New(slog.NewTextHandler(io.Discard, nil))
	urlPolicy  = domain.URLPolicy{MaxLength: 4096, PublicHost: "localhost:8080"}
	expiry     = domain.ExpiryPolicy{Default: 14 * 24 * time.Hour, Max: 365 * 24 * time.Hour}
	quarantine = domain.CodeQuarantine(365 * 24 * time.Hour)
)

type deps struct {
	store   *mocks.MockLinkStore
	cache   *mocks.MockLinkCache
	pool    *mocks.MockCodePool
	counter *mocks.MockCodeCounter
	// secrets mint with codeSecret, as gen does.
	secrets *app.CodeSecrets
	gen     *domain.CodeGenerator
}

// codeSecret is the CODE_SECRET the tests' codes are minted with.
const codeSecret = "test"

func newDeps(t *testing.T) deps {
	t.Helper()
	ctrl := gomock.NewController(t)
	gen, err := domain.NewCodeGenerator(codeSecret)
	if err != nil {
		t.Fatal(err)
	}
	return deps{
		store:   mocks.NewMockLinkStore(ctrl),
		cache:   mocks.NewMockLinkCache(ctrl),
		pool:    mocks.NewMockCodePool(ctrl),
		counter: mocks.NewMockCodeCounter(ctrl),
		secrets: app.NewCodeSecrets(memory.NewLinkStore(), codeSecret, false, quietLog),
		gen:     gen,
	}
}

// caches are the tiers of a process that shares its store, with the mock
// as the shared tier and no local one.
func (d deps) caches() *app.LinkCaches { return app.NewLinkCaches(nil, d.cache, false) }

// someone is the client of the tests' lookups.
var someone = client("192.0.2.1")

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

func (d deps) creator(batch int) *app.Creator {
	supply := app.NewCodeSupply(d.pool, d.counter, d.secrets, batch, quietLog)
	return app.NewCreator(d.store, d.caches(), supply, fixedClock{now}, urlPolicy, expiry, quarantine, quietLog)
}
