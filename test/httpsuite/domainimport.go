package httpsuite

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/shortlink/shortlink/test/testkit"
)

// importWith sends csv to the import route with bearer (a workspace or
// admin key) and returns its answer, failing the test unless it is 200.
func importWith(t testing.TB, env Env, bearer, query, csv string) importAnswer {
	t.Helper()
	r := testkit.Send(nil, http.MethodPost, env.BaseURL+"/v1/shortlinks/import?format=csv"+query, "text/csv", []byte(csv),
		http.Header{"Authorization": {"Bearer " + bearer}})
	if r.Err != nil || r.Status != http.StatusOK {
		t.Fatalf("import: %v %s", r.Err, r)
	}
	var a struct {
		Data importAnswer `json:"data"`
	}
	if err := json.Unmarshal(r.Body, &a); err != nil {
		t.Fatalf("import answer: %v; %s", err, r)
	}
	return a.Data
}

// refusals are an answer's refused rows as "line reason field".
func (a importAnswer) refusals() []string {
	var out []string
	for _, r := range a.Refused {
		out = append(out, fmt.Sprintf("%d %s %s", r.Line, r.Reason, r.Field))
	}
	return out
}

// importCarriesDomains: an import's domain column puts each row on that
// short domain, with the checks of a create's domain: registered, a
// workspace's domain only for its keys; an alias once per domain in the
// file; the dry run refuses what the import refuses.
func importCarriesDomains(t *testing.T, env Env) {
	run := testkit.RandomHex(4)
	mine := CreateWorkspace(t, env, "importers "+run)
	other := CreateWorkspace(t, env, "others "+run)
	RegisterDomain(t, env, "exa.mp")
	if r := Send(t, env, http.MethodPost, "/v1/domains", AdminKey, map[string]any{"host": "mine.example", "workspace": mine.ID}); r.Status != http.StatusCreated {
		t.Fatalf("register mine.example for %s: %s", mine.ID, r)
	}
	def := defaultHost(t, env)
	csv := "url,alias,domain\n" +
		"https://example.com/exa,promo,exa.mp\n" + // line 2
		"https://example.com/default,promo,\n" + // 3: the default domain
		"https://example.com/again,promo,EXA.MP.\n" + // 4: promo twice on exa.mp
		"https://example.com/mine,,mine.example\n" + // 5: its workspace's domain, a generated code
		"https://example.com/nope,x,unknown.example\n" + // 6: not registered
		"https://example.com/bad,y,not a host\n" + // 7
		"https://example.com/by-host,by-host," + def + "\n" // 8: the default domain by its host
	wantRefused := []string{"4 alias_taken alias", "6 invalid_domain domain", "7 invalid_domain domain"}

	dry := importWith(t, env, mine.OwnerKey, "&dry_run=true", csv)
	if dry.Imported != 4 || !slices.Equal(dry.refusals(), wantRefused) {
		t.Fatalf("dry run: imported %d, refused %v; want 4 and %v", dry.Imported, dry.refusals(), wantRefused)
	}
	got := importWith(t, env, mine.OwnerKey, "", csv)
	if got.Imported != 4 || !slices.Equal(got.refusals(), wantRefused) {
		t.Fatalf("import: imported %d, refused %v; want 4 and %v", got.Imported, got.refusals(), wantRefused)
	}
	urls := map[int]string{}
	for _, c := range got.Created {
		urls[c.Line] = c.ShortURL
	}
	scheme, _, _ := strings.Cut(env.PublicBaseURL, "://")
	if urls[2] != scheme+"://exa.mp/promo" || urls[3] != env.PublicBaseURL+"/promo" || urls[8] != env.PublicBaseURL+"/by-host" ||
		!strings.HasPrefix(urls[5], scheme+"://mine.example/") {
		t.Fatalf("short URLs by line = %v, want line 2 on exa.mp, 3 and 8 on %s, 5 on mine.example", urls, env.PublicBaseURL)
	}
	expectRedirectOn(t, env, "exa.mp", "/promo", "https://example.com/exa")
	expectRedirectOn(t, env, def, "/promo", "https://example.com/default")
	expectRedirectOn(t, env, "mine.example", "/"+urls[5][strings.LastIndexByte(urls[5], '/')+1:], "https://example.com/mine")
	info := Send(t, env, http.MethodGet, "/v1/shortlink/promo/info?domain=exa.mp", mine.OwnerKey, nil)
	if info.Status != http.StatusOK || info.Field("domain") != "exa.mp" || info.Field("workspace") != mine.ID {
		t.Errorf("info of the imported promo on exa.mp: %s", info)
	}

	// Another workspace's key may not import onto mine.example.
	theirs := importWith(t, env, other.OwnerKey, "", "url,domain\nhttps://example.com/theirs,mine.example\nhttps://example.com/shared,exa.mp\n")
	if theirs.Imported != 1 || !slices.Equal(theirs.refusals(), []string{"2 invalid_domain domain"}) {
		t.Errorf("import by another workspace: imported %d, refused %v; want 1 and mine.example refused", theirs.Imported, theirs.refusals())
	}
}

// exportImportRoundTripKeepsDomains: a workspace's export, imported with a
// key of a workspace on another service where the same domains are
// registered, makes the same links on the same domains (code, domain,
// URL and short URL alike).
func exportImportRoundTripKeepsDomains(t *testing.T, from, to Env) {
	run := testkit.RandomHex(4)
	wsFrom := CreateWorkspace(t, from, "exporters "+run)
	for _, env := range []Env{from, to} {
		RegisterDomain(t, env, "exa.mp")
		RegisterDomain(t, env, "go.example.org")
	}
	for _, body := range []map[string]any{
		{"url": "https://example.com/rt/default", "alias": "rt-" + run},
		{"url": "https://example.com/rt/exa", "alias": "rt-" + run, "domain": "exa.mp"},
		{"url": "https://example.com/rt/go", "alias": "rt-" + run, "domain": "go.example.org", "title": "On go", "tags": []string{"a", "b"}},
		{"url": "https://example.com/rt/generated", "domain": "exa.mp"},
	} {
		if r := Send(t, from, http.MethodPost, "/v1/shortlink", wsFrom.OwnerKey, body); r.Status != http.StatusCreated {
			t.Fatalf("create %v: %s", body, r)
		}
	}
	exported := export(t, from, wsFrom.OwnerKey, "format=csv").Body
	before := exportedRows(t, exported)
	if len(before) != 4 {
		t.Fatalf("export has %d links, want 4: %s", len(before), exported)
	}

	wsTo := CreateWorkspace(t, to, "importers "+run)
	got := importWith(t, to, wsTo.OwnerKey, "", string(exported))
	if got.Imported != 4 || len(got.Refused) != 0 {
		t.Fatalf("import of the export: imported %d, refused %v", got.Imported, got.refusals())
	}
	after := exportedRows(t, export(t, to, wsTo.OwnerKey, "format=csv").Body)
	for key, was := range before {
		now, ok := after[key]
		if !ok {
			t.Errorf("%s: not in the second service's export (it has %v)", key, slices.Sorted(maps.Keys(after)))
			continue
		}
		for _, col := range []string{"code", "domain", "url", "title", "tags", "short_url"} {
			if now[col] != was[col] && (col != "short_url" || from.PublicBaseURL == to.PublicBaseURL) {
				t.Errorf("%s: %s = %q after the round trip, was %q", key, col, now[col], was[col])
			}
		}
	}
	for _, row := range after {
		host := row["domain"]
		if host == "" {
			host = defaultHost(t, to)
		}
		expectRedirectOn(t, to, host, "/"+row["code"], row["url"])
	}
}

// exportedRows parses a CSV export (checking its header) by domain and
// code ("exa.mp/promo", "/promo" on the default domain): the same code
// may be on two domains.
func exportedRows(t testing.TB, body []byte) map[string]map[string]string {
	t.Helper()
	records, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil || len(records) == 0 || !slices.Equal(records[0], exportHeader) {
		t.Fatalf("export is not CSV with the header %v (%v): %q", exportHeader, err, body)
	}
	rows := map[string]map[string]string{}
	for _, rec := range records[1:] {
		row := map[string]string{}
		for i, name := range exportHeader {
			row[name] = rec[i]
		}
		rows[row["domain"]+"/"+row["code"]] = row
	}
	return rows
}

// domainsAreAudited: POST and DELETE of /v1/domains are in the audit log
// (the admin, the action, the host); a domain tied to a workspace is in
// that workspace's log for its owners too.
func domainsAreAudited(t *testing.T, env Env) {
	run := testkit.RandomHex(4)
	ws := CreateWorkspace(t, env, "audited "+run)
	RegisterDomain(t, env, "shared.example")
	if r := Send(t, env, http.MethodPost, "/v1/domains", AdminKey, map[string]any{"host": "Tied.Example", "workspace": ws.ID}); r.Status != http.StatusCreated {
		t.Fatalf("register tied.example: %s", r)
	}
	if r := Send(t, env, http.MethodDelete, "/v1/domains/tied.example", AdminKey, nil); r.Status != http.StatusNoContent {
		t.Fatalf("remove tied.example: %s", r)
	}
	// A refused removal is no action.
	testkit.ExpectError(t, Send(t, env, http.MethodDelete, "/v1/domains/"+defaultHost(t, env), AdminKey, nil), http.StatusConflict, "default_domain", "")

	entries := func(bearer string, n int) []string {
		t.Helper()
		r := Send(t, env, http.MethodGet, fmt.Sprintf("/v1/audit?limit=%d", n), bearer, nil)
		items, _ := r.Envelope.Data["items"].([]any)
		if r.Status != http.StatusOK {
			t.Fatalf("audit: %s", r)
		}
		var out []string
		for _, it := range items {
			e, _ := it.(map[string]any)
			if e["at"] == "" || e["at"] == nil {
				t.Errorf("audit entry without a time: %v", e)
			}
			out = append(out, fmt.Sprintf("%v %v %v %v", e["action"], e["who"], e["target"], e["workspace"]))
		}
		return out
	}
	want := []string{
		"domain.remove admin tied.example " + ws.ID,
		"domain.register admin tied.example " + ws.ID,
		"domain.register admin shared.example ",
	}
	if got := entries(AdminKey, 3); !slices.Equal(got, want) {
		t.Errorf("the admin's newest audit entries = %q, want %q", got, want)
	}
	if got := entries(ws.OwnerKey, 2); !slices.Equal(got, want[:2]) {
		t.Errorf("the workspace owner's newest audit entries = %q, want %q", got, want[:2])
	}
}
