//go:build integration

package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testkit"
)

// TestQRCodeDecodesToShortURL reads the QR route's images with decoders
// that share nothing with the encoder: zbarimg (Debian's zbar-tools) for
// the PNGs, and Chromium drawing the SVG for zbarimg to read. Each must
// give back exactly the link's short_url.
func TestQRCodeDecodesToShortURL(t *testing.T) {
	t.Parallel()
	zbarimg := requireTool(t, "zbarimg", "zbar-tools")
	env, _ := startMemoryAPI(t)
	dir := t.TempDir()
	for _, body := range []map[string]any{
		{"url": "https://example.com/qr-decode"},
		{"url": "https://example.com/qr-decode", "alias": "Qr-Decode-" + strings.Repeat("x", 22)}, // the longest alias
	} {
		created := httpsuite.MustCreate(t, env, body)
		code, shortURL := created.Field("code"), created.Field("short_url")
		for _, query := range []string{"", "?size=64", "?size=1024", "?format=png&size=99"} {
			r := testkit.Send(nil, http.MethodGet, env.BaseURL+"/v1/shortlink/"+code+"/qr"+query, "", nil, nil)
			if r.Err != nil || r.Status != http.StatusOK {
				t.Fatalf("GET qr%s of %s: %s", query, code, r)
			}
			file := filepath.Join(dir, fmt.Sprintf("%s-%d.png", code, len(query)))
			if err := os.WriteFile(file, r.Body, 0o600); err != nil {
				t.Fatal(err)
			}
			if got := decodeQR(t, zbarimg, file); got != shortURL {
				t.Errorf("zbarimg reads the PNG qr%s of %s as %q, want short_url %q", query, code, got, shortURL)
			}
		}
	}

	chromium := requireTool(t, "chromium", "chromium")
	created := httpsuite.MustCreate(t, env, map[string]any{"url": "https://example.com/qr-svg"})
	r := testkit.Send(nil, http.MethodGet, env.BaseURL+"/v1/shortlink/"+created.Field("code")+"/qr?format=svg&size=300", "", nil, nil)
	if r.Err != nil || r.Status != http.StatusOK {
		t.Fatalf("GET qr?format=svg: %s", r)
	}
	svg := filepath.Join(dir, "qr.svg")
	if err := os.WriteFile(svg, r.Body, 0o600); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "svg.png")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--window-size=300,300", "--screenshot="+shot, "file://"+svg)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium could not draw the SVG: %v\n%s", err, out)
	}
	if got := decodeQR(t, zbarimg, shot); got != created.Field("short_url") {
		t.Errorf("zbarimg reads the SVG, as Chromium draws it, as %q, want short_url %q", got, created.Field("short_url"))
	}
}

// requireTool is the path of a program the test needs, failing the test
// with how to install it when it is missing.
func requireTool(t *testing.T, name, debianPackage string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("this test needs %s: install it with `make testpackages` (test/services.sh install), or apt-get install %s", name, debianPackage)
	}
	return path
}

// decodeQR is the text of the one QR code zbarimg finds in file.
func decodeQR(t *testing.T, zbarimg, file string) string {
	t.Helper()
	out, err := exec.Command(zbarimg, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", file).Output()
	if err != nil {
		t.Fatalf("zbarimg %s found no QR code: %v", filepath.Base(file), err)
	}
	text := strings.TrimSuffix(string(out), "\n")
	if strings.Contains(text, "\n") {
		t.Fatalf("zbarimg found more than one code in %s: %q", filepath.Base(file), text)
	}
	return text
}
