package bench

// The redirect hot path in process, for CPU and allocation profiles: the
// real use cases and gin router, the real Redis cache adapter (client-side
// caching on, as the api dials it) against a private redis-server, and a
// ResponseWriter that discards. Network and HTTP parsing are left out, so
// what remains is what the api adds to a bare net/http server.
//
//	go test ./test/bench -run '^$' -bench 'Redirect$/' -benchmem -cpu 2 \
//	    -cpuprofile /tmp/redirect.cpu -memprofile /tmp/redirect.mem
//	go tool pprof -top -nodecount 30 /tmp/redirect.cpu
//	go tool pprof -sample_index alloc_space -top /tmp/redirect.mem

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/redisclient"
	"github.com/shortlink/shortlink/app/config"

	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/adapters/rediscache"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/ports"
	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
)

const seededLinks = 1000

func BenchmarkRedirect(b *testing.B) {
	redisCache := func(b *testing.B) ports.LinkCache {
		srv := testenv.StartRedisServer(b)
		client, err := redisclient.Dial(srv.URL(), 200*time.Millisecond, testenv.LocalCacheBytes)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(client.Close)
		return testenv.NewCache(b, client, rediscache.Options{ClientSideCache: true})
	}
	memoryCache := func(b *testing.B) ports.LinkCache {
		return testenv.MemoryCache(b, time.Hour, 10*time.Second)
	}
	for _, tc := range []struct {
		name        string
		cache       func(*testing.B) ports.LinkCache
		logRequests bool
		visits      bool
	}{
		{"cache=redis-csc", redisCache, false, false},
		{"cache=redis-csc+visits", redisCache, false, true},
		{"cache=redis-csc+accesslog", redisCache, true, false},
		{"cache=memory", memoryCache, false, false},
		{"cache=memory+visits", memoryCache, false, true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			handler, codes := newAPI(b, tc.cache(b), tc.logRequests, tc.visits)
			serveParallel(b, handler, codes, http.StatusFound)
		})
	}
	// What net/http costs with nothing in it: the bare server of make bench.
	b.Run("bare", func(b *testing.B) {
		handler := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header()["Location"] = []string{"https://example.com/bench/0123456789abcdef0123"}
			w.WriteHeader(http.StatusFound)
		})
		serveParallel(b, handler, []string{"abc"}, http.StatusFound)
	})
}

// newAPI assembles the api as cmd/api does, with LOG_LEVEL=warn (info when
// logRequests, written to io.Discard), visit counting only when visits
// (VISIT_PENDING_KEYS=0 otherwise), the memory store (a cached redirect
// never reaches it) and seeded links, each resolved once so the
// client-side cache holds it.
func newAPI(b *testing.B, cache ports.LinkCache, logRequests, visits bool) (http.Handler, []string) {
	b.Helper()
	store := memory.NewLinkStore()
	api := httpsuite.Assemble(b, httpsuite.Parts{
		Store: store, Counter: store, Cache: cache,
		Configure: func(cfg *config.Config) {
			cfg.PublicBaseURL = "http://localhost:8080"
			cfg.LogRequests = logRequests
			cfg.LogLevel = "warn"
			if !visits {
				cfg.VisitPendingKeys = 0
			}
			if logRequests {
				cfg.LogLevel = "info"
			}
		},
	})
	router, creator, resolver := api.Router, api.Creator, api.Resolver
	ctx := context.Background()
	codes := make([]string, seededLinks)
	for i := range codes {
		created, err := creator.Create(ctx, app.CreateRequest{URL: fmt.Sprintf("https://example.com/bench/%020x", i)})
		if err != nil {
			b.Fatal(err)
		}
		codes[i] = created.Link.Code().String()
		if _, err := resolver.Resolve(ctx, codes[i], benchClient{}); err != nil {
			b.Fatal(err)
		}
	}
	return router, codes
}

// serveParallel calls handler with GET /<code> of each code in turn, each
// from a client of the mix (mix_test.go), from GOMAXPROCS goroutines and
// fails the benchmark on any other status than want.
func serveParallel(b *testing.B, handler http.Handler, codes []string, want int) {
	b.Helper()
	clients := mixedClients(b)
	// One set of requests per goroutine RunParallel starts, built untimed.
	sets := make([][]*http.Request, runtime.GOMAXPROCS(0))
	for s := range sets {
		sets[s] = make([]*http.Request, len(codes))
		for i, code := range codes {
			sets[s][i] = mixedRequest("/"+code, clients[(i+s)%len(clients)])
		}
	}
	var bad, next atomic.Int64
	b.ReportAllocs()
	cpu0 := processCPU()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		reqs := sets[int(next.Add(1)-1)%len(sets)]
		w := &discardWriter{header: http.Header{}}
		for i := 0; pb.Next(); i++ {
			clear(w.header)
			w.status = 0
			handler.ServeHTTP(w, reqs[i%len(reqs)])
			if w.status != want {
				bad.Add(1)
			}
		}
	})
	b.StopTimer()
	// CPU time per op is steadier than ns/op on a busy machine: time slices
	// lost to other processes do not count.
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
	if n := bad.Load(); n > 0 {
		b.Fatalf("%d answers were not %d", n, want)
	}
}

// processCPU is the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// discardWriter is the cheapest http.ResponseWriter: it keeps the status.
type discardWriter struct {
	header http.Header
	status int
}

func (w *discardWriter) Header() http.Header { return w.header }

func (w *discardWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return len(p), nil
}

func (w *discardWriter) WriteHeader(status int) { w.status = status }

// benchClient is the one client of the in-process benchmarks.
type benchClient struct{}

func (benchClient) ClientKey() string { return "127.0.0.1" }
