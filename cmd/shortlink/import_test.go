package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestImportListsRefusedRowsAndDryRunImportsNothing(t *testing.T) {
	t.Parallel()
	env := startAPI(t)
	r := runner{t: t, env: map[string]string{"SHORTLINK_URL": env.BaseURL, "SHORTLINK_KEY": adminKey}}
	file := filepath.Join(t.TempDir(), "export.csv")
	csv := "keyword,url,title\ncli-imp-a,https://example.com/a,A\ncli-imp-b,javascript:alert(1),B\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}

	dry := r.run("import", "--dry-run", file)
	if dry.exit != 1 || !strings.Contains(dry.stdout, "Would import 1 of 2 rows.") ||
		!strings.Contains(dry.stdout, "line 3: invalid_url (url):") || !strings.Contains(dry.stderr, "1 of 2 rows refused") {
		t.Fatalf("import --dry-run = %d\n%s%s", dry.exit, dry.stdout, dry.stderr)
	}
	if info := r.run("info", "cli-imp-a"); info.exit == 0 {
		t.Fatalf("the dry run imported cli-imp-a:\n%s", info.stdout)
	}

	done := r.run("import", "--idempotency-key", "cli-import-1", file)
	if done.exit != 1 || !strings.Contains(done.stdout, "Imported 1 of 2 rows.") || !strings.Contains(done.stdout, "line 2: "+env.PublicBaseURL+"/cli-imp-a") {
		t.Fatalf("import = %d\n%s%s", done.exit, done.stdout, done.stderr)
	}
	// The same key again: the first answer, nothing imported twice.
	again := r.run("import", "--idempotency-key", "cli-import-1", file)
	if again.stdout != done.stdout {
		t.Fatalf("import retried with its key = \n%s\nwant the first answer\n%s", again.stdout, done.stdout)
	}
	// Standard input, all rows fine: exit 0.
	r.in = "url\nhttps://example.com/from-stdin\n"
	if res := r.run("import", "-"); res.exit != 0 || !strings.Contains(res.stdout, "Imported 1 of 1 rows.") {
		t.Fatalf("import - = %d\n%s%s", res.exit, res.stdout, res.stderr)
	}
}
