//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/testkit"
)

// sameItems requires the JSON array the command printed to be the items
// of the API's page.
func sameItems(t *testing.T, what, printed string, want map[string]any) {
	t.Helper()
	var got []any
	if err := json.Unmarshal([]byte(printed), &got); err != nil {
		t.Fatalf("%s printed no JSON array: %v\n%s", what, err, printed)
	}
	items, _ := want["items"].([]any)
	if len(got) == 0 && len(items) == 0 {
		return
	}
	if !reflect.DeepEqual(got, items) {
		t.Errorf("%s printed\n%v\nbut the API answers\n%v", what, got, items)
	}
}

// testCLIWorkspaces runs create's titles, tags, forwarding and passwords,
// tag, ls, unlock, workspaces, keys and audit against the api at base.
func testCLIWorkspaces(t *testing.T, bin, base string) {
	cli := shortlinkCLI{t: t, bin: bin, url: base, dir: t.TempDir()}
	tag := "e2e-" + testkit.RandomHex(3)
	code := "cli2-" + testkit.RandomHex(3)
	info := "/v1/shortlink/" + code + "/info"

	var created map[string]any
	if err := json.Unmarshal([]byte(cli.ok("create", "https://example.com/sale", "--alias", code, "--title", "Winter sale", "--tag", tag, "--tag", "Q4", "--forward-query", "--json")), &created); err != nil {
		t.Fatal(err)
	}
	direct := apiData(t, base, info)
	if created["forward_query"] != true || direct["title"] != "Winter sale" || !reflect.DeepEqual(direct["tags"], []any{tag, "q4"}) && !reflect.DeepEqual(direct["tags"], []any{"q4", tag}) {
		t.Errorf("create --title --tag --forward-query: created %v, the API's info %v", created, direct)
	}
	sameData(t, "tag --add --rm --json", cli.ok("tag", code, "--add", "spring", "--rm", "q4", "--json"), apiData(t, base, info))
	if got := apiData(t, base, info)["tags"]; len(got.([]any)) != 2 {
		t.Errorf("after tag --add spring --rm q4 the tags are %v", got)
	}
	sameData(t, "tag --title --json", cli.ok("tag", code, "--title", "Spring sale", "--json"), apiData(t, base, info))
	cli.fails(2, "nothing to change", "tag", code)

	for range 3 {
		cli.ok("create", "-q", "https://example.com/listed", "--tag", tag)
	}
	sameItems(t, "ls --tag --json", cli.ok("ls", "--tag", tag, "--json", "--limit", "100"), apiData(t, base, "/v1/shortlinks?limit=100&tag="+tag))
	if out := cli.ok("ls", "--tag", tag, "--all"); strings.Count(out, "\n") != 5 || !strings.HasPrefix(out, "CODE") || !strings.Contains(out, code) {
		t.Errorf("ls --tag --all printed\n%s", out)
	}
	if out := cli.ok("export", "--tag", tag); strings.Count(out, "\n") != 5 || !strings.HasPrefix(out, "code,short_url,url,title,tags,") || !strings.Contains(out, "\n"+code+",") {
		t.Errorf("export --tag printed\n%s", out)
	}
	r := cli.run("ls", "--tag", tag, "--limit", "2", "--json")
	var two []any
	if r.exit != 0 || json.Unmarshal([]byte(r.stdout), &two) != nil || len(two) != 2 || !strings.Contains(r.stderr, "there are more") {
		t.Errorf("ls --limit 2 = %+v", r)
	}
	// The cursor ls names goes on where the API's own next page does.
	if m := regexp.MustCompile(`--cursor (\S+) for the next page`).FindStringSubmatch(r.stderr); m == nil {
		t.Errorf("ls --limit 2 names no cursor: %q", r.stderr)
	} else {
		sameItems(t, "ls --cursor --json", cli.ok("ls", "--tag", tag, "--limit", "2", "--cursor", m[1], "--json"),
			apiData(t, base, "/v1/shortlinks?limit=2&tag="+tag+"&cursor="+m[1]))
	}
	sameItems(t, "ls --q --state --created-after --json", cli.ok("ls", "--q", code, "--state", "active", "--created-after", "1h", "--json"),
		apiData(t, base, "/v1/shortlinks?q="+code+"&state=active"))
	sameItems(t, "ls --workspace none --created-before --json", cli.ok("ls", "--workspace", "none", "--created-before", "2020-01-01", "--json"),
		apiData(t, base, "/v1/shortlinks?workspace=none&created_before=2020-01-01T00:00:00Z"))
	sameData(t, "tags --json", cli.ok("tags", "--json"), apiData(t, base, "/v1/tags"))
	if out := cli.ok("tags"); !strings.Contains(out, tag) || !strings.HasPrefix(out, "TAG") {
		t.Errorf("tags printed\n%s", out)
	}
	cli.fails(2, "--state must be", "ls", "--state", "sleeping")

	pw := filepath.Join(cli.dir, "notes.pw")
	if err := os.WriteFile(pw, []byte("correct horse battery\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	locked := "locked-" + testkit.RandomHex(3)
	if out := cli.ok("create", "https://example.com/team-notes", "--alias", locked, "--password-file", pw); !strings.Contains(out, "protected") {
		t.Errorf("create --password-file printed\n%s", out)
	}
	if got := cli.ok("unlock", locked, "--password-file", pw); got != "https://example.com/team-notes\n" {
		t.Errorf("unlock printed %q", got)
	}
	wrong := filepath.Join(cli.dir, "wrong.pw")
	if err := os.WriteFile(wrong, []byte("not the password\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cli.fails(1, "(wrong_password)", "unlock", locked, "--password-file", wrong)
	lockedInfo := "/v1/shortlink/" + locked + "/info"
	sameData(t, "password --remove --json", cli.ok("password", locked, "--remove", "--json"), apiData(t, base, lockedInfo))
	if apiData(t, base, lockedInfo)["protected"] == true {
		t.Errorf("password --remove left %s protected", locked)
	}
	sameData(t, "password --password-file --json", cli.ok("password", locked, "--password-file", pw, "--json"), apiData(t, base, lockedInfo))
	if got := cli.ok("unlock", locked, "--password-file", pw); got != "https://example.com/team-notes\n" {
		t.Errorf("unlock after password printed %q", got)
	}
	sameData(t, "forward-query off --json", cli.ok("forward-query", code, "off", "--json"), apiData(t, base, info))
	if apiData(t, base, info)["forward_query"] == true {
		t.Errorf("forward-query off left %s forwarding", code)
	}
	cli.fails(2, "on or off", "forward-query", code, "sometimes")
	cli.fails(2, "unknown flag: --password", "create", "https://example.com/", "--password", "hunter22")

	ownerKey := strings.TrimSpace(cli.ok("workspaces", "create", "CLI "+tag, "-q"))
	if !strings.HasPrefix(ownerKey, "slk_") {
		t.Fatalf("workspaces create -q printed %q", ownerKey)
	}
	ownerFile := filepath.Join(cli.dir, "owner.key")
	if err := os.WriteFile(ownerFile, []byte(ownerKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var key map[string]any
	if err := json.Unmarshal([]byte(cli.ok("keys", "create", "CI", "--role", "editor", "--key-file", ownerFile, "--json")), &key); err != nil || key["role"] != "editor" {
		t.Fatalf("keys create --json = %v, %v", key, err)
	}
	workspace := key["workspace"].(string)
	// The workspace's visits, as its owner sees them and an admin naming it.
	placed := strings.TrimSpace(cli.ok("create", "-q", "https://example.com/placed", "--workspace", workspace))
	if !strings.HasPrefix(placed, base+"/") {
		t.Errorf("create --workspace -q printed %q", placed)
	}
	sameData(t, "workspaces stats --json", cli.ok("workspaces", "stats", "--key-file", ownerFile, "--json"), apiData(t, base, "/v1/stats?workspace="+workspace))
	if out := cli.ok("workspaces", "stats", "--workspace", workspace); !strings.HasPrefix(out, workspace+": 0 visits") || !strings.Contains(out, "DAY") {
		t.Errorf("workspaces stats printed\n%s", out)
	}
	var keys map[string]any
	if err := json.Unmarshal([]byte(cli.ok("keys", "ls", "--key-file", ownerFile, "--json")), &keys); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(keys, apiData(t, base, "/v1/keys?workspace="+workspace)) {
		t.Errorf("keys ls --json = %v, the API answers %v", keys, apiData(t, base, "/v1/keys?workspace="+workspace))
	}
	if out := cli.ok("keys", "ls", "--key-file", ownerFile); strings.Contains(out, ownerKey) || !strings.Contains(out, "CI") || !strings.Contains(out, "editor") {
		t.Errorf("keys ls printed\n%s", out)
	}
	if out := cli.ok("keys", "revoke", key["id"].(string), "--key-file", ownerFile); out != "Revoked "+key["id"].(string)+".\n" {
		t.Errorf("keys revoke printed %q", out)
	}
	editorFile := filepath.Join(cli.dir, "editor.key")
	if err := os.WriteFile(editorFile, []byte(key["key"].(string)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, 5*time.Second, "the revoked key refused", func() error {
		if r := cli.run("ls", "--key-file", editorFile); r.exit != 1 || !strings.Contains(r.stderr, "(unauthorized)") {
			return fmt.Errorf("ls with the revoked key = %+v", r)
		}
		return nil
	})
	sameItems(t, "audit --json", cli.ok("audit", "--workspace", workspace, "--json"), apiData(t, base, "/v1/audit?workspace="+workspace))
	if out := cli.ok("audit", "--key-file", ownerFile); !strings.Contains(out, "key.revoke") || !strings.Contains(out, "workspace.create") {
		t.Errorf("audit printed\n%s", out)
	}
}
