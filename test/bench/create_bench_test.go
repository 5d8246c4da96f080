package bench

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
)

// BenchmarkCreate is what a create costs the api itself: the real router
// and use cases on in-memory ports, so JSON, validation, URL normalisation,
// the manage token and the answer are all that is measured.
//
//	go test ./test/bench -run '^$' -bench 'Create$' -cpu 2 -cpuprofile /tmp/create.cpu
func BenchmarkCreate(b *testing.B) {
	store := memory.NewLinkStore()
	api := httpsuite.Assemble(b, httpsuite.Parts{Store: store, Counter: store, Cache: testenv.MemoryCache(b, time.Hour, time.Second)})
	const body = `{"url":"https://example.com/bench/0123456789abcdef0123"}`
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodPost, "/v1/shortlink", strings.NewReader(body))
			req.Header["Content-Type"] = []string{"application/json"}
			w := httptest.NewRecorder()
			api.Router.ServeHTTP(w, req)
			if w.Code != http.StatusCreated {
				b.Fatalf("create = %d %s", w.Code, w.Body)
			}
		}
	})
}
