package httpsuite

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// exportHeader is the CSV header of an export.
var exportHeader = []string{"code", "short_url", "url", "title", "tags", "created_at", "expires_at", "state", "visits", "domain"}

// runExport checks GET /v1/shortlinks/export on servers made by newEnv:
// who exports what, both formats, formula escaping, the empty export.
func runExport(t *testing.T, newEnv func(t *testing.T) Env) {
	t.Helper()
	for _, c := range []struct {
		name  string
		check func(t *testing.T, env Env)
	}{
		{"export: a workspace key exports its own links, with visits and neutralized formulas", exportIsTheWorkspacesWithVisits},
		{"export: ndjson lines parse, and admins choose the workspace", exportNDJSONAndAdminScope},
		{"export: an empty export is the header alone; bad formats and strangers are refused", exportEmptyAndRefused},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.check(t, newEnv(t))
		})
	}
}

// export fetches an export and fails the test unless it is a 200 of the
// format's media type with a file name.
func export(t testing.TB, env Env, key, query string) Response {
	t.Helper()
	r := Send(t, env, http.MethodGet, "/v1/shortlinks/export?"+query, key, nil)
	expectStatus(t, r, http.StatusOK, "export ?"+query)
	want := "text/csv; charset=utf-8"
	if strings.Contains(query, "format=ndjson") {
		want = "application/x-ndjson"
	}
	if got := r.Header.Get("Content-Type"); got != want {
		t.Fatalf("export ?%s: Content-Type %q, want %q", query, got, want)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="shortlinks-`) {
		t.Fatalf("export ?%s: Content-Disposition %q, want an attachment with a file name", query, cd)
	}
	return r
}

// exportedCSV parses a CSV export, checking its header; the rows by code.
func exportedCSV(t testing.TB, body []byte) (codes []string, rows map[string]map[string]string) {
	t.Helper()
	records, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil || len(records) == 0 {
		t.Fatalf("export is not CSV with a header (%v): %q", err, body)
	}
	if !slices.Equal(records[0], exportHeader) {
		t.Fatalf("CSV header = %v, want %v", records[0], exportHeader)
	}
	rows = map[string]map[string]string{}
	for _, rec := range records[1:] {
		row := map[string]string{}
		for i, name := range exportHeader {
			row[name] = rec[i]
		}
		codes = append(codes, row["code"])
		rows[row["code"]] = row
	}
	return codes, rows
}

func exportIsTheWorkspacesWithVisits(t *testing.T, env Env) {
	mine, theirs := CreateWorkspace(t, env, "exporter"), CreateWorkspace(t, env, "bystander")
	create := func(key string, body map[string]any) Response {
		r := Send(t, env, http.MethodPost, "/v1/shortlink", key, body)
		expectStatus(t, r, http.StatusCreated, "create")
		return r
	}
	plain := create(mine.OwnerKey, map[string]any{"url": "https://example.com/plain", "tags": []string{"b", "a"}}).Field("code")
	formula := create(mine.OwnerKey, map[string]any{"url": "https://example.com/f", "title": `=HYPERLINK("http://evil.example","x")`}).Field("code")
	at := create(mine.OwnerKey, map[string]any{"url": "https://example.com/at", "title": "@SUM(1+1)", "tags": []string{"-minus"}}).Field("code")
	create(theirs.OwnerKey, map[string]any{"url": "https://example.com/theirs"})
	for range 2 {
		if r := Get(t, env.BaseURL+"/"+plain); r.Status != http.StatusFound {
			t.Fatalf("visit %s = %s", plain, r)
		}
	}
	WaitForVisits(t, env.BaseURL, plain, AdminKey, "", 2)

	codes, rows := exportedCSV(t, export(t, env, mine.OwnerKey, "format=csv").Body)
	if want := []string{at, formula, plain}; !slices.Equal(codes, want) {
		t.Fatalf("exported codes = %v, want the workspace's %v, newest first", codes, want)
	}
	p := rows[plain]
	if p["url"] != "https://example.com/plain" || p["tags"] != "a,b" || p["visits"] != "2" || p["state"] != "active" ||
		p["short_url"] != env.PublicBaseURL+"/"+plain || p["title"] != "" || p["created_at"] == "" || p["expires_at"] == "" {
		t.Errorf("row of %s = %v", plain, p)
	}
	if got := rows[formula]["title"]; got != `'=HYPERLINK("http://evil.example","x")` {
		t.Errorf("a title starting with = exports as %q, want it prefixed with '", got)
	}
	if got := rows[at]; got["title"] != "'@SUM(1+1)" || got["tags"] != "'-minus" || got["visits"] != "0" {
		t.Errorf("cells starting with @ and - export as %v, want them prefixed with '", got)
	}
	// The listing's filters apply.
	if codes, _ := exportedCSV(t, export(t, env, mine.OwnerKey, "tag=a").Body); !slices.Equal(codes, []string{plain}) {
		t.Errorf("export ?tag=a = %v, want [%s]", codes, plain)
	}
}

func exportNDJSONAndAdminScope(t *testing.T, env Env) {
	ws := CreateWorkspace(t, env, "ndjson")
	viewer := CreateKey(t, env, ws.OwnerKey, "viewer")
	var want []string
	for _, title := range []string{"first", "=second"} {
		r := Send(t, env, http.MethodPost, "/v1/shortlink", ws.OwnerKey, map[string]any{"url": "https://example.com/" + title, "title": title})
		expectStatus(t, r, http.StatusCreated, "create")
		want = append([]string{r.Field("code")}, want...)
	}
	for _, who := range []struct{ name, key, query string }{
		{"a viewer", viewer.Key, "format=ndjson"},
		{"an admin naming the workspace", AdminKey, "format=ndjson&workspace=" + ws.ID},
	} {
		body := export(t, env, who.key, who.query).Body
		var codes []string
		for _, line := range strings.Split(strings.TrimSuffix(string(body), "\n"), "\n") {
			var row map[string]any
			if err := json.Unmarshal([]byte(line), &row); err != nil {
				t.Fatalf("export by %s: line %q is not JSON: %v", who.name, line, err)
			}
			if _, ok := row["visits"].(float64); !ok || row["expires_at"] == nil {
				t.Fatalf("export by %s: line %q lacks a numeric visits or expires_at", who.name, line)
			}
			if tags, ok := row["tags"].([]any); !ok || len(tags) != 0 {
				t.Fatalf("export by %s: line %q: tags are not an empty list", who.name, line)
			}
			codes = append(codes, row["code"].(string))
			if row["code"] == want[0] && row["title"] != "=second" {
				t.Errorf("export by %s: title %v, want =second as it is (JSON needs no escaping)", who.name, row["title"])
			}
		}
		if !slices.Equal(codes, want) {
			t.Errorf("export by %s = %v, want %v", who.name, codes, want)
		}
	}
}

func exportEmptyAndRefused(t *testing.T, env Env) {
	ws := CreateWorkspace(t, env, "empty")
	if body := string(export(t, env, ws.OwnerKey, "").Body); body != strings.Join(exportHeader, ",")+"\n" {
		t.Errorf("empty CSV export = %q, want the header alone", body)
	}
	if body := export(t, env, ws.OwnerKey, "format=ndjson").Body; len(body) != 0 {
		t.Errorf("empty NDJSON export = %q, want nothing", body)
	}
	for _, tc := range []struct {
		name, key, query string
		status           int
		reason           string
	}{
		{"an unknown format", ws.OwnerKey, "format=xlsx", http.StatusBadRequest, "invalid_parameter"},
		{"a bad filter", ws.OwnerKey, "state=sleeping", http.StatusBadRequest, "invalid_filter"},
		{"no credentials", "", "format=csv", http.StatusUnauthorized, "unauthorized"},
		{"a stranger's key", "not-a-key-0123456789", "format=csv", http.StatusUnauthorized, "unauthorized"},
	} {
		r := Send(t, env, http.MethodGet, "/v1/shortlinks/export?"+tc.query, tc.key, nil)
		if r.Status != tc.status || r.Reason() != tc.reason {
			t.Errorf("export with %s = %s, want %d %s", tc.name, r, tc.status, tc.reason)
		}
	}
}
