package bench

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/postgres"
	"github.com/shortlink/shortlink/adapters/rediscache"
	"github.com/shortlink/shortlink/adapters/redisclient"
	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
)

// BenchmarkRedirectMiss is a redirect the cache cannot answer, in process:
// the real Redis cache (client-side caching on) and the real Postgres
// store, on a database of missLinks links generated in SQL, each looked up
// once in random order, so nearly every lookup misses every cache and
// reaches Postgres. It needs the test servers (TEST_* or testcontainers).
//
//	go test ./test/bench -run '^$' -bench RedirectMiss -cpu 2 -cpuprofile /tmp/miss.cpu
func BenchmarkRedirectMiss(b *testing.B) {
	for _, workers := range []int{16, 2} { // 16: nearly a statement per lookup; 2: the default
		b.Run(fmt.Sprintf("lookup-workers=%d", workers), func(b *testing.B) { benchmarkMiss(b, workers) })
	}
}

func benchmarkMiss(b *testing.B, lookupWorkers int) {
	const missLinks = 200_000
	dbURL := testenv.Database(b)
	db := testenv.SQL(b, dbURL)
	if _, err := db.Exec(fmt.Sprintf(`
		WITH ins AS (
			INSERT INTO short_link (code, url, created_at, expires_at)
			SELECT 'm' || lpad(n::text, 7, '0'), 'https://example.com/miss/' || n, now(), now() + interval '14 days'
			FROM generate_series(0, %d) AS n RETURNING id, code, created_at, expires_at)
		INSERT INTO code_claim (code, link_id, free_after, created_at) SELECT code, id, expires_at + interval '365 days', created_at FROM ins`, missLinks-1)); err != nil {
		b.Fatal(err)
	}
	store, err := postgres.Open(postgres.Options{URL: dbURL, MaxOpenConns: 16, Timeout: 5 * time.Second, LookupWorkers: lookupWorkers})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	srv := testenv.StartRedisServer(b)
	client, err := redisclient.Dial(srv.URL(), 200*time.Millisecond, testenv.LocalCacheBytes)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(client.Close)
	cache := testenv.NewCache(b, client, rediscache.Options{ClientSideCache: true})
	api := httpsuite.Assemble(b, httpsuite.Parts{
		Store: store, Counter: store, Cache: cache,
		Configure: func(cfg *config.Config) { cfg.LogLevel = "warn" },
	})
	codes := make([]string, missLinks)
	for i, n := range permutation(missLinks) {
		codes[i] = fmt.Sprintf("m%07d", n)
	}
	if b.N > missLinks {
		b.Logf("%d lookups of %d links: the later ones hit the cache", b.N, missLinks)
	}
	b.SetParallelism(32) // 64 lookups in flight, as wrk -c64 keeps them
	serveParallel(b, api.Router, codes, http.StatusFound)
}

// permutation is 0..n-1 in a fixed pseudo-random order.
func permutation(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	x := uint64(88172645463325252)
	for i := n - 1; i > 0; i-- {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		j := int(x % uint64(i+1))
		p[i], p[j] = p[j], p[i]
	}
	return p
}
