//go:build e2e

package e2e

import (
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// testRulesThroughNginx is issue 27's "done when" through the shipped
// nginx: one link sends an iPhone to A, an Android phone to B, a browser
// preferring Swiss French to C and everyone else to its URL, and its
// stats say which rule served how many visits.
func testRulesThroughNginx(t *testing.T, env httpsuite.Env) {
	t.Helper()
	const (
		target  = "https://example.com/everyone"
		appA    = "https://apps.apple.com/app/id27"
		playB   = "https://play.google.com/store/apps/details?id=x27"
		frenchC = "https://example.com/fr"
	)
	created := httpsuite.MustCreate(t, env, map[string]any{"url": target, "rules": []map[string]any{
		{"when": map[string]any{"os": []string{"ios"}}, "url": appA},
		{"when": map[string]any{"os": []string{"android"}, "device": []string{"mobile"}}, "url": playB},
		{"when": map[string]any{"language": []string{"fr"}}, "url": frenchC},
	}})
	code, token := created.Field("code"), created.Field("manage_token")
	visits := []struct {
		header http.Header
		want   string
	}{
		{http.Header{"User-Agent": {httpsuite.UAiPhone}}, appA},
		{http.Header{"User-Agent": {httpsuite.UAAndroid}}, playB},
		{http.Header{"User-Agent": {httpsuite.UAAndroid}}, playB},
		{http.Header{"User-Agent": {httpsuite.UADesktop}, "Accept-Language": {"fr-CH, en;q=0.5"}}, frenchC},
		{http.Header{"User-Agent": {httpsuite.UADesktop}, "Accept-Language": {"en-GB, fr;q=0.8"}}, target},
		{http.Header{"User-Agent": {httpsuite.UABot}}, target},
	}
	for i, v := range visits {
		r := testkit.Send(nil, http.MethodGet, env.BaseURL+"/"+code, "", nil, v.header)
		if r.Status != http.StatusFound || r.Header.Get("Location") != v.want {
			t.Errorf("visit %d (%v): %s, Location %q; want 302 to %s", i, v.header, r, r.Header.Get("Location"), v.want)
		}
	}
	stats := httpsuite.WaitForVisits(t, env.BaseURL, code, token, "dimensions=rule", int64(len(visits)))
	want := map[string]int64{"1": 1, "2": 2, "3": 1, "none": 2}
	if got := stats.Dimension("rule"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("visits by rule = %v, want %v", got, want)
	}
}

// TestEmbeddedRulesThroughNginx is the same in embedded mode (`api
// -embedded` behind the shipped nginx, trusting it as a proxy), with the
// HTTP suite's rules cases.
func TestEmbeddedRulesThroughNginx(t *testing.T) {
	root, err := testkit.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := testenv.BuildBinaries(t)
	apiPort, proxyPort := testkit.FreePort(t), testkit.FreePort(t)
	proxyURL := fmt.Sprintf("http://127.0.0.1:%d", proxyPort)
	api := testenv.StartProcess(t, "api -embedded", filepath.Join(bin, "api"), map[string]string{
		"API_ADDR": fmt.Sprintf("127.0.0.1:%d", apiPort), "DATA_DIR": t.TempDir(), "PUBLIC_BASE_URL": proxyURL,
		"TRUSTED_PROXIES": "127.0.0.1/32", "ADMIN_KEYS": httpsuite.AdminKey, "CREATE_RATE_LIMIT": "0",
	}, "-embedded")
	api.WaitHTTP(fmt.Sprintf("http://127.0.0.1:%d/v1/ready", apiPort), http.StatusOK, 30*time.Second)
	testenv.StartNginx(t, root, fmt.Sprintf("127.0.0.1:%d", apiPort), proxyPort, testkit.NginxOptions{})
	env := httpsuite.Env{BaseURL: proxyURL, PublicBaseURL: proxyURL}
	t.Run("done when", func(t *testing.T) { testRulesThroughNginx(t, env) })
	t.Run("suite", func(t *testing.T) { httpsuite.RunRules(t, func(*testing.T) httpsuite.Env { return env }) })
}
