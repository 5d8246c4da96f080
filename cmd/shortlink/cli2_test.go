package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestLinkCommands: create's titles, tags, forwarding and passwords, tag,
// ls with its filters and pages, and unlock.
func TestLinkCommands(t *testing.T) {
	t.Parallel()
	env := startAPI(t)
	r := runner{t: t, env: map[string]string{"SHORTLINK_URL": env.BaseURL, "SHORTLINK_KEY": adminKey, "COLUMNS": "120"}}

	out := r.must("create", "https://example.com/winter", "--alias", "winter-sale", "--title", "Winter sale", "--tag", "sale", "--tag", "Q4", "--forward-query")
	if !strings.Contains(out, "forward query  yes") {
		t.Errorf("create printed\n%s", out)
	}
	info := r.must("info", "winter-sale")
	for _, want := range []string{"title          Winter sale", "tags           q4, sale", "forward query  yes"} {
		if !strings.Contains(info, want) {
			t.Errorf("info printed\n%s\nwithout %q", info, want)
		}
	}
	r.want(1, "(invalid_tag)", "create", "https://example.com/x", "--tag", "no spaces")

	pw := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pw, []byte("correct horse battery\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := r.must("create", "https://example.com/team-notes", "--alias", "notes", "--password-file", pw); !strings.Contains(out, "protected     yes") {
		t.Errorf("create --password-file printed\n%s", out)
	}
	stdin := runner{t: t, env: r.env, in: "correct horse battery\n"}
	if got := stdin.must("unlock", "notes", "--password-file", "-"); got != "https://example.com/team-notes\n" {
		t.Errorf("unlock printed %q", got)
	}
	wrong := filepath.Join(t.TempDir(), "wrong")
	if err := os.WriteFile(wrong, []byte("not the password\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r.want(1, "(wrong_password)", "unlock", "notes", "--password-file", wrong)
	r.want(2, "required flag", "unlock", "notes")
	r.want(2, "read the password file", "unlock", "notes", "--password-file", filepath.Join(t.TempDir(), "missing"))
	r.want(2, "is empty", "create", "https://example.com/x", "--password-file", "-")
	r.want(2, "unknown flag: --password", "create", "https://example.com/x", "--password", "hunter22")
	if got := r.must("unlock", "winter-sale", "--password-file", pw); got != "https://example.com/winter\n" {
		t.Errorf("unlock of a link without a password printed %q", got)
	}

	if got := r.must("tag", "winter-sale", "--add", "spring", "--rm", "Q4"); !strings.Contains(got, "tags           sale, spring") {
		t.Errorf("tag --add --rm printed\n%s", got)
	}
	if got := r.must("tag", "winter-sale", "--set", "a", "--set", "b", "--title", "Spring", "--json"); !strings.Contains(got, `"tags":["a","b"]`) || !strings.Contains(got, `"title":"Spring"`) {
		t.Errorf("tag --set --title --json = %s", got)
	}
	if got := r.must("tag", "winter-sale", "--clear", "--title", ""); strings.Contains(got, "tags ") || strings.Contains(got, "title ") {
		t.Errorf("tag --clear --title \"\" printed\n%s", got)
	}
	r.want(2, "nothing to change", "tag", "winter-sale")
	r.want(2, "--set and --clear", "tag", "winter-sale", "--set", "a", "--add", "b")
	r.want(1, "(not_found)", "tag", "no-such-link", "--add", "x")

	for i := range 5 {
		r.must("create", "https://example.com/page", "--tag", "paged", "--title", "Page "+string(rune('a'+i)))
	}
	table := r.must("ls", "--tag", "paged")
	if lines := strings.Split(strings.TrimSpace(table), "\n"); len(lines) != 6 || !strings.HasPrefix(lines[0], "CODE") || !strings.Contains(table, "Page e") {
		t.Errorf("ls --tag paged printed\n%s", table)
	}
	var items []map[string]any
	if err := json.Unmarshal([]byte(r.must("ls", "--tag", "paged", "--limit", "2", "--json")), &items); err != nil || len(items) != 2 {
		t.Errorf("ls --limit 2 --json = %v, %v", items, err)
	}
	res := r.run("ls", "--tag", "paged", "--limit", "3")
	if res.exit != 0 || strings.Count(res.stdout, "\n") != 4 || !strings.Contains(res.stderr, "there are more") {
		t.Errorf("ls --limit 3 = %+v", res)
	}
	// Pages of 100 would hold them all: --all with pages of 2 is tested by
	// collect's own test below; here the filters reach the API.
	if err := json.Unmarshal([]byte(r.must("ls", "--all", "--q", "notes", "--json")), &items); err != nil || len(items) != 1 || items[0]["code"] != "notes" {
		t.Errorf("ls --q notes --json = %v, %v", items, err)
	}
	if err := json.Unmarshal([]byte(r.must("ls", "--state", "disabled", "--created-after", "1h", "--json")), &items); err != nil || len(items) != 0 {
		t.Errorf("ls --state disabled = %v, %v", items, err)
	}
	if err := json.Unmarshal([]byte(r.must("ls", "--workspace", "none", "--created-before", "2020-01-01", "--json")), &items); err != nil || len(items) != 0 {
		t.Errorf("ls --created-before 2020 = %v, %v", items, err)
	}
	if got := r.must("tags"); !regexp.MustCompile(`(?m)^paged +5$`).MatchString(got) || !strings.HasPrefix(got, "TAG ") {
		t.Errorf("tags printed\n%s", got)
	}
	if got := r.must("tags", "--json"); !strings.Contains(got, `{"tag":"paged","links":5}`) {
		t.Errorf("tags --json = %s", got)
	}
	r.want(2, "--state must be", "ls", "--state", "sleeping")
	r.want(2, "--limit must be", "ls", "--limit", "0")
	r.want(2, "--created-after", "ls", "--created-after", "soon")
	r.want(2, "none of the others", "ls", "--all", "--limit", "3")
	narrow := runner{t: t, env: map[string]string{"SHORTLINK_URL": env.BaseURL, "SHORTLINK_KEY": adminKey, "COLUMNS": "40"}}
	for _, line := range strings.Split(strings.TrimSpace(narrow.must("ls", "--tag", "sale")), "\n") {
		if len([]rune(line)) > 80 {
			t.Errorf("ls at 40 columns printed a line of %d: %q", len([]rune(line)), line)
		}
	}
	runner{t: t, env: map[string]string{"SHORTLINK_URL": env.BaseURL}}.want(1, "(unauthorized)", "ls")
}

// TestWorkspaceCommands: workspaces create, keys ls|create|revoke, audit.
func TestWorkspaceCommands(t *testing.T) {
	t.Parallel()
	env := startAPI(t)
	admin := runner{t: t, env: map[string]string{"SHORTLINK_URL": env.BaseURL, "SHORTLINK_KEY": adminKey}}

	out := admin.must("workspaces", "create", "Marketing")
	for _, want := range []string{"workspace  ", "name       Marketing", "role       owner", "key        slk_"} {
		if !strings.Contains(out, want) {
			t.Errorf("workspaces create printed\n%s\nwithout %q", out, want)
		}
	}
	ownerKey := strings.TrimSpace(admin.must("workspaces", "create", "Sales", "--key-name", "first", "-q"))
	if !strings.HasPrefix(ownerKey, "slk_") || strings.Contains(ownerKey, "\n") {
		t.Fatalf("workspaces create -q printed %q", ownerKey)
	}
	owner := runner{t: t, env: map[string]string{"SHORTLINK_URL": env.BaseURL, "SHORTLINK_KEY": ownerKey}}
	var created map[string]any
	if err := json.Unmarshal([]byte(owner.must("keys", "create", "CI", "--role", "editor", "--json")), &created); err != nil || created["role"] != "editor" {
		t.Fatalf("keys create --json = %v, %v", created, err)
	}
	editorKey := created["key"].(string)
	viewerKey := strings.TrimSpace(owner.must("keys", "create", "Dashboard", "--role", "viewer", "-q"))
	owner.want(2, "--role must be", "keys", "create", "X", "--role", "boss")
	owner.want(2, "required flag", "keys", "create", "X")

	editor := runner{t: t, env: map[string]string{"SHORTLINK_URL": env.BaseURL, "SHORTLINK_KEY": editorKey}}
	editor.must("create", "https://example.com/ws", "--alias", "ws-link")
	viewer := runner{t: t, env: map[string]string{"SHORTLINK_URL": env.BaseURL, "SHORTLINK_KEY": viewerKey}}
	if got := viewer.must("ls"); !strings.Contains(got, "ws-link") {
		t.Errorf("the viewer's ls printed\n%s", got)
	}
	viewer.want(1, "(forbidden)", "disable", "ws-link")

	keys := owner.must("keys", "ls")
	for _, want := range []string{"ID", "first", "CI", "Dashboard", "editor", "viewer"} {
		if !strings.Contains(keys, want) {
			t.Errorf("keys ls printed\n%s\nwithout %q", keys, want)
		}
	}
	if strings.Contains(keys, "slk_") {
		t.Errorf("keys ls printed a key:\n%s", keys)
	}
	if got := owner.must("keys", "revoke", created["id"].(string)); got != "Revoked "+created["id"].(string)+".\n" {
		t.Errorf("keys revoke printed %q", got)
	}
	editor.want(1, "(unauthorized)", "info", "ws-link")
	owner.want(2, "not the key itself", "keys", "revoke", editorKey)
	if strings.Contains(editor.run("info", "ws-link").stderr, editorKey) {
		t.Error("an error printed the editor's key")
	}

	audit := owner.must("audit")
	for _, want := range []string{"AT (UTC)", "key.create", "key.revoke"} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit printed\n%s\nwithout %q", audit, want)
		}
	}
	var entries []map[string]any
	if err := json.Unmarshal([]byte(admin.must("audit", "--all", "--json")), &entries); err != nil || len(entries) < 5 {
		t.Errorf("audit --all --json = %d entries, %v", len(entries), err)
	}
	res := owner.run("audit", "--limit", "1")
	if res.exit != 0 || strings.Count(res.stdout, "\n") != 2 || !strings.Contains(res.stderr, "there are more") {
		t.Errorf("audit --limit 1 = %+v", res)
	}
	viewer.want(1, "(forbidden)", "audit")
}

// TestCollect: --limit stops within a page or across pages, --all follows
// every cursor, and the sizes asked never pass the API's 100.
func TestCollect(t *testing.T) {
	t.Parallel()
	const total = 250
	var sizes []int
	fetch := func(size int, cursor *string) (json.RawMessage, error) {
		sizes = append(sizes, size)
		start := 0
		if cursor != nil {
			start = int((*cursor)[0]-'0') * 100
		}
		end := min(total, start+size)
		items := make([]string, 0, end-start)
		for i := start; i < end; i++ {
			items = append(items, "1")
		}
		next := ""
		if end < total {
			next = `,"next_cursor":"` + string(rune('0'+end/100)) + `"`
		}
		return json.RawMessage(`{"items":[` + strings.Join(items, ",") + `]` + next + `}`), nil
	}
	for _, tc := range []struct {
		p         paging
		want      int
		more      bool
		wantSizes []int
	}{
		{paging{limit: 20}, 20, true, []int{20}},
		{paging{limit: 250}, 250, false, []int{100, 100, 50}},
		{paging{limit: 20, all: true}, 250, false, []int{100, 100, 100}},
	} {
		sizes = nil
		items, more, err := tc.p.collect(fetch)
		if err != nil || len(items) != tc.want || more != tc.more || !slices.Equal(sizes, tc.wantSizes) {
			t.Errorf("%+v: %d items, more %v, sizes %v, %v; want %d, %v, %v", tc.p, len(items), more, sizes, err, tc.want, tc.more, tc.wantSizes)
		}
	}
}

// TestDomainCommands: domains add|ls|rm, and create --domain.
func TestDomainCommands(t *testing.T) {
	t.Parallel()
	env := startAPI(t)
	admin := runner{t: t, env: map[string]string{"SHORTLINK_URL": env.BaseURL, "SHORTLINK_KEY": adminKey}}

	if got := admin.must("domains", "add", "Go.Example.com", "--not-found-url", "https://example.com/missing"); got != "Added go.example.com.\n" {
		t.Errorf("domains add printed %q", got)
	}
	admin.want(1, "(domain_taken)", "domains", "add", "go.example.com")
	list := admin.must("domains", "ls")
	for _, want := range []string{"HOST", "sho.rt", "yes", "go.example.com", "https://example.com/missing"} {
		if !strings.Contains(list, want) {
			t.Errorf("domains ls printed\n%s\nwithout %q", list, want)
		}
	}
	var created map[string]any
	if err := json.Unmarshal([]byte(admin.must("create", "https://example.com/on", "--alias", "promo", "--domain", "go.example.com", "--json")), &created); err != nil ||
		created["short_url"] != "https://go.example.com/promo" || created["domain"] != "go.example.com" {
		t.Fatalf("create --domain --json = %v, %v", created, err)
	}
	admin.want(1, "(domain_in_use)", "domains", "rm", "go.example.com")
	admin.must("rm", "promo", "--domain", "go.example.com", "--yes")
	if got := admin.must("info", "promo", "--domain", "go.example.com"); !strings.Contains(got, "deleted") {
		t.Errorf("info --domain of the deleted link printed\n%s", got)
	}
	if got := admin.must("domains", "rm", "go.example.com"); got != "Removed go.example.com.\n" {
		t.Errorf("domains rm printed %q", got)
	}
}
