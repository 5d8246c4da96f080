package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestPasswordAndForwardQueryCommands: password sets and removes a link's
// password (from a file, never a flag's value), forward-query turns
// forwarding on and off; both print the link as it now is.
func TestPasswordAndForwardQueryCommands(t *testing.T) {
	t.Parallel()
	env := startAPI(t)
	r := runner{t: t, env: map[string]string{"SHORTLINK_URL": env.BaseURL, "SHORTLINK_KEY": adminKey, "COLUMNS": "120"}}
	r.must("create", "https://example.com/later", "--alias", "later")

	var info map[string]any
	decode := func(out string) map[string]any {
		t.Helper()
		info = nil
		if err := json.Unmarshal([]byte(out), &info); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		return info
	}
	if got := decode(r.must("forward-query", "later", "on", "--json")); got["forward_query"] != true {
		t.Errorf("forward-query on --json = %v", got)
	}
	if out := r.must("info", "later"); !strings.Contains(out, "forward query  yes") {
		t.Errorf("info after forward-query on printed\n%s", out)
	}
	if got := decode(r.must("forward-query", "later", "off", "--json")); got["forward_query"] == true {
		t.Errorf("forward-query off --json = %v", got)
	}
	r.want(2, "on or off", "forward-query", "later", "maybe")
	r.want(2, "takes 2 argument", "forward-query", "later")

	pw := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pw, []byte("correct horse battery\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := decode(r.must("password", "later", "--password-file", pw, "--json")); got["protected"] != true {
		t.Errorf("password --password-file --json = %v", got)
	}
	stdin := runner{t: t, env: r.env, in: "correct horse battery\n"}
	if got := stdin.must("unlock", "later", "--password-file", "-"); got != "https://example.com/later\n" {
		t.Errorf("unlock after password printed %q", got)
	}
	if got := decode(r.must("password", "later", "--remove", "--json")); got["protected"] == true {
		t.Errorf("password --remove --json = %v", got)
	}
	r.want(2, "--password-file FILE", "password", "later")
	r.want(2, "give one", "password", "later", "--remove", "--password-file", pw)
	r.want(2, "unknown flag: --password", "password", "later", "--password", "hunter22")
	short := filepath.Join(t.TempDir(), "short")
	if err := os.WriteFile(short, []byte("short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r.want(1, "(invalid_password)", "password", "later", "--password-file", short)
	r.want(1, "(not_found)", "password", "no-such-link", "--remove")
}

// TestLsGoesOnFromACursor: ls --limit says on stderr where the next page
// starts, and --cursor goes on from there, every link once.
func TestLsGoesOnFromACursor(t *testing.T) {
	t.Parallel()
	env := startAPI(t)
	r := runner{t: t, env: map[string]string{"SHORTLINK_URL": env.BaseURL, "SHORTLINK_KEY": adminKey, "COLUMNS": "120"}}
	for range 5 {
		r.must("create", "https://example.com/paged", "--tag", "cursor")
	}
	var all []map[string]any
	if err := json.Unmarshal([]byte(r.must("ls", "--tag", "cursor", "--all", "--json")), &all); err != nil || len(all) != 5 {
		t.Fatalf("ls --all = %v, %v", all, err)
	}
	cursorNote := regexp.MustCompile(`--cursor (\S+) for the next page`)
	var seen []string
	cursor := ""
	for range 3 { // pages of 2: 2, 2, 1
		args := []string{"ls", "--tag", "cursor", "--limit", "2", "--json"}
		if cursor != "" {
			args = append(args, "--cursor", cursor)
		}
		res := r.run(args...)
		var page []map[string]any
		if res.exit != 0 || json.Unmarshal([]byte(res.stdout), &page) != nil {
			t.Fatalf("%v = %+v", args, res)
		}
		for _, l := range page {
			seen = append(seen, l["code"].(string))
		}
		m := cursorNote.FindStringSubmatch(res.stderr)
		if m == nil {
			cursor = ""
			break
		}
		cursor = m[1]
	}
	if cursor != "" {
		t.Errorf("the third page still names a next cursor %q", cursor)
	}
	var want []string
	for _, l := range all {
		want = append(want, l["code"].(string))
	}
	if strings.Join(seen, " ") != strings.Join(want, " ") {
		t.Errorf("pages through --cursor = %v, want %v (newest first, each once)", seen, want)
	}
	r.want(1, "(invalid_cursor)", "ls", "--cursor", "not-a-cursor")
}

// TestCreateIntoAWorkspace: an admin key's create --workspace puts the
// link into that workspace, where its keys list it; a workspace key's is
// refused (403, exit 1).
func TestCreateIntoAWorkspace(t *testing.T) {
	t.Parallel()
	env := startAPI(t)
	admin := runner{t: t, env: map[string]string{"SHORTLINK_URL": env.BaseURL, "SHORTLINK_KEY": adminKey, "COLUMNS": "120"}}
	var ws struct {
		Workspace struct{ ID string }
		Key       struct{ Key string }
	}
	if err := json.Unmarshal([]byte(admin.must("workspaces", "create", "Placed", "--json")), &ws); err != nil || ws.Workspace.ID == "" || ws.Key.Key == "" {
		t.Fatalf("workspaces create --json = %+v, %v", ws, err)
	}
	admin.must("create", "https://example.com/placed", "--alias", "placed", "--workspace", ws.Workspace.ID)
	owner := runner{t: t, env: map[string]string{"SHORTLINK_URL": env.BaseURL, "SHORTLINK_KEY": ws.Key.Key, "COLUMNS": "120"}}
	var listed []map[string]any
	if err := json.Unmarshal([]byte(owner.must("ls", "--json")), &listed); err != nil || len(listed) != 1 || listed[0]["code"] != "placed" || listed[0]["workspace"] != ws.Workspace.ID {
		t.Errorf("the owner's ls = %v, %v", listed, err)
	}
	owner.want(1, "(forbidden)", "create", "https://example.com/not-placed", "--workspace", ws.Workspace.ID)

	// workspaces stats: its links' visits together, for its keys.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(env.BaseURL + "/placed")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var visits map[string]any
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if err := json.Unmarshal([]byte(owner.must("workspaces", "stats", "--json")), &visits); err != nil {
			t.Fatal(err)
		}
		if visits["total"] == float64(1) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("workspaces stats --json = %v after 10 s, want 1 visit", visits)
		}
	}
	out := owner.must("workspaces", "stats")
	for _, want := range []string{ws.Workspace.ID + ": 1 visit, 0 humans and 1 bot, 1 of its links visited", "DAY", "█", "LINK", "placed"} {
		if !strings.Contains(out, want) {
			t.Errorf("workspaces stats printed\n%s\nwithout %q", out, want)
		}
	}
	if out := admin.must("workspaces", "stats", "--workspace", "none"); !strings.HasPrefix(out, "the links of no workspace: 0 visits") {
		t.Errorf("workspaces stats --workspace none printed\n%s", out)
	}
	admin.want(2, "--from", "workspaces", "stats", "--from", "someday")
	admin.want(1, "(invalid_filter)", "create", "https://example.com/nowhere", "--workspace", "ws_nosuch")
}
