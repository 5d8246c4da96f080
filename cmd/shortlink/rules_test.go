package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCreateWithRules: create --rules sends the file's rules, and create
// and info print each in words; a bad file is a usage error, bad rules the
// server's refusal by field.
func TestCreateWithRules(t *testing.T) {
	t.Parallel()
	env := startAPI(t)
	r := runner{t: t, env: map[string]string{"SHORTLINK_URL": env.BaseURL, "SHORTLINK_KEY": adminKey, "COLUMNS": "120"}}
	file := filepath.Join(t.TempDir(), "rules.json")
	if err := os.WriteFile(file, []byte(`[{"when":{"os":["ios"]},"url":"https://apps.apple.com/app/id1"},{"when":{"language":["fr"]},"url":"https://example.com/fr"}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	out := r.must("create", "https://example.com/app", "--alias", "app", "--rules", file)
	for _, want := range []string{"Visitors on iOS (iPhone, iPad) → apps.apple.com", "whose browser prefers the language fr → example.com"} {
		if !strings.Contains(out, want) {
			t.Errorf("create --rules printed\n%s\nwithout %q", out, want)
		}
	}
	if info := r.must("info", "app"); !strings.Contains(info, "rule 1") || !strings.Contains(info, "apps.apple.com") {
		t.Errorf("info printed\n%s\nwithout the rules", info)
	}
	stdin := runner{t: t, env: r.env, in: `[{"when":{"os":["beos"]},"url":"https://example.com/"}]`}
	stdin.want(1, "(invalid_rules)", "create", "https://example.com/x", "--rules", "-")
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"os":"ios"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	r.want(2, "not a JSON array", "create", "https://example.com/x", "--rules", bad)
}
