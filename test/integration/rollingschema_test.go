//go:build integration

package integration

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// TestPreviousReleaseServesOnTheMigratedSchema is a rolling deploy: new
// tasks have migrated the schema while old ones still serve. It builds the
// api of the previous release (the commit previousReleaseFile pins), runs
// it and the working tree's api side by side on one database migrated to
// the newest schema, sharing both Redis, and checks that creates
// and resolves work across the two in both directions, that an alias taken
// on one is taken on the other, and, when the old api manages links, that a
// disable through either is obeyed by both.
//
// It needs the repository's history. A shallow clone fails the test with
// the command that fetches it: a test that skipped would let a contract go
// unchecked, and one that fetched would reach the network and rewrite the
// clone behind the developer's back.
func TestPreviousReleaseServesOnTheMigratedSchema(t *testing.T) {
	t.Parallel()
	root, err := testkit.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	newest, previous := previousRelease(t, root)
	oldBin := buildAPIAt(t, root, previous)
	bin := testenv.BuildBinaries(t)
	s := testenv.NewStack(t, "") // migrated to every migration of the working tree
	env := s.Env(baseEnv, map[string]string{"POOL_TARGET": "2000", "POOL_LOW_WATER": "500", "ADMIN_KEYS": adminKey})
	testenv.RunBinary(t, bin, "batch", env, "--once")
	apis := map[string]string{
		"old": startReady(t, oldBin, env),
		"new": startReady(t, bin, env),
	}
	t.Logf("newest migration %s; previous release %s", newest, previous[:12])

	for _, pair := range [][2]string{{"old", "new"}, {"new", "old"}} {
		creator, other := pair[0], pair[1]
		target := fmt.Sprintf("https://example.com/rolling-deploy/%s", creator)
		code := mustCreate(t, apis[creator], target)
		for _, name := range []string{creator, other, creator, other} { // the second round may come from the cache
			if r := resolve(apis[name], code); r.Status != http.StatusFound || r.Location() != target {
				t.Errorf("link created on the %s api, resolved on the %s one: %v (Location %q), want 302 to %s",
					creator, name, r, r.Location(), target)
			}
		}
		alias := "deploy-" + creator + "-" + testkit.RandomHex(3)
		if r := createAlias(apis[creator], alias); r.Status != http.StatusCreated {
			t.Fatalf("alias %s on the %s api: %v, want 201", alias, creator, r)
		}
		if r := createAlias(apis[other], alias); r.Status != http.StatusConflict {
			t.Errorf("alias %s taken on the %s api, created again on the %s one: %v, want 409", alias, creator, other, r)
		}
	}

	gateKeepsDomainLinksFromTheOldRelease(t, apis)
	gateKeepsProtectedLinksFromTheOldRelease(t, apis, bin, env)
	domainLinksAfterTheContractStep(t, apis)

	// Management, where the previous release has it: a link the old api
	// created (with the token it returned) is disabled through one api and
	// gone on both.
	if probe := create(apis["old"], "https://example.com/rolling-deploy/probe"); probe.Field("manage_token") == "" {
		t.Logf("the previous release does not manage links (no manage_token in its 201): management not compared")
		return
	}
	for _, pair := range [][2]string{{"old", "new"}, {"new", "old"}} {
		writer := pair[0]
		r := create(apis["old"], "https://example.com/rolling-deploy/managed-"+writer)
		code, token := r.Field("code"), r.Field("manage_token")
		patched := testkit.Send(loadClient, http.MethodPatch, apis[writer]+"/v1/shortlink/"+code, "application/json",
			[]byte(`{"disabled":true}`), http.Header{"Authorization": {"Bearer " + token}})
		if patched.Status != http.StatusOK {
			t.Fatalf("disable on the %s api: %v, want 200", writer, patched)
		}
		for _, name := range pair {
			testkit.Eventually(t, 2*time.Second, name+" api obeys a disable made on the "+writer+" one", func() error {
				if r := resolve(apis[name], code); r.Status != http.StatusGone {
					return fmt.Errorf("GET /%s = %v, want 410", code, r)
				}
				return nil
			})
		}
	}

	// A permanent link made by the working tree's api (MAX_TTL=never, which
	// the previous release cannot parse, so it runs with its own
	// environment): the previous release reads its far-future expiry as an
	// ordinary one and redirects.
	permanentEnv := maps.Clone(env)
	permanentEnv["MAX_TTL"] = "never"
	forever := startReady(t, bin, permanentEnv)
	poster := "https://example.com/rolling-deploy/poster-" + testkit.RandomHex(4)
	created := testkit.SendJSON(loadClient, http.MethodPost, forever+"/v1/shortlink", map[string]string{"url": poster, "expires_at": "never"})
	if raw, ok := created.Envelope.Data["expires_at"]; created.Status != http.StatusCreated || !ok || raw != nil {
		t.Fatalf("a permanent link on the new api: %v, want 201 with expires_at null", created)
	}
	for _, name := range []string{"old", "new", "old"} {
		if r := resolve(apis[name], created.Field("code")); r.Status != http.StatusFound || r.Location() != poster {
			t.Errorf("a permanent link resolved on the %s api: %v (Location %q), want 302 to %s", name, r, r.Location(), poster)
		}
	}

	// An erasure by the working tree's api: the previous release reads the
	// erased row (state deleted, no target) without failing, and shows the
	// target nowhere.
	target := "https://example.com/rolling-deploy/erased-" + testkit.RandomHex(4)
	r := create(apis["old"], target)
	code, token := r.Field("code"), r.Field("manage_token")
	if del := testkit.Send(loadClient, http.MethodDelete, apis["new"]+"/v1/shortlink/"+code, "", nil,
		http.Header{"Authorization": {"Bearer " + token}}); del.Status != http.StatusNoContent {
		t.Fatalf("delete on the new api: %v, want 204", del)
	}
	testkit.Eventually(t, 2*time.Second, "the old api reads a link the new one erased", func() error {
		// 410, or 404 from a release that reads a deleted link as expired.
		if r := resolve(apis["old"], code); (r.Status != http.StatusGone && r.Status != http.StatusNotFound) || strings.Contains(string(r.Body), target) {
			return fmt.Errorf("GET /%s = %v, want 410 or 404 without the target", code, r)
		}
		info := testkit.Send(loadClient, http.MethodGet, apis["old"]+"/v1/shortlink/"+code+"/info", "", nil,
			http.Header{"Authorization": {"Bearer " + adminKey}})
		if info.Status >= 500 || strings.Contains(string(info.Body), target) {
			return fmt.Errorf("the old api's info for an admin: %v", info)
		}
		return nil
	})
}

// gateKeepsProtectedLinksFromTheOldRelease: the previous release knows no
// passwords and would redirect a protected link to anyone. While its tasks
// may serve (the contract step not run), the new api makes no such row, by
// create or by change, so the old api never serves a protected link's
// target; a password sent to the old api makes a plain link, and its
// answer says so (no "protected"). Once the operator has run `migrate
// contract` (in a real deploy: after the last old task is gone), the new
// api makes protected links within the gate's recheck interval.
func gateKeepsProtectedLinksFromTheOldRelease(t *testing.T, apis map[string]string, bin string, env map[string]string) {
	t.Helper()
	const password = "correct horse battery"
	protected := map[string]string{"url": "https://example.com/rolling-deploy/protected", "password": password}
	testkit.ExpectError(t, testkit.SendJSON(loadClient, http.MethodPost, apis["new"]+"/v1/shortlink", protected),
		http.StatusConflict, "feature_not_enabled", "")
	plain := create(apis["new"], "https://example.com/rolling-deploy/plain")
	testkit.ExpectError(t, testkit.Send(loadClient, http.MethodPatch, apis["new"]+"/v1/shortlink/"+plain.Field("code"), "application/json",
		[]byte(`{"password":"`+password+`"}`), http.Header{"Authorization": {"Bearer " + plain.Field("manage_token")}}),
		http.StatusConflict, "feature_not_enabled", "")
	if r := resolve(apis["old"], plain.Field("code")); r.Status != http.StatusFound {
		t.Errorf("the old api's redirect of the link a refused PATCH left plain: %v, want 302", r)
	}
	if r := testkit.SendJSON(loadClient, http.MethodPost, apis["old"]+"/v1/shortlink", protected); r.Status == http.StatusCreated && r.Field("protected") != "" {
		t.Errorf("the previous release answers a password with protected %q: it knows passwords, and the gate could go", r.Field("protected"))
	}

	rulesRefusedBeforeTheContract(t, apis, plain.Field("code"))

	if out := testenv.RunBinary(t, bin, "migrate", env, "contract"); !strings.Contains(out, "contract step recorded") {
		t.Fatalf("migrate contract printed:\n%s", out)
	}
	var code string
	testkit.Eventually(t, 10*time.Second, "the new api enables passwords after migrate contract", func() error {
		r := testkit.SendJSON(loadClient, http.MethodPost, apis["new"]+"/v1/shortlink", protected)
		if r.Status != http.StatusCreated {
			return fmt.Errorf("create with a password: %v, want 201", r)
		}
		code = r.Field("code")
		return nil
	})
	if r := resolve(apis["new"], code); r.Status != http.StatusUnauthorized || r.Location() != "" {
		t.Errorf("the new api's redirect of a protected link: %v (Location %q), want 401 without Location", r, r.Location())
	}
	rulesAfterTheContract(t, apis)
	// What the gate prevents, had an old task still served (which the
	// runbook forbids once the step has run):
	t.Logf("the previous release on a protected link, after the contract step: %v (Location %q)", resolve(apis["old"], code), resolve(apis["old"], code).Location())
}

// adminKey is the ADMIN_KEYS of the rolling-deploy test's apis.
const adminKey = "rolling-deploy-admin-key-0123456789"

func createAlias(base, alias string) testkit.Response {
	return testkit.SendJSON(loadClient, http.MethodPost, base+"/v1/shortlink",
		map[string]string{"url": "https://example.com/alias/" + alias, "alias": alias})
}

// startReady runs the api in binDir with env and waits until it is ready.
func startReady(t *testing.T, binDir string, env map[string]string) string {
	t.Helper()
	api := testenv.StartAPI(t, binDir, env)
	api.WaitHTTP(api.BaseURL()+"/v1/ready", http.StatusOK, 30*time.Second)
	return api.BaseURL()
}

// previousReleaseFile pins the previous release: the commit that ended the
// last round. (Found as the commit before the newest migration, it would
// move to a commit of this round as soon as a second migration of the
// round landed.)
const previousReleaseFile = "test/integration/testdata/previous_release"

// previousRelease returns the newest migration of the working tree and the
// pinned previous release's commit, checked to be in this clone's history.
// A shallow clone, or no git history at all, fails the test with what to
// do.
func previousRelease(t *testing.T, root string) (newest, commit string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "db", "migrations", "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations under %s/db/migrations (%v)", root, err)
	}
	slices.Sort(files)
	newest = filepath.ToSlash(strings.TrimPrefix(files[len(files)-1], root+string(filepath.Separator)))
	const needHistory = "this test builds the api of the previous release and needs the repository's history"
	if out, err := git(root, "rev-parse", "--is-shallow-repository"); err != nil {
		t.Fatalf("%s, but %s is not a git checkout (%v: %s); run it in a clone of the repository", needHistory, root, err, out)
	} else if out == "true" {
		t.Fatalf("%s, but this clone is shallow: run git fetch --unshallow (in CI, check out with full history, e.g. actions/checkout with fetch-depth: 0)", needHistory)
	}
	pinned, err := os.ReadFile(filepath.Join(root, previousReleaseFile))
	if err != nil {
		t.Fatalf("the previous release's commit: %v", err)
	}
	commit, err = git(root, "rev-parse", "--verify", strings.TrimSpace(string(pinned))+"^{commit}")
	if err != nil {
		t.Fatalf("%s names %q, which this clone does not have (%v: %s): %s", previousReleaseFile, strings.TrimSpace(string(pinned)), err, commit, needHistory)
	}
	return newest, commit
}

func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// buildAPIAt builds cmd/api as of commit into a temporary directory and
// returns that directory. The source comes from git archive, which only
// reads the repository: a git worktree would register itself in the clone's
// shared .git and outlive a test killed before its cleanup.
func buildAPIAt(t *testing.T, root, commit string) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	archive := exec.Command("git", "archive", "--format=tar", commit)
	archive.Dir = root
	untar := exec.Command("tar", "-x", "-C", src)
	pipe, err := archive.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	untar.Stdin = pipe
	var archiveErr strings.Builder
	archive.Stderr = &archiveErr
	if err := untar.Start(); err != nil {
		t.Fatal(err)
	}
	if err := archive.Run(); err != nil {
		t.Fatalf("git archive %s: %v: %s", commit, err, archiveErr.String())
	}
	if err := untar.Wait(); err != nil {
		t.Fatalf("untar %s: %v", commit, err)
	}
	// -trimpath keeps the build cache's entries for the packages the two
	// trees share; no -race: the old binary is the subject, not the suspect.
	build := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(dir, "api"), "./cmd/api")
	build.Dir = src
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the api of %s: %v\n%s", commit[:12], err, out)
	}
	return dir
}

// ruledLink is a create with redirect rules (SPEC §15): the previous
// release would send an iPhone to the link's url.
const ruledLink = `{"url":"https://example.com/rolling-deploy/ruled","rules":[{"when":{"os":["ios"]},"url":"https://apps.apple.com/app/id1"}]}`

const iPhoneUA = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"

// rulesRefusedBeforeTheContract: until the contract step, the new api
// makes no row with rules, by create or by an admin's PATCH of code.
func rulesRefusedBeforeTheContract(t *testing.T, apis map[string]string, code string) {
	t.Helper()
	testkit.ExpectError(t, testkit.Send(loadClient, http.MethodPost, apis["new"]+"/v1/shortlink", "application/json", []byte(ruledLink), nil),
		http.StatusConflict, "feature_not_enabled", "")
	testkit.ExpectError(t, testkit.Send(loadClient, http.MethodPatch, apis["new"]+"/v1/shortlink/"+code, "application/json",
		[]byte(`{"rules":[{"when":{"os":["ios"]},"url":"https://apps.apple.com/app/id1"}]}`), http.Header{"Authorization": {"Bearer " + adminKey}}),
		http.StatusConflict, "feature_not_enabled", "")
	if r := testkit.Send(loadClient, http.MethodGet, apis["old"]+"/"+code, "", nil, http.Header{"User-Agent": {iPhoneUA}}); r.Location() != "https://example.com/rolling-deploy/plain" {
		t.Errorf("the old api sends an iPhone to %q after a refused PATCH of rules, want the link's url", r.Location())
	}
}

// rulesAfterTheContract: once the step has run, the new api makes links
// with rules, and sends an iPhone where they say.
func rulesAfterTheContract(t *testing.T, apis map[string]string) {
	t.Helper()
	r := testkit.Send(loadClient, http.MethodPost, apis["new"]+"/v1/shortlink", "application/json", []byte(ruledLink), nil)
	if r.Status != http.StatusCreated {
		t.Fatalf("create with rules after the contract step: %v, want 201", r)
	}
	code := r.Field("code")
	if got := testkit.Send(loadClient, http.MethodGet, apis["new"]+"/"+code, "", nil, http.Header{"User-Agent": {iPhoneUA}}); got.Location() != "https://apps.apple.com/app/id1" {
		t.Errorf("the new api sends an iPhone to %q, want the App Store", got.Location())
	}
	t.Logf("the previous release on a link with rules, after the contract step, sends an iPhone to %q", testkit.Send(loadClient, http.MethodGet, apis["old"]+"/"+code, "", nil, http.Header{"User-Agent": {iPhoneUA}}).Location())
}

// gateKeepsDomainLinksFromTheOldRelease: the previous release knows no
// short domains. Registering one is harmless (it never reads the table),
// but until the contract step the new api makes no link on it.
func gateKeepsDomainLinksFromTheOldRelease(t *testing.T, apis map[string]string) {
	t.Helper()
	admin := http.Header{"Authorization": {"Bearer " + adminKey}}
	if r := testkit.Send(loadClient, http.MethodPost, apis["new"]+"/v1/domains", "application/json", []byte(`{"host":"rolling.example"}`), admin); r.Status != http.StatusCreated {
		t.Fatalf("register rolling.example: %v, want 201", r)
	}
	testkit.ExpectError(t, testkit.Send(loadClient, http.MethodPost, apis["new"]+"/v1/shortlink", "application/json",
		[]byte(`{"url":"https://example.com/rolling-deploy/domain","alias":"on-domain","domain":"rolling.example"}`), admin),
		http.StatusConflict, "feature_not_enabled", "")
	// An import's row on the domain is refused alike (the import itself
	// answers 200, its rows one by one).
	imp := testkit.Send(loadClient, http.MethodPost, apis["new"]+"/v1/shortlinks/import?format=csv", "text/csv",
		[]byte("url,alias,domain\nhttps://example.com/rolling-deploy/imported,imported-on-domain,rolling.example\n"), admin)
	var answer struct {
		Data struct {
			Imported int `json:"imported"`
			Refused  []struct {
				Line   int    `json:"line"`
				Reason string `json:"reason"`
			} `json:"refused"`
		} `json:"data"`
	}
	if err := json.Unmarshal(imp.Body, &answer); err != nil || imp.Status != http.StatusOK || answer.Data.Imported != 0 ||
		len(answer.Data.Refused) != 1 || answer.Data.Refused[0].Reason != "feature_not_enabled" {
		t.Errorf("import of a row on rolling.example before the contract step: %v, want its row refused feature_not_enabled", imp)
	}
	if r := testkit.Send(loadClient, http.MethodDelete, apis["new"]+"/v1/domains/rolling.example", "", nil, admin); r.Status != http.StatusNoContent {
		t.Fatalf("remove rolling.example: %v, want 204", r)
	}
}

// domainLinksAfterTheContractStep: once the step has run, the new api
// makes links on a registered domain. Such a row is kept under
// "<host>/<code>", a key the previous release never looks up: had an old
// task still served, it would answer 404 for the alias, never another
// domain's target.
func domainLinksAfterTheContractStep(t *testing.T, apis map[string]string) {
	t.Helper()
	admin := http.Header{"Authorization": {"Bearer " + adminKey}}
	if r := testkit.Send(loadClient, http.MethodPost, apis["new"]+"/v1/domains", "application/json", []byte(`{"host":"rolling.example"}`), admin); r.Status != http.StatusCreated {
		t.Fatalf("register rolling.example: %v, want 201", r)
	}
	defer func() {
		if r := testkit.Send(loadClient, http.MethodDelete, apis["new"]+"/v1/domains/rolling.example", "", nil, admin); r.Status != http.StatusNoContent {
			t.Errorf("remove rolling.example: %v, want 204", r)
		}
	}()
	alias := "on-domain-" + testkit.RandomHex(3)
	target := "https://example.com/rolling-deploy/" + alias
	created := testkit.Send(loadClient, http.MethodPost, apis["new"]+"/v1/shortlink", "application/json",
		[]byte(`{"url":"`+target+`","alias":"`+alias+`","domain":"rolling.example"}`), admin)
	if created.Status != http.StatusCreated {
		t.Fatalf("a link on rolling.example after migrate contract: %v, want 201", created)
	}
	defer func() {
		if r := testkit.Send(loadClient, http.MethodDelete, apis["new"]+"/v1/shortlink/"+alias+"?domain=rolling.example", "", nil, admin); r.Status != http.StatusNoContent {
			t.Errorf("delete %s on rolling.example: %v, want 204", alias, r)
		}
	}()
	onHost := testkit.Send(loadClient, http.MethodGet, apis["new"]+"/"+alias, "", nil, http.Header{"Host": {"rolling.example"}})
	if onHost.Status != http.StatusFound || onHost.Location() != target {
		t.Errorf("the new api on Host rolling.example: %v (Location %q), want 302 to %s", onHost, onHost.Location(), target)
	}
	if r := resolve(apis["old"], alias); r.Status != http.StatusNotFound {
		t.Errorf("the previous release on the alias of a link on rolling.example: %v, want 404", r)
	}
}
