package httpapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/ports"
	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
)

// claimedIdempotencyKey is an Idempotency-Key the "claimed" server holds a
// request of in progress (an anonymous client's, from the loopback address).
const claimedIdempotencyKey = "doc-in-progress"

// startClaimedServer is an api whose store holds claimedIdempotencyKey's
// request as running: a retry of it is 409.
func startClaimedServer(t *testing.T) httpsuite.Env {
	t.Helper()
	store := memory.NewLinkStore()
	// As app.Idempotency names a caller's key: the digest of both.
	name := sha256.Sum256([]byte("shortlink idempotency key\x00client:127.0.0.1\x00" + claimedIdempotencyKey))
	now := time.Now()
	if _, _, err := store.ClaimIdempotency(context.Background(), ports.IdempotencyClaim{
		Key: hex.EncodeToString(name[:]), Fingerprint: []byte("another request"), Now: now,
		ExpiredBefore: now.Add(-time.Hour), StaleBefore: now.Add(-time.Hour),
	}); err != nil {
		t.Fatal(err)
	}
	return httpsuite.StartInProcess(t, httpsuite.Parts{
		Store: store, Counter: store, Cache: testenv.MemoryCache(t, time.Hour, 10*time.Second),
	})
}

func bulkExchanges(links openAPILinks) []exchange {
	const js, csv = "application/json", "text/csv"
	bearer := func(key string) map[string]string { return map[string]string{"Authorization": "Bearer " + key} }
	idem := func(key string) map[string]string { return map[string]string{"Idempotency-Key": key} }
	bulk := func(name, server, body string, header map[string]string, status int, conforms bool) exchange {
		return exchange{name: name, server: server, method: http.MethodPost, path: "/v1/shortlinks/bulk", contentType: js, header: header, body: body, status: status, conforms: conforms}
	}
	imp := func(name, server, query, body string, header map[string]string, status int, conforms bool) exchange {
		return exchange{name: name, server: server, method: http.MethodPost, path: "/v1/shortlinks/import" + query, contentType: csv, header: header, body: body, status: status, conforms: conforms}
	}
	items := `{"items":[{"url":"https://example.com/bulk"},{"url":"not a url"},{"url":"https://example.com/b","alias":"doc-link"},{"title":"no url"},7]}`
	rows := "keyword,url,title,timestamp\ndoc-imported,https://example.com/imported,Imported,2019-03-14 09:26:53\ndoc-link,https://example.com/taken,,\nbad,javascript:x,,\n"
	return []exchange{
		bulk("bulk", "up", items, nil, 200, true),
		bulk("bulk with a key", "up", `{"items":[{"url":"https://example.com/once"}]}`, idem("doc-bulk-1"), 200, true),
		bulk("bulk retried with its key", "up", `{"items":[{"url":"https://example.com/once"}]}`, idem("doc-bulk-1"), 200, true),
		bulk("bulk key reused for another body", "up", `{"items":[]}`, idem("doc-bulk-1"), 422, true),
		bulk("bulk while its key's request runs", "claimed", `{"items":[]}`, idem(claimedIdempotencyKey), 409, true),
		bulk("bulk with a bad key", "up", `{"items":[]}`, idem("has space"), 400, false),
		bulk("bulk over the rate limit", "limited", `{"items":[{"url":"https://example.com/1"},{"url":"https://example.com/2"}]}`, nil, 200, true),
		bulk("bulk of 1001 items", "up", `{"items":[`+strings.Repeat(`{},`, 1000)+`{}]}`, nil, 400, false),
		bulk("bulk without items", "up", `{}`, nil, 400, false),
		bulk("bulk without an API key", "keys", items, nil, 401, true),
		bulk("bulk with a viewer key", "up", items, bearer(links.viewerKey), 403, true),
		bulk("bulk over 2 MiB", "up", `{"items":[],"pad":"`+strings.Repeat("x", 2<<20)+`"}`, nil, 413, true),
		{name: "bulk as text/plain", server: "up", method: http.MethodPost, path: "/v1/shortlinks/bulk", contentType: "text/plain", body: `{"items":[]}`, status: 415},
		{name: "bulk body cut short", server: "up", method: http.MethodPost, path: "/v1/shortlinks/bulk", contentType: js, body: `{"items":[{"url":"https://example.com/never-sent"}]}`, status: 408, conforms: true, stall: true},
		bulk("bulk with a key, store down", "down", `{"items":[{"url":"https://example.com/"}]}`, idem("doc-bulk-down"), 503, true),

		imp("import", "up", "?format=csv", rows, nil, 200, true),
		imp("import dry run", "up", "?format=csv&dry_run=true", rows, nil, 200, true),
		imp("import retried with its key", "up", "?format=csv", "url\nhttps://example.com/imported-once\n", idem("doc-import-1"), 200, true),
		imp("import retried with its key, again", "up", "?format=csv", "url\nhttps://example.com/imported-once\n", idem("doc-import-1"), 200, true),
		imp("import key reused", "up", "?format=csv&dry_run=true", "url\nhttps://example.com/imported-once\n", idem("doc-import-1"), 422, true),
		imp("import while its key's request runs", "claimed", "?format=csv", "url\n", idem(claimedIdempotencyKey), 409, true),
		imp("import of no known format", "up", "?format=xml", rows, nil, 400, false),
		imp("import without a url column", "up", "?format=csv", "title\nx\n", nil, 400, true),
		imp("import without an API key", "keys", "?format=csv", rows, nil, 401, true),
		imp("import with a viewer key", "up", "?format=csv", rows, bearer(links.viewerKey), 403, true),
		imp("import over 32 MiB", "up", "?format=csv", "url\n"+strings.Repeat("x", 32<<20), nil, 413, true),
		{name: "import as JSON", server: "up", method: http.MethodPost, path: "/v1/shortlinks/import?format=csv", contentType: js, body: `{}`, status: 415},
		{name: "import body cut short", server: "up", method: http.MethodPost, path: "/v1/shortlinks/import?format=csv", contentType: csv, body: "url\nhttps://example.com/never-sent\n", status: 408, conforms: true, stall: true},
		imp("import with a key, store down", "down", "?format=csv", "url\nhttps://example.com/\n", idem("doc-import-down"), 503, true),
	}
}
