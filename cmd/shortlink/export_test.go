package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExportCommand: export writes what the key may list, CSV to standard
// output or NDJSON to a file by its extension, with the listing's filters;
// a bad format is a usage error; an export cut short fails and leaves no
// file behind.
func TestExportCommand(t *testing.T) {
	t.Parallel()
	env := startAPI(t)
	admin := runner{t: t, env: map[string]string{"SHORTLINK_URL": env.BaseURL, "SHORTLINK_KEY": adminKey}}
	ownerKey := strings.TrimSpace(admin.must("workspaces", "create", "Exports", "-q"))
	owner := runner{t: t, env: map[string]string{"SHORTLINK_URL": env.BaseURL, "SHORTLINK_KEY": ownerKey}}
	owner.must("create", "https://example.com/one", "--alias", "exp-one", "--tag", "keep")
	owner.must("create", "https://example.com/two", "--alias", "exp-two", "--title", "=1+1")
	admin.must("create", "https://example.com/elsewhere", "--alias", "exp-elsewhere")

	lines := strings.Split(strings.TrimSuffix(owner.must("export"), "\n"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "code,short_url,url,title,tags,created_at,expires_at,state,visits") ||
		!strings.HasPrefix(lines[1], "exp-two,") || !strings.Contains(lines[1], ",'=1+1,") || !strings.HasPrefix(lines[2], "exp-one,") {
		t.Fatalf("export printed %q, want the header, exp-two (its title neutralized) and exp-one", lines)
	}
	if got := owner.must("export", "--tag", "keep", "--format", "csv"); strings.Count(got, "\n") != 2 || !strings.Contains(got, "\nexp-one,") {
		t.Errorf("export --tag keep printed %q", got)
	}

	file := filepath.Join(t.TempDir(), "links.ndjson")
	res := owner.run("export", "-o", file)
	if res.exit != 0 || !strings.HasPrefix(res.stderr, "Saved "+file+" (ndjson, ") || res.stdout != "" {
		t.Fatalf("export -o %s = %+v", file, res)
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, line := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
		var row struct {
			Code   string `json:"code"`
			Visits *int64 `json:"visits"`
		}
		if err := json.Unmarshal([]byte(line), &row); err != nil || row.Visits == nil {
			t.Fatalf("line %q of the NDJSON export: %v", line, err)
		}
		codes = append(codes, row.Code)
	}
	if strings.Join(codes, " ") != "exp-two exp-one" {
		t.Errorf("the NDJSON export holds %v", codes)
	}
	owner.want(2, "--format must be csv or ndjson", "export", "--format", "xlsx")
	owner.want(2, "--state must be", "export", "--state", "sleeping")

	// A server that cuts the export after its first chunk.
	cut := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		_, _ = w.Write([]byte("code,short_url\nabc,https://sho.rt/abc\n"))
		http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler)
	}))
	t.Cleanup(cut.Close)
	cutFile := filepath.Join(t.TempDir(), "cut.csv")
	cutRunner := runner{t: t, env: map[string]string{"SHORTLINK_URL": cut.URL, "SHORTLINK_KEY": adminKey}}
	cutRunner.want(3, "the export was cut short", "export", "-o", cutFile)
	if _, err := os.Stat(cutFile); !os.IsNotExist(err) {
		t.Errorf("an export cut short left %s behind (%v)", cutFile, err)
	}
}
