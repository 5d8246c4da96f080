package httpsuite

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/testkit"
)

// importFixtures are CSV files in the shapes of the exports of YOURLS,
// Kutt, Shlink and Bitly (docs/import.md). Their aliases contain "fx1",
// which each run replaces with a fresh word: the suite may run twice
// against one store.
//
//go:embed testdata/import/*.csv
var importFixtures embed.FS

// runBulk checks bulk creates and imports (SPEC §17).
func runBulk(t *testing.T, newEnv func(t *testing.T) Env) {
	t.Helper()
	cases := []struct {
		name  string
		check func(t *testing.T, env Env)
	}{
		{"bulk answers each item as a single create, in order", bulkAnswersEachItemInOrder},
		{"bulk retried with its Idempotency-Key creates nothing new", bulkRetryCreatesNothingNew},
		{"bulk concurrent retries with one key create once", bulkConcurrentRetriesCreateOnce},
		{"bulk refuses more than 1000 items", bulkRefusesTooManyItems},
		{"the four export fixtures import", fixturesImport},
		{"an import dry run imports nothing", importDryRunImportsNothing},
		{"an import refuses a quarantined alias as alias_taken", importRefusesQuarantinedAlias},
		{"an import reports refused rows with their lines", importReportsRefusedRows},
		{"a workspace key's import is its workspace's, and audited", importByAWorkspaceKeyIsAudited},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.check(t, newEnv(t))
		})
	}
}

// bulkAnswer is the data of a bulk create's answer.
type bulkAnswer struct {
	Status int `json:"status"`
	Data   struct {
		Results []struct {
			Status int            `json:"status"`
			Data   map[string]any `json:"data"`
		} `json:"results"`
		Created int `json:"created"`
		Failed  int `json:"failed"`
	} `json:"data"`
}

func sendBulk(t testing.TB, env Env, key string, items []map[string]any) (Response, bulkAnswer) {
	t.Helper()
	raw, err := json.Marshal(map[string]any{"items": items})
	if err != nil {
		t.Fatal(err)
	}
	header := http.Header{}
	if key != "" {
		header.Set("Idempotency-Key", key)
	}
	r := testkit.Send(nil, http.MethodPost, env.BaseURL+"/v1/shortlinks/bulk", "application/json", raw, header)
	if r.Err != nil {
		t.Fatalf("bulk: %v", r.Err)
	}
	var a bulkAnswer
	if r.Status == http.StatusOK {
		if err := json.Unmarshal(r.Body, &a); err != nil {
			t.Fatalf("bulk answer: %v; %s", err, r)
		}
	}
	return r, a
}

// thousandItems are 1,000 creates of which those at bad are refused: a
// bad URL, an invalid alias, a missing url.
func thousandItems(run string, bad map[int]map[string]any) []map[string]any {
	items := make([]map[string]any, 1000)
	for i := range items {
		if item, ok := bad[i]; ok {
			items[i] = item
			continue
		}
		items[i] = map[string]any{"url": fmt.Sprintf("https://example.com/bulk/%s/%d", run, i)}
		if i%100 == 7 {
			items[i]["alias"] = fmt.Sprintf("bk-%s-%d", run, i)
		}
	}
	return items
}

func bulkAnswersEachItemInOrder(t *testing.T, env Env) {
	run := testkit.RandomHex(4)
	bad := map[int]map[string]any{
		10:  {"url": "not a url"},
		500: {"url": "https://example.com/x", "alias": "no spaces allowed"},
		999: {"title": "no url"},
	}
	items := thousandItems(run, bad)
	r, a := sendBulk(t, env, "", items)
	if r.Status != http.StatusOK || len(a.Data.Results) != len(items) || a.Data.Created != 997 || a.Data.Failed != 3 {
		t.Fatalf("bulk = %d, %d results (%d created, %d failed), want 200 with 997 × 201 and 3 × 400", r.Status, len(a.Data.Results), a.Data.Created, a.Data.Failed)
	}
	reasons := map[int]string{10: "invalid_url", 500: "invalid_alias", 999: "missing_field"}
	for i, res := range a.Data.Results {
		if want, isBad := reasons[i]; isBad {
			if res.Status != http.StatusBadRequest || res.Data["reason"] != want {
				t.Fatalf("item %d = %d %v, want 400 %s", i, res.Status, res.Data, want)
			}
			continue
		}
		if res.Status != http.StatusCreated || res.Data["url"] != items[i]["url"] || res.Data["manage_token"] == "" {
			t.Fatalf("item %d = %d %v, want 201 for %v", i, res.Status, res.Data, items[i]["url"])
		}
		if alias, ok := items[i]["alias"]; ok && res.Data["code"] != alias {
			t.Fatalf("item %d: code %v, want the alias %v", i, res.Data["code"], alias)
		}
	}
	for _, i := range []int{0, 7, 998} { // the links redirect
		testkit.ExpectRedirect(t, env.BaseURL+"/"+a.Data.Results[i].Data["code"].(string), items[i]["url"].(string))
	}
	// The same alias again, in bulk, is what a single create answers.
	_, again := sendBulk(t, env, "", []map[string]any{{"url": "https://example.com/again", "alias": items[7]["alias"]}})
	if res := again.Data.Results; len(res) != 1 || res[0].Status != http.StatusConflict || res[0].Data["reason"] != "alias_taken" {
		t.Fatalf("bulk of a taken alias = %v, want one 409 alias_taken", res)
	}
}

func bulkRetryCreatesNothingNew(t *testing.T, env Env) {
	run := testkit.RandomHex(4)
	key := "retry-" + run
	items := thousandItems(run, map[int]map[string]any{3: {"url": "ftp://example.com/"}, 4: {"url": 5}, 5: {"url": ""}})
	r1, first := sendBulk(t, env, key, items)
	r2, _ := sendBulk(t, env, key, items)
	if r1.Status != http.StatusOK || r2.Status != http.StatusOK || first.Data.Created != 997 {
		t.Fatalf("bulk twice = %d (%d created), %d; want 200 with 997 created, twice", r1.Status, first.Data.Created, r2.Status)
	}
	if string(r1.Body) != string(r2.Body) || r2.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("the retry did not answer the first result (Idempotent-Replayed %q)", r2.Header.Get("Idempotent-Replayed"))
	}
	// Without the key, the same items create again: generated codes are new.
	_, third := sendBulk(t, env, "", items[:1])
	if third.Data.Results[0].Data["code"] == first.Data.Results[0].Data["code"] {
		t.Fatalf("a create without the key answered the first result")
	}
	// The same key with another body is refused.
	r4, _ := sendBulk(t, env, key, items[:2])
	testkit.ExpectError(t, r4, http.StatusUnprocessableEntity, "idempotency_key_reused", "Idempotency-Key")
}

func bulkConcurrentRetriesCreateOnce(t *testing.T, env Env) {
	run := testkit.RandomHex(4)
	key := "concurrent-" + run
	items := []map[string]any{{"url": "https://example.com/once/" + run, "alias": "once-" + run}}
	const n = 8
	var (
		wg      sync.WaitGroup
		answers [n]Response
		bodies  [n]bulkAnswer
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i], bodies[i] = sendBulk(t, env, key, items)
		}()
	}
	wg.Wait()
	var firsts, replays, inProgress int
	for i, r := range answers {
		switch {
		case r.Status == http.StatusConflict && r.Reason() == "idempotency_in_progress":
			inProgress++
		case r.Status != http.StatusOK:
			t.Fatalf("retry %d = %s", i, r)
		case bodies[i].Data.Results[0].Status != http.StatusCreated:
			// An alias_taken here would mean a second create ran.
			t.Fatalf("retry %d: item %v, want the first result (201)", i, bodies[i].Data.Results[0])
		case r.Header.Get("Idempotent-Replayed") == "true":
			replays++
		default:
			firsts++
		}
	}
	if firsts != 1 || firsts+replays+inProgress != n {
		t.Fatalf("%d ran, %d replayed, %d in progress; want exactly one run", firsts, replays, inProgress)
	}
}

func bulkRefusesTooManyItems(t *testing.T, env Env) {
	items := make([]map[string]any, 1001)
	for i := range items {
		items[i] = map[string]any{"url": "https://example.com/"}
	}
	r, _ := sendBulk(t, env, "", items)
	testkit.ExpectError(t, r, http.StatusBadRequest, "too_many_items", "items")
}

// importAnswer is the data of an import's answer.
type importAnswer struct {
	DryRun   bool `json:"dry_run"`
	Rows     int  `json:"rows"`
	Imported int  `json:"imported"`
	Created  []struct {
		Line        int    `json:"line"`
		Code        string `json:"code"`
		ShortURL    string `json:"short_url"`
		ManageToken string `json:"manage_token"`
	} `json:"created"`
	Refused []struct {
		Line   int    `json:"line"`
		Reason string `json:"reason"`
		Field  string `json:"field"`
	} `json:"refused"`
}

func sendImport(t testing.TB, env Env, query, key, csv string) (Response, importAnswer) {
	t.Helper()
	header := http.Header{}
	if key != "" {
		header.Set("Idempotency-Key", key)
	}
	r := testkit.Send(nil, http.MethodPost, env.BaseURL+"/v1/shortlinks/import?format=csv"+query, "text/csv", []byte(csv), header)
	if r.Err != nil {
		t.Fatalf("import: %v", r.Err)
	}
	var a struct {
		Data importAnswer `json:"data"`
	}
	if r.Status == http.StatusOK {
		if err := json.Unmarshal(r.Body, &a); err != nil {
			t.Fatalf("import answer: %v; %s", err, r)
		}
	}
	return r, a.Data
}

func fixture(t testing.TB, name, run string) string {
	t.Helper()
	raw, err := importFixtures.ReadFile("testdata/import/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(raw), "fx1", run)
}

func fixturesImport(t *testing.T, env Env) {
	want := map[string][]string{ // the codes each keeps, by its lines
		"yourls.csv": {"yl-fx1-docs", "yl-fx1-blog", "yl-fx1-old"},
		"kutt.csv":   {"kt-fx1-repo", "kt-fx1-talk"},
		"shlink.csv": {"sh-fx1-news", "sh-fx1-shop", "sh-fx1-wiki"},
		"bitly.csv":  {"bt-fx1-rpt", "bt-fx1-jobs"},
	}
	for name, codes := range want {
		run := testkit.RandomHex(4)
		key := "import-" + run
		csv := fixture(t, name, run)
		r, a := sendImport(t, env, "", key, csv)
		if r.Status != http.StatusOK || a.Imported != len(codes) || len(a.Refused) != 0 || len(a.Created) != len(codes) {
			t.Fatalf("import %s = %s", name, r)
		}
		for i, c := range a.Created {
			code := strings.ReplaceAll(codes[i], "fx1", run)
			if c.Code != code || c.Line != i+2 {
				t.Fatalf("import %s: row %d created %q at line %d, want %q at line %d", name, i, c.Code, c.Line, code, i+2)
			}
			// The source's date is kept beside the link's own (the import's).
			info := MustGetInfo(t, env, c.Code, c.ManageToken)
			original, _ := info["original_created_at"].(string)
			at, err := time.Parse(time.RFC3339Nano, original)
			if err != nil || !at.Before(time.Now().Add(-24*time.Hour)) || info["created_at"] == original {
				t.Fatalf("import %s: info of %s = %v, want the source's date as original_created_at", name, c.Code, info)
			}
		}
		// Retried with its key: the first answer, nothing new.
		r2, _ := sendImport(t, env, "", key, csv)
		if string(r2.Body) != string(r.Body) || r2.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("import %s retried = %s, want the first answer replayed", name, r2)
		}
	}
}

func importDryRunImportsNothing(t *testing.T, env Env) {
	run := testkit.RandomHex(4)
	csv := fixture(t, "shlink.csv", run)
	r, a := sendImport(t, env, "&dry_run=true", "", csv)
	if r.Status != http.StatusOK || !a.DryRun || a.Imported != 3 || len(a.Created) != 0 || len(a.Refused) != 0 {
		t.Fatalf("dry run = %s", r)
	}
	code := strings.ReplaceAll("sh-fx1-news", "fx1", run)
	testkit.ExpectError(t, Get(t, env.BaseURL+"/v1/shortlink/"+code), http.StatusNotFound, "not_found", "")
	// The same file, for real: every row is still free.
	r, a = sendImport(t, env, "", "", csv)
	if r.Status != http.StatusOK || a.Imported != 3 {
		t.Fatalf("import after the dry run = %s", r)
	}
	// Now a dry run sees the aliases taken.
	r, a = sendImport(t, env, "&dry_run=1", "", csv)
	if r.Status != http.StatusOK || a.Imported != 0 || len(a.Refused) != 3 || a.Refused[0].Reason != "alias_taken" {
		t.Fatalf("dry run of imported rows = %s", r)
	}
}

func importRefusesQuarantinedAlias(t *testing.T, env Env) {
	run := testkit.RandomHex(4)
	alias := "qr-" + run
	l := CreateLink(t, env, "https://example.com/quarantined", "alias", alias)
	if r := Send(t, env, http.MethodDelete, "/v1/shortlink/"+alias, l.Token, nil); r.Status != http.StatusNoContent && r.Status != http.StatusOK {
		t.Fatalf("delete = %s", r)
	}
	csv := "url,alias\nhttps://example.com/new-owner," + alias + "\n"
	r, a := sendImport(t, env, "", "", csv)
	if r.Status != http.StatusOK || a.Imported != 0 || len(a.Refused) != 1 {
		t.Fatalf("import of a quarantined alias = %s", r)
	}
	if got := a.Refused[0]; got.Line != 2 || got.Reason != "alias_taken" || got.Field != "alias" {
		t.Fatalf("refused = %+v, want line 2 alias_taken on alias", got)
	}
	// As a single create of the alias would answer.
	testkit.ExpectError(t, Create(t, env, map[string]any{"url": "https://example.com/new-owner", "alias": alias}), http.StatusConflict, "alias_taken", "alias")
}

func importReportsRefusedRows(t *testing.T, env Env) {
	run := testkit.RandomHex(4)
	csv := "Long URL,Short Code,Title,Created At\n" +
		"https://example.com/ok/" + run + ",ok-" + run + ",Fine,2020-01-01\n" +
		"javascript:alert(1),,Bad URL,\n" +
		"\n" +
		"https://example.com/dup," + "ok-" + run + ",Duplicate alias,\n" +
		"https://example.com/date,,Bad date,yesterday\n" +
		"\"https://example.com/multi\nline\",,Quoted newline,\n" +
		",,No URL,\n"
	r, a := sendImport(t, env, "", "", csv)
	if r.Status != http.StatusOK || a.Rows != 6 || a.Imported != 1 {
		t.Fatalf("import = %s", r)
	}
	want := []struct {
		line          int
		reason, field string
	}{{3, "invalid_url", "url"}, {5, "alias_taken", "alias"}, {6, "invalid_created_at", "created_at"}, {7, "invalid_url", "url"}, {9, "missing_field", "url"}}
	if len(a.Refused) != len(want) {
		t.Fatalf("refused = %+v, want %v", a.Refused, want)
	}
	for i, w := range want {
		if got := a.Refused[i]; got.Line != w.line || got.Reason != w.reason || got.Field != w.field {
			t.Fatalf("refused[%d] = %+v, want %+v", i, got, w)
		}
	}
	r, _ = sendImport(t, env, "", "", "title,tags\nx,y\n")
	testkit.ExpectError(t, r, http.StatusBadRequest, "invalid_csv", "")
	r = testkit.Send(nil, http.MethodPost, env.BaseURL+"/v1/shortlinks/import?format=json", "text/csv", []byte("url\n"), nil)
	testkit.ExpectError(t, r, http.StatusBadRequest, "invalid_parameter", "format")
}

func importByAWorkspaceKeyIsAudited(t *testing.T, env Env) {
	run := testkit.RandomHex(4)
	ws := CreateWorkspace(t, env, "importers "+run)
	header := http.Header{"Authorization": {"Bearer " + ws.OwnerKey}}
	csv := "url,alias,tags\nhttps://example.com/ws/" + run + ",ws-" + run + ",imported\nhttps://example.com/ws2/" + run + ",,\n"
	r := testkit.Send(nil, http.MethodPost, env.BaseURL+"/v1/shortlinks/import?format=csv", "text/csv", []byte(csv), header)
	if r.Status != http.StatusOK {
		t.Fatalf("import with a workspace key = %s", r)
	}
	info := MustGetInfo(t, env, "ws-"+run, ws.OwnerKey)
	if info["workspace"] != ws.ID {
		t.Fatalf("imported link's info = %v, want it in workspace %s", info, ws.ID)
	}
	audit := Send(t, env, http.MethodGet, "/v1/audit?limit=1", ws.OwnerKey, nil)
	items, _ := audit.Envelope.Data["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("audit = %s", audit)
	}
	entry, _ := items[0].(map[string]any)
	if entry["action"] != "links.import" || entry["target"] != "2" || !strings.HasPrefix(fmt.Sprint(entry["who"]), "key:") {
		t.Fatalf("newest audit entry = %v, want links.import of 2 by the key", entry)
	}
}
