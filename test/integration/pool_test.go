//go:build integration

package integration

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/redisclient"

	"github.com/shortlink/shortlink/adapters/postgres"
	"github.com/shortlink/shortlink/adapters/redispool"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

var generatedCode = regexp.MustCompile(`^[0-9A-Za-z]{7}$`)

// TestBatchOnceFillsThePoolAndCreatesTakeFromIt runs the real batch and api:
// batch --once fills the codes Redis to POOL_TARGET, creates take their
// codes from it (POOL_TAKE_BATCH at a time, no fallback), a fill above
// POOL_LOW_WATER adds nothing, and one below it tops up to exactly the target.
func TestBatchOnceFillsThePoolAndCreatesTakeFromIt(t *testing.T) {
	t.Parallel()
	bin := testenv.BuildBinaries(t)
	s := testenv.NewStack(t, "")
	env := s.Env(baseEnv, map[string]string{"POOL_TARGET": "5000", "POOL_LOW_WATER": "1000", "POOL_TAKE_BATCH": "50"})
	codes := redisClient(t, s.Codes)

	testenv.RunBinary(t, bin, "batch", env, "--once")
	pool := poolMembers(t, codes)
	if len(pool) != 5000 {
		t.Fatalf("after batch --once the pool holds %d codes, want POOL_TARGET 5000", len(pool))
	}
	for code := range pool {
		if !generatedCode.MatchString(code) {
			t.Fatalf("pool member %q is not a 7-character base62 code", code)
		}
	}

	api := testenv.StartAPI(t, bin, env)
	const creates = 100 // two takes of POOL_TAKE_BATCH
	used := map[string]bool{}
	for i := range creates {
		code := mustCreate(t, api.BaseURL(), fmt.Sprintf("https://example.com/pool/%d", i))
		if !pool[code] || used[code] {
			t.Fatalf("create %d got code %s: in the pool %v, used before %v", i, code, pool[code], used[code])
		}
		used[code] = true
	}
	if got := poolSize(t, codes); got != 5000-creates {
		t.Fatalf("after %d creates the pool holds %d codes, want %d", creates, got, 5000-creates)
	}
	if f := testkit.Metric(t, api.BaseURL(), "shortlink_pool_fallbacks_total"); f != 0 {
		t.Fatalf("shortlink_pool_fallbacks_total = %v with a stocked pool", f)
	}

	testenv.RunBinary(t, bin, "batch", env, "--once")
	if got := poolSize(t, codes); got != 5000-creates {
		t.Fatalf("a fill above POOL_LOW_WATER changed the pool from %d to %d codes", 5000-creates, got)
	}

	env["POOL_LOW_WATER"] = "5000"
	testenv.RunBinary(t, bin, "batch", env, "--once")
	refilled := poolMembers(t, codes)
	if len(refilled) != 5000 {
		t.Fatalf("a fill below POOL_LOW_WATER left %d codes, want POOL_TARGET 5000", len(refilled))
	}
	for code := range used {
		if refilled[code] {
			t.Fatalf("code %s, already used by a link, is back in the pool", code)
		}
	}
}

// TestConcurrentFillsNeverAddTheSameCode runs two pool fillers at once, as
// two batch processes would, each with its own Postgres and Redis
// connections, on an empty pool: every code either adds lands in the set
// (SCARD is the sum, so no code was minted twice and collapsed), and the
// counter advanced by exactly that many values.
func TestConcurrentFillsNeverAddTheSameCode(t *testing.T) {
	t.Parallel()
	const target = 50_000
	dbURL := testenv.Database(t)
	server := testenv.StartRedisServer(t)
	fillers := make([]*app.PoolFiller, 2)
	for i := range fillers {
		store, err := postgres.Open(postgres.Options{URL: dbURL, MaxOpenConns: 2})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		client, err := redisclient.Dial(server.URL(), 5*time.Second, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(client.Close)
		pool := testenv.NewPool(t, client, redispool.Options{Timeout: 5 * time.Second})
		fillers[i] = app.NewPoolFiller(pool, store, app.NewCodeSecrets(store, codeSecret, false, slog.New(slog.DiscardHandler)), target, target, 5_000)
	}

	added := make([]int64, len(fillers))
	errs := make([]error, len(fillers))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, f := range fillers {
		wg.Go(func() {
			<-start
			added[i], errs[i] = f.Fill(context.Background())
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("filler %d: %v", i, err)
		}
	}
	total := added[0] + added[1]
	size := poolSize(t, redisClient(t, server))
	t.Logf("fillers added %d + %d = %d codes; SCARD = %d", added[0], added[1], total, size)
	if size != total {
		t.Fatalf("SCARD = %d, but the fillers added %d codes: %d were duplicates", size, total, total-size)
	}
	if total < target {
		t.Fatalf("fillers added %d codes, fewer than the target %d", total, target)
	}
	var next int64
	if err := testenv.SQL(t, dbURL).Get(&next, `SELECT next_value FROM code_counter`); err != nil {
		t.Fatal(err)
	}
	if next != total {
		t.Fatalf("counter at %d after %d codes were minted", next, total)
	}
}
