package httpapi_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// TestBulkAndImportCountEveryItem checks that every item of a bulk create
// and every row of an import, dry runs included, counts against
// CREATE_RATE_LIMIT: past it, items answer 429 and rows are refused as
// rate_limited, as single creates would be.
func TestBulkAndImportCountEveryItem(t *testing.T) {
	t.Parallel()
	store := memory.NewLinkStore()
	env := httpsuite.StartInProcess(t, httpsuite.Parts{
		Store: store, Counter: store, Cache: testenv.MemoryCache(t, time.Hour, 10*time.Second),
		Limiter:   memory.NewRateLimiter(),
		Configure: func(cfg *config.Config) { cfg.CreateRateLimit = 10 },
	})
	// A dry run of four rows uses four creates of the ten.
	r := testkit.Send(nil, http.MethodPost, env.BaseURL+"/v1/shortlinks/import?format=csv&dry_run=true", "text/csv",
		[]byte("url\nhttps://example.com/1\nhttps://example.com/2\nhttps://example.com/3\nhttps://example.com/4\n"), nil)
	if r.Status != http.StatusOK {
		t.Fatalf("dry run = %s", r)
	}
	// A bulk of five: all within the limit (nine used).
	items := []map[string]any{}
	for range 5 {
		items = append(items, map[string]any{"url": "https://example.com/bulk"})
	}
	raw, _ := json.Marshal(map[string]any{"items": items})
	r = testkit.Send(nil, http.MethodPost, env.BaseURL+"/v1/shortlinks/bulk", "application/json", raw, nil)
	var bulk struct {
		Data struct {
			Results []struct {
				Status int            `json:"status"`
				Data   map[string]any `json:"data"`
			} `json:"results"`
		} `json:"data"`
	}
	if err := json.Unmarshal(r.Body, &bulk); err != nil || r.Status != http.StatusOK {
		t.Fatalf("bulk = %s", r)
	}
	for i, res := range bulk.Data.Results {
		if res.Status != http.StatusCreated {
			t.Fatalf("item %d = %d %v, want 201 within the limit", i, res.Status, res.Data)
		}
	}
	// Three more: the first is the tenth create, the others are over.
	raw, _ = json.Marshal(map[string]any{"items": items[:3]})
	r = testkit.Send(nil, http.MethodPost, env.BaseURL+"/v1/shortlinks/bulk", "application/json", raw, nil)
	if err := json.Unmarshal(r.Body, &bulk); err != nil || r.Status != http.StatusOK {
		t.Fatalf("bulk = %s", r)
	}
	want := []int{201, 429, 429}
	for i, res := range bulk.Data.Results {
		if res.Status != want[i] || (res.Status == 429 && res.Data["reason"] != "rate_limited") {
			t.Fatalf("item %d = %d %v, want %d", i, res.Status, res.Data, want[i])
		}
	}
	// An import over the limit refuses every row as rate_limited.
	r = testkit.Send(nil, http.MethodPost, env.BaseURL+"/v1/shortlinks/import?format=csv", "text/csv",
		[]byte("url\nhttps://example.com/late\n"), nil)
	var imp struct {
		Data struct {
			Imported int `json:"imported"`
			Refused  []struct {
				Line   int    `json:"line"`
				Reason string `json:"reason"`
			} `json:"refused"`
		} `json:"data"`
	}
	if err := json.Unmarshal(r.Body, &imp); err != nil || imp.Data.Imported != 0 || len(imp.Data.Refused) != 1 || imp.Data.Refused[0].Reason != "rate_limited" {
		t.Fatalf("import over the limit = %s", r)
	}
	// A single create is over too.
	testkit.ExpectError(t, httpsuite.Create(t, env, map[string]any{"url": "https://example.com/single"}), http.StatusTooManyRequests, "rate_limited", "")
}
