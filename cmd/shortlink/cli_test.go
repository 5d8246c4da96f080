package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	qr "github.com/piglig/go-qr"

	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
)

// adminKey is the in-process api's admin key: distinctive, so the tests
// can tell it never shows in what the command prints.
const adminKey = "cli-unit-admin-key-5b2e81d0"

type result struct {
	stdout, stderr string
	exit           int
}

// runner runs the command in-process against one api.
type runner struct {
	t   *testing.T
	env map[string]string
	tty bool // stdin and stdout are terminals
	in  string
}

func (r runner) run(args ...string) result {
	r.t.Helper()
	var stdout, stderr bytes.Buffer
	c := &cli{
		in: strings.NewReader(r.in), out: &stdout, errOut: &stderr,
		getenv:   func(name string) string { return r.env[name] },
		stdinTTY: r.tty, stdoutTTY: r.tty,
		now: time.Now,
	}
	exit := c.run(args)
	res := result{stdout.String(), stderr.String(), exit}
	if strings.Contains(res.stdout+res.stderr, adminKey) {
		r.t.Fatalf("shortlink %s printed the key:\n%s%s", strings.Join(args, " "), res.stdout, res.stderr)
	}
	if exit != 0 && strings.Count(strings.TrimSuffix(res.stderr, "\n"), "\n") > 0 && !strings.HasPrefix(res.stderr, "Delete") {
		r.t.Errorf("shortlink %s: the error takes more than one line:\n%s", strings.Join(args, " "), res.stderr)
	}
	return res
}

func (r runner) must(args ...string) string {
	r.t.Helper()
	res := r.run(args...)
	if res.exit != 0 {
		r.t.Fatalf("shortlink %s: exit %d\n%s%s", strings.Join(args, " "), res.exit, res.stdout, res.stderr)
	}
	return res.stdout
}

func (r runner) want(exit int, stderr string, args ...string) {
	r.t.Helper()
	res := r.run(args...)
	if res.exit != exit || !strings.Contains(res.stderr, stderr) {
		r.t.Errorf("shortlink %s = exit %d, stderr %q; want exit %d and %q", strings.Join(args, " "), res.exit, res.stderr, exit, stderr)
	}
}

func startAPI(t *testing.T, configure ...func(cfg *config.Config)) httpsuite.Env {
	t.Helper()
	store := memory.NewLinkStore()
	return httpsuite.StartInProcess(t, httpsuite.Parts{
		Store: store, Counter: store, Cache: testenv.MemoryCache(t, time.Hour, 10*time.Second),
		Configure: func(cfg *config.Config) {
			cfg.AdminKeys = []string{adminKey}
			for _, c := range configure {
				c(cfg)
			}
		},
	})
}

// TestPermanentLinksOnTheCommandLine: with MAX_TTL=never, --expires never
// and extend … never make permanent links, printed as expiring never.
func TestPermanentLinksOnTheCommandLine(t *testing.T) {
	t.Parallel()
	env := startAPI(t, httpsuite.AllowPermanent)
	r := runner{t: t, env: map[string]string{"SHORTLINK_URL": env.BaseURL, "SHORTLINK_KEY": adminKey}}
	if out := r.must("create", "https://example.com/poster", "--alias", "poster", "--expires", "never"); !strings.Contains(out, "expires       never\n") {
		t.Errorf("create --expires never printed\n%s", out)
	}
	if out := r.must("extend", "poster", "30d"); !strings.Contains(out, "(in 30 days)") {
		t.Errorf("extend 30d printed\n%s", out)
	}
	if out := r.must("extend", "poster", "never"); !strings.Contains(out, "expires    never\n") {
		t.Errorf("extend never printed\n%s", out)
	}
}

// TestCommands runs each command against an in-process api (in-memory
// ports); test/e2e runs the built binary against the real ones.
func TestCommands(t *testing.T) {
	t.Parallel()
	env := startAPI(t)
	r := runner{t: t, env: map[string]string{"SHORTLINK_URL": env.BaseURL, "SHORTLINK_KEY": adminKey}}

	out := r.must("create", "https://example.com/launch", "--alias", "launch", "--expires", "30d")
	for _, want := range []string{"short URL     " + httpsuite.PublicBaseURL + "/launch", "code          launch", "(in 30 days)", "manage token  "} {
		if !strings.Contains(out, want) {
			t.Errorf("create printed\n%s\nwithout %q", out, want)
		}
	}
	if got := r.must("create", "-q", "https://example.com/q"); !strings.HasPrefix(got, httpsuite.PublicBaseURL+"/") || strings.Count(got, "\n") != 1 {
		t.Errorf("create -q printed %q, want the short URL alone", got)
	}
	var created map[string]any
	if err := json.Unmarshal([]byte(r.must("create", "https://example.com/j", "--json")), &created); err != nil || created["manage_token"] == nil {
		t.Errorf("create --json = %v, %v", created, err)
	}
	r.want(1, "shortlink: alias is already taken (alias_taken)\n", "create", "https://example.com/x", "--alias", "launch")
	r.want(2, "--expires", "create", "https://example.com/x", "--expires", "soon")
	r.want(1, "(expires_at_too_far)", "create", "https://example.com/x", "--expires", "never") // MAX_TTL is not never here
	r.want(2, "takes 1 argument", "create")
	r.want(2, "unknown flag", "create", "https://example.com/x", "--nope")
	r.want(2, "unknown command", "nope")

	info := r.must("info", "launch")
	if !strings.Contains(info, "state      active") || !strings.Contains(info, "url        https://example.com/launch") {
		t.Errorf("info printed\n%s", info)
	}
	if got := strings.TrimSpace(r.must("info", "launch", "--json")); !strings.HasPrefix(got, `{"code":"launch"`) {
		t.Errorf("info --json = %s", got)
	}
	r.want(1, "(not_found)", "info", "no-such-link")

	if got := r.must("disable", "launch"); !strings.Contains(got, "state      disabled") {
		t.Errorf("disable printed\n%s", got)
	}
	anonymous := runner{t: t, env: map[string]string{"SHORTLINK_URL": env.BaseURL}}
	anonymous.want(1, "(gone)", "info", "launch")
	r.want(1, "(forbidden)", "info", "launch", "--key-file", writeKey(t, "not-the-admin-key-x"))
	if got := r.must("enable", "launch", "--json"); !strings.Contains(got, `"state":"active"`) {
		t.Errorf("enable --json = %s", got)
	}
	if got := r.must("extend", "launch", "2w"); !strings.Contains(got, "(in 14 days)") {
		t.Errorf("extend printed\n%s", got)
	}
	r.want(1, "(expires_at_in_past)", "extend", "launch", "2020-01-01")
	r.want(2, "takes 2 argument", "extend", "launch")

	stats := r.must("stats", "launch", "--from", "3d")
	if !strings.HasPrefix(stats, "launch: 0 visits, 0 humans and 0 bots, ") || !strings.Contains(stats, "DAY") {
		t.Errorf("stats printed\n%s", stats)
	}
	if got := r.must("stats", "launch", "--from", "2h", "--interval", "hour", "--csv"); !strings.HasPrefix(got, "start,humans,bots\n") || strings.Count(got, "\n") < 3 {
		t.Errorf("stats --csv printed\n%s", got)
	}
	r.want(2, "--interval", "stats", "launch", "--interval", "week")
	r.want(2, "none of the others", "stats", "launch", "--json", "--csv")

	anonymous.want(1, "(unauthorized)", "stats", "launch")

	terminal := r.must("qr", "launch")
	wantQR(t, terminal, httpsuite.PublicBaseURL+"/launch")
	png := filepath.Join(t.TempDir(), "launch.png")
	if got := r.must("qr", "launch", "-o", png); !strings.Contains(got, "Saved "+png) {
		t.Errorf("qr -o printed %q", got)
	}
	if b, err := os.ReadFile(png); err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Errorf("qr -o wrote %d bytes, %v", len(b), err)
	}
	r.want(2, ".png or .svg", "qr", "launch", "-o", "launch.gif")

	r.want(2, "no terminal to confirm on", "rm", "launch")
	asking := runner{t: t, env: r.env, tty: true, in: "n\n"}
	if res := asking.run("rm", "launch"); res.exit != 0 || !strings.Contains(res.stderr, "Not deleted.") {
		t.Errorf("rm answered n = %+v", res)
	}
	r.must("info", "launch")
	asking.in = "y\n"
	if got := asking.must("rm", "launch"); got != "Deleted launch.\n" {
		t.Errorf("rm answered y printed %q", got)
	}
	if got := r.must("info", "launch"); !strings.Contains(got, "state      deleted") {
		t.Errorf("info after rm printed\n%s", got)
	}
	r.want(1, "(gone)", "rm", "launch", "--yes")

	r.want(3, "cannot reach the API at http://127.0.0.1:1", "info", "launch", "--url", "http://127.0.0.1:1")
	r.want(2, "must be http:// or https://", "info", "launch", "--url", "localhost:8000")
	r.want(2, "read the key file", "info", "launch", "--key-file", filepath.Join(t.TempDir(), "missing"))
	r.want(2, "on one line", "info", "launch", "--key-file", writeKey(t, "two words"))

	if got := r.must("version"); !strings.HasPrefix(got, "shortlink ") {
		t.Errorf("version printed %q", got)
	}
	var build buildInfo
	if err := json.Unmarshal([]byte(r.must("version", "--json")), &build); err != nil || build.Go == "" || build.Version == "" {
		t.Errorf("version --json = %+v, %v", build, err)
	}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		if got := r.must("completion", shell); !strings.Contains(got, "shortlink") {
			t.Errorf("completion %s printed no script", shell)
		}
	}
}

func writeKey(t *testing.T, key string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// wantQR checks the half blocks printed draw the QR code of text.
func wantQR(t *testing.T, printed, text string) {
	t.Helper()
	code, err := qr.EncodeText(text, qr.Medium)
	if err != nil {
		t.Fatal(err)
	}
	drawn := fromHalfBlocks(printed)
	for y := range code.Size() {
		for x := range code.Size() {
			if drawn[y+qrQuietZone][x+qrQuietZone] != code.Module(x, y) {
				t.Fatalf("the printed QR code differs from %q's at module (%d, %d):\n%s", text, x, y, printed)
			}
		}
	}
}
