//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// cliKey is the admin key of the apis the command line is tested against:
// a distinctive string, so that finding it in any output is certain.
const cliKey = "cli-e2e-KEY-9f41c7d2e8b35a60"

// TestCLI runs the built shortlink binary, every command, against a real
// api in embedded mode and in Postgres mode (Postgres, both Redis, the
// pool filled by batch), and compares what --json prints with the API's
// own answers to direct requests.
func TestCLI(t *testing.T) {
	if _, err := exec.LookPath("zbarimg"); err != nil {
		t.Fatal("the QR codes are read with zbarimg, which is not installed: run `make testpackages` (test/services.sh install) or `apt-get install zbar-tools`")
	}
	bin := testenv.BuildBinaries(t)
	if _, err := os.Stat(filepath.Join(bin, "shortlink")); err != nil {
		t.Fatalf("BuildBinaries built no shortlink: %v", err)
	}
	t.Run("embedded", func(t *testing.T) {
		port := testkit.FreePort(t)
		base := fmt.Sprintf("http://127.0.0.1:%d", port)
		api := testenv.StartProcess(t, "api -embedded", filepath.Join(bin, "api"), map[string]string{
			"API_ADDR": fmt.Sprintf("127.0.0.1:%d", port), "DATA_DIR": t.TempDir(), "LOG_REQUESTS": "false",
			"ADMIN_KEYS": cliKey, "PUBLIC_BASE_URL": base, "VISIT_DIMENSIONS": "true", "VISIT_UNIQUES_INTERVAL": "200ms",
		}, "-embedded")
		api.WaitHTTP(base+"/v1/ready", http.StatusOK, 30*time.Second)
		testCLI(t, bin, base)
		testCLIWorkspaces(t, bin, base)
	})
	t.Run("postgres", func(t *testing.T) {
		s := testenv.NewStack(t, "")
		base := fmt.Sprintf("http://127.0.0.1:%d", testkit.FreePort(t))
		env := s.Env(map[string]string{
			"ADMIN_KEYS": cliKey, "PUBLIC_BASE_URL": base, "API_ADDR": strings.TrimPrefix(base, "http://"),
			"CODE_SECRET": "e2e-" + testkit.RandomHex(16), "POOL_TARGET": "200", "POOL_LOW_WATER": "50",
			"VISIT_DIMENSIONS": "true", "VISIT_UNIQUES_INTERVAL": "200ms",
		})
		testenv.RunBinary(t, bin, "migrate", env, "up")
		// Passwords are behind the contract step (SPEC §12); unlock is tested.
		testenv.RunBinary(t, bin, "migrate", env, "contract")
		testenv.RunBinary(t, bin, "partitions", env, "--ahead", "2")
		testenv.RunBinary(t, bin, "batch", env, "--once")
		api := testenv.StartAPI(t, bin, env)
		api.WaitHTTP(base+"/v1/ready", http.StatusOK, 20*time.Second)
		testCLI(t, bin, base)
		testCLIWorkspaces(t, bin, base)
	})
}

// cliRun is one run of the binary.
type cliRun struct {
	stdout, stderr string
	exit           int
}

// shortlinkCLI runs the binary with SHORTLINK_URL and SHORTLINK_KEY set
// and stdin not a terminal, as a script would.
type shortlinkCLI struct {
	t        *testing.T
	bin, url string
	dir      string // the working directory: files it writes land here
}

func (c shortlinkCLI) run(args ...string) cliRun {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, "shortlink"), args...)
	cmd.Dir = c.dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "SHORTLINK_URL=" + c.url, "SHORTLINK_KEY=" + cliKey}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := cliRun{stdout: stdout.String(), stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		r.exit = exitErr.ExitCode()
	case err != nil:
		c.t.Fatalf("shortlink %s: %v", strings.Join(args, " "), err)
	}
	if strings.Contains(r.stdout, cliKey) || strings.Contains(r.stderr, cliKey) {
		c.t.Fatalf("shortlink %s printed SHORTLINK_KEY:\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.stdout, r.stderr)
	}
	if strings.Contains(r.stderr, "WARNING: DATA RACE") {
		c.t.Errorf("shortlink %s reported a data race:\n%s", strings.Join(args, " "), r.stderr)
	}
	return r
}

// ok runs args, requires exit 0 and returns stdout.
func (c shortlinkCLI) ok(args ...string) string {
	c.t.Helper()
	r := c.run(args...)
	if r.exit != 0 {
		c.t.Fatalf("shortlink %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.exit, r.stdout, r.stderr)
	}
	return r.stdout
}

// fails runs args and requires the exit code and one line on stderr that
// contains want.
func (c shortlinkCLI) fails(exit int, want string, args ...string) {
	c.t.Helper()
	r := c.run(args...)
	if r.exit != exit || !strings.Contains(r.stderr, want) || !strings.HasPrefix(r.stderr, "shortlink: ") || strings.Count(r.stderr, "\n") != 1 {
		c.t.Errorf("shortlink %s = exit %d, stderr %q; want exit %d and one line with %q", strings.Join(args, " "), r.exit, r.stderr, exit, want)
	}
}

// apiData is the data member of a direct GET of path with the admin key.
func apiData(t *testing.T, base, path string) map[string]any {
	t.Helper()
	r := testkit.Send(nil, http.MethodGet, base+path, "", nil, http.Header{"Authorization": {"Bearer " + cliKey}})
	if r.Err != nil || r.Status != http.StatusOK {
		t.Fatalf("GET %s = %s", path, r)
	}
	return r.Envelope.Data
}

// sameData requires the JSON the command printed to be the API's data.
func sameData(t *testing.T, what, printed string, want map[string]any) {
	t.Helper()
	var got map[string]any
	if err := json.Unmarshal([]byte(printed), &got); err != nil {
		t.Fatalf("%s printed no JSON object: %v\n%s", what, err, printed)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s printed\n%v\nbut the API answers\n%v", what, got, want)
	}
}

func testCLI(t *testing.T, bin, base string) {
	cli := shortlinkCLI{t: t, bin: bin, url: base, dir: t.TempDir()}
	code := "cli-" + testkit.RandomHex(3)
	info := "/v1/shortlink/" + code + "/info"

	var created map[string]any
	if err := json.Unmarshal([]byte(cli.ok("create", "https://example.com/cli?x=1", "--alias", code, "--expires", "30d", "--json")), &created); err != nil {
		t.Fatal(err)
	}
	direct := apiData(t, base, info)
	for _, k := range []string{"code", "short_url", "url", "expires_at"} {
		if created[k] != direct[k] {
			t.Errorf("create --json: %s = %v, the API's info says %v", k, created[k], direct[k])
		}
	}
	if token, _ := created["manage_token"].(string); len(token) < 22 {
		t.Errorf("create --json has no manage_token: %v", created)
	}
	if expires, err := time.Parse(time.RFC3339, direct["expires_at"].(string)); err != nil || time.Until(expires) < 29*24*time.Hour || time.Until(expires) > 30*24*time.Hour {
		t.Errorf("--expires 30d stored expires_at %v", direct["expires_at"])
	}
	human := cli.ok("create", "https://example.com/human")
	if !strings.Contains(human, "short URL     "+base+"/") || !strings.Contains(human, "manage token") {
		t.Errorf("create printed\n%s", human)
	}
	if quiet := cli.ok("create", "-q", "https://example.com/quiet"); !strings.HasPrefix(quiet, base+"/") || strings.Count(quiet, "\n") != 1 {
		t.Errorf("create -q printed %q", quiet)
	}
	cli.fails(1, "alias is already taken (alias_taken)", "create", "https://example.com/", "--alias", code)
	cli.fails(1, "(invalid_url)", "create", "ftp://example.com/")

	sameData(t, "info --json", cli.ok("info", code, "--json"), apiData(t, base, info))
	if out := cli.ok("info", code); !strings.Contains(out, "state      active") || !strings.Contains(out, "https://example.com/cli?x=1") {
		t.Errorf("info printed\n%s", out)
	}
	cli.fails(1, "(not_found)", "info", "no-such-"+code)

	disabled := cli.ok("disable", code, "--json")
	sameData(t, "disable --json", disabled, apiData(t, base, info))
	if !strings.Contains(disabled, `"state":"disabled"`) {
		t.Errorf("disable --json = %s", disabled)
	}
	if r := testkit.Send(nil, http.MethodGet, base+"/"+code, "", nil, nil); r.Status != http.StatusGone {
		t.Errorf("a disabled link answers %s, want 410", r)
	}
	sameData(t, "enable --json", cli.ok("enable", code, "--json"), apiData(t, base, info))
	extended := cli.ok("extend", code, "2w", "--json")
	sameData(t, "extend --json", extended, apiData(t, base, info))
	if out := cli.ok("extend", code, "15d"); !strings.Contains(out, "(in 15 days)") {
		t.Errorf("extend printed\n%s", out)
	}
	cli.fails(1, "(expires_at_in_past)", "extend", code, "2020-01-01")

	// Two visits to count: a person from t.co, and curl (a bot).
	visit := func(header http.Header) {
		if r := testkit.Send(nil, http.MethodGet, base+"/"+code, "", nil, header); r.Status != http.StatusFound {
			t.Fatalf("visit = %s", r)
		}
	}
	visit(http.Header{"User-Agent": {"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"}, "Referer": {"https://t.co/abc"}})
	visit(http.Header{"User-Agent": {"curl/8.5.0"}})
	from, to := time.Now().UTC().Add(-24*time.Hour).Format(time.RFC3339), time.Now().UTC().Add(time.Hour).Format(time.RFC3339)
	// What stats asks for unless told otherwise: every dimension but utm_medium.
	statsPath := fmt.Sprintf("/v1/shortlink/%s/stats?from=%s&to=%s&interval=hour&dimensions=country,device,browser,os,utm_source,utm_campaign", code, from, to)
	testkit.Eventually(t, 10*time.Second, "both visits counted, the visitor too", func() error {
		data := apiData(t, base, statsPath)
		if data["total"] != float64(2) || data["unique_visitors"] != float64(1) {
			return fmt.Errorf("total %v, unique visitors %v", data["total"], data["unique_visitors"])
		}
		return nil
	})
	sameData(t, "stats --json", cli.ok("stats", code, "--from", from, "--to", to, "--interval", "hour", "--json"), apiData(t, base, statsPath))
	stats := cli.ok("stats", code, "--from", from, "--to", to, "--interval", "hour")
	for _, want := range []string{code + ": 2 visits, 1 human and 1 bot, 1 daily unique visitor", "HOUR (UTC)", "█", "REFERRER", "t.co",
		"DIMENSION", "device ", "desktop", "browser ", "Firefox", "country ", "XX"} {
		if !strings.Contains(stats, want) {
			t.Errorf("stats printed\n%s\nwithout %q", stats, want)
		}
	}
	csvOut := cli.ok("stats", code, "--from", from, "--to", to, "--interval", "hour", "--csv")
	series := apiData(t, base, statsPath)["series"].([]any)
	if lines := strings.Split(strings.TrimSpace(csvOut), "\n"); lines[0] != "start,humans,bots" || len(lines) != 1+len(series) || !strings.Contains(csvOut, ",1,1\n") {
		t.Errorf("stats --csv printed %d lines:\n%s", len(lines), csvOut)
	}

	shortURL := direct["short_url"].(string)
	cli.ok("qr", code, "-o", "code.png")
	if got := zbar(t, filepath.Join(cli.dir, "code.png")); got != shortURL {
		t.Errorf("qr -o code.png decodes to %q, want %q", got, shortURL)
	}
	cli.ok("qr", code, "-o", "code.svg", "--size", "300")
	if svg, err := os.ReadFile(filepath.Join(cli.dir, "code.svg")); err != nil || !bytes.HasPrefix(svg, []byte(`<svg width="300" height="300"`)) {
		t.Errorf("qr -o code.svg wrote %.60q, %v", svg, err)
	}
	drawn := filepath.Join(cli.dir, "terminal.png")
	writeHalfBlocksPNG(t, cli.ok("qr", code), drawn)
	if got := zbar(t, drawn); got != shortURL {
		t.Errorf("the QR code printed in the terminal decodes to %q, want %q", got, shortURL)
	}
	cli.fails(2, ".png or .svg", "qr", code, "-o", "code.gif")

	keyFile := filepath.Join(cli.dir, "key")
	if err := os.WriteFile(keyFile, []byte("not-a-key-of-this-api\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cli.fails(1, "(forbidden)", "stats", code, "--key-file", keyFile)

	cli.fails(2, "no terminal to confirm on", "rm", code)
	if state := apiData(t, base, info)["state"]; state != "active" {
		t.Fatalf("rm without --yes changed the link: %v", state)
	}
	if out := cli.ok("rm", code, "--yes"); out != "Deleted "+code+".\n" {
		t.Errorf("rm --yes printed %q", out)
	}
	if state := apiData(t, base, info)["state"]; state != "deleted" {
		t.Errorf("after rm the link is %v", state)
	}
	cli.fails(1, "(gone)", "rm", code, "--yes")

	cli.fails(2, "unknown flag: --nope", "info", code, "--nope")
	cli.fails(2, "unknown command", "nope")
	cli.fails(2, "takes 1 argument", "info")
	cli.fails(2, "--expires", "create", "https://example.com/", "--expires", "someday")
	cli.fails(3, "cannot reach the API at http://127.0.0.1:1", "info", code, "--url", "http://127.0.0.1:1")

	if out := cli.ok("version"); !strings.HasPrefix(out, "shortlink ") {
		t.Errorf("version printed %q", out)
	}
	var build map[string]any
	if err := json.Unmarshal([]byte(cli.ok("version", "--json")), &build); err != nil || build["go"] == nil {
		t.Errorf("version --json = %v, %v", build, err)
	}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		script := cli.ok("completion", shell)
		if !strings.Contains(script, "shortlink") || len(script) < 1000 {
			t.Errorf("completion %s printed %d bytes", shell, len(script))
		}
	}
	// The completion script asks the binary itself for candidates.
	if out := cli.ok("__complete", "ex"); !strings.Contains(out, "extend") {
		t.Errorf("completion of \"ex\" = %q, want extend", out)
	}
}

// zbar is the text of the one QR code zbarimg finds in the image at path.
func zbar(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", path).Output()
	if err != nil {
		t.Fatalf("zbarimg %s: %v", path, err)
	}
	return strings.TrimSpace(string(out))
}

// writeHalfBlocksPNG draws what `shortlink qr` printed (two modules a
// character, no color when not on a terminal) as a PNG of 8 pixels a
// module, for zbarimg to read as a phone would read the screen.
func writeHalfBlocksPNG(t *testing.T, printed, path string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(printed, "\n"), "\n")
	width := len([]rune(lines[0]))
	const scale = 8
	img := image.NewGray(image.Rect(0, 0, width*scale, 2*len(lines)*scale))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	fill := func(x, y int) {
		for py := y * scale; py < (y+1)*scale; py++ {
			for px := x * scale; px < (x+1)*scale; px++ {
				img.SetGray(px, py, color.Gray{})
			}
		}
	}
	for row, line := range lines {
		for col, r := range []rune(line) {
			if r == '█' || r == '▀' {
				fill(col, 2*row)
			}
			if r == '█' || r == '▄' {
				fill(col, 2*row+1)
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
