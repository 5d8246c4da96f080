package httpapi_test

import (
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/httpsuite"
)

// TestPasswordFloodLeavesRedirectsAlone floods unlock attempts (no attempt
// limits in this assembly: every one is hashed, at 19 MiB each) while
// timing ordinary redirects of another link: the hasher runs at most one
// hash per core, so the redirects keep answering, and the heap stays
// within a few hashes' memory however many attempts wait.
func TestPasswordFloodLeavesRedirectsAlone(t *testing.T) {
	if testing.Short() {
		t.Skip("floods argon2id for seconds")
	}
	env, _ := startMemoryAPI(t)
	plain := httpsuite.MustCreate(t, env, map[string]any{"url": "https://example.com/plain"}).Field("code")
	var protected []string
	for i := range 4 {
		protected = append(protected, httpsuite.MustCreate(t, env, map[string]any{
			"url": fmt.Sprintf("https://example.com/secret/%d", i), "password": httpsuite.Password,
		}).Field("code"))
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	redirects := func(n int) []time.Duration {
		d := make([]time.Duration, 0, n)
		for range n {
			start := time.Now()
			r, err := client.Get(env.BaseURL + "/" + plain)
			if err != nil {
				t.Fatal(err)
			}
			r.Body.Close()
			if r.StatusCode != http.StatusFound {
				t.Fatalf("redirect: %d", r.StatusCode)
			}
			d = append(d, time.Since(start))
		}
		slices.Sort(d)
		return d
	}
	pct := func(d []time.Duration, p int) time.Duration { return d[(len(d)-1)*p/100] }

	quiet := redirects(200)

	var (
		stop     atomic.Bool
		attempts atomic.Int64
		wg       sync.WaitGroup
		peakHeap atomic.Uint64
	)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				r := httpsuite.Send(t, env, http.MethodPost, "/v1/shortlink/"+protected[i%len(protected)]+"/unlock", "",
					map[string]any{"password": "not the password"})
				if r.Status != http.StatusForbidden && r.Status != http.StatusServiceUnavailable {
					t.Errorf("a flooded unlock: %s", r)
				}
				attempts.Add(1)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for !stop.Load() {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peakHeap.Load() {
				peakHeap.Store(m.HeapInuse)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	time.Sleep(300 * time.Millisecond) // the flood under way
	flooded := redirects(200)
	stop.Store(true)
	wg.Wait()

	t.Logf("redirects p50/p99: quiet %v/%v, during a flood of %d unlock attempts from 16 clients %v/%v; peak heap in use %d MiB (GOMAXPROCS %d)",
		pct(quiet, 50), pct(quiet, 99), attempts.Load(), pct(flooded, 50), pct(flooded, 99), peakHeap.Load()>>20, runtime.GOMAXPROCS(0))
	if p := pct(flooded, 50); p > 50*time.Millisecond {
		t.Errorf("redirects during the flood: p50 %v, want under 50ms", p)
	}
	// One hash per core at a time: the 16 waiting attempts hold no memory.
	if limit := uint64(runtime.GOMAXPROCS(0)+2) * 19 << 20 * 2; peakHeap.Load() > limit {
		t.Errorf("peak heap in use %d MiB during the flood, want under %d MiB", peakHeap.Load()>>20, limit>>20)
	}
}
