//go:build e2e

package e2e

import (
	"fmt"
	"maps"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

const domainsAdminKey = "e2e-domains-admin-key-0123456789"

// TestDomainsThroughNginx: short domains through the project's nginx, in
// both modes. In server mode two api replicas share Postgres and Redis: a
// domain registered, and a takedown made, through one reach the other.
func TestDomainsThroughNginx(t *testing.T) {
	t.Parallel()
	root, err := testkit.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := testenv.BuildBinaries(t)

	t.Run("server mode, two replicas", func(t *testing.T) {
		t.Parallel()
		ports, err := testkit.FreePorts(3)
		if err != nil {
			t.Fatal(err)
		}
		proxy := fmt.Sprintf("http://127.0.0.1:%d", ports[2])
		env := map[string]string{
			"DATABASE_URL": testenv.Database(t), "REDIS_CACHE_URL": testenv.StartRedisServer(t).URL(), "REDIS_CODES_URL": testenv.StartRedisServer(t).URL(),
			"PUBLIC_BASE_URL": proxy, "ADMIN_KEYS": domainsAdminKey, "TRUSTED_PROXIES": "127.0.0.1/32", "LOG_LEVEL": "warn",
		}
		testenv.RunBinary(t, bin, "migrate", env, "up")
		testenv.RunBinary(t, bin, "migrate", env, "contract") // no previous release serves: links on domains are allowed
		testenv.RunBinary(t, bin, "batch", env, "--once")
		var direct []string
		for i := range 2 {
			e := maps.Clone(env)
			e["API_ADDR"] = fmt.Sprintf("127.0.0.1:%d", ports[i])
			direct = append(direct, testenv.StartAPI(t, bin, e).BaseURL())
		}
		testenv.StartNginx(t, root, direct[0][len("http://"):], ports[2], testkit.NginxOptions{Replicas: []string{direct[1][len("http://"):]}})
		checkDomains(t, proxy, "127.0.0.1", append([]string{proxy}, direct...))
	})

	t.Run("embedded mode", func(t *testing.T) {
		t.Parallel()
		ports, err := testkit.FreePorts(2)
		if err != nil {
			t.Fatal(err)
		}
		proxy := fmt.Sprintf("http://127.0.0.1:%d", ports[1])
		vars := map[string]string{
			"API_ADDR": fmt.Sprintf("127.0.0.1:%d", ports[0]), "DATA_DIR": t.TempDir(), "LOG_REQUESTS": "false",
			"ADMIN_KEYS": domainsAdminKey, "PUBLIC_BASE_URL": proxy, "TRUSTED_PROXIES": "127.0.0.1/32",
		}
		api := testenv.StartProcess(t, "api -embedded", filepath.Join(bin, "api"), vars, "-embedded")
		api.WaitHTTP(fmt.Sprintf("http://127.0.0.1:%d/v1/health", ports[0]), 200, 30*time.Second)
		testenv.StartNginx(t, root, vars["API_ADDR"], ports[1], testkit.NginxOptions{})
		checkDomains(t, proxy, "127.0.0.1", []string{proxy})
	})
}

// checkDomains registers two domains through api, puts promo on each and
// on the default domain (defaultHost), and checks every base in readers:
// each Host gets its own promo, an unregistered Host 404; then a takedown
// of exa.mp's promo leaves the others alone.
func checkDomains(t *testing.T, api, defaultHost string, readers []string) {
	t.Helper()
	admin := http.Header{"Authorization": {"Bearer " + domainsAdminKey}}
	send := func(method, path, body string) testkit.Response {
		ct := ""
		if body != "" {
			ct = "application/json"
		}
		return testkit.Send(nil, method, api+path, ct, []byte(body), admin)
	}
	if r := send(http.MethodPost, "/v1/shortlink", `{"url":"https://example.com/default","alias":"promo"}`); r.Status != http.StatusCreated {
		t.Fatalf("promo on the default domain: %v", r)
	}
	for _, host := range []string{"exa.mp", "go.example.org"} {
		if r := send(http.MethodPost, "/v1/domains", `{"host":"`+host+`"}`); r.Status != http.StatusCreated {
			t.Fatalf("register %s: %v", host, r)
		}
		if r := send(http.MethodPost, "/v1/shortlink", `{"url":"https://example.com/`+host+`","alias":"promo","domain":"`+host+`"}`); r.Status != http.StatusCreated {
			t.Fatalf("promo on %s: %v", host, r)
		}
	}
	on := func(base, host string) testkit.Response {
		return testkit.Send(nil, http.MethodGet, base+"/promo", "", nil, http.Header{"Host": {host}, "Accept": {"application/json"}})
	}
	expect := func(when string, want map[string]string) {
		for _, base := range readers {
			testkit.Eventually(t, 15*time.Second, base+" "+when, func() error {
				for host, to := range want {
					r := on(base, host)
					switch {
					case to == "404" && r.Status != http.StatusNotFound,
						to == "410" && r.Status != http.StatusGone,
						to != "404" && to != "410" && (r.Status != http.StatusFound || r.Location() != to):
						return fmt.Errorf("GET /promo on %s = %v (Location %q), want %s", host, r, r.Location(), to)
					}
				}
				return nil
			})
		}
	}
	expect("serves promo per domain", map[string]string{
		defaultHost: "https://example.com/default", "exa.mp": "https://example.com/exa.mp",
		"go.example.org:8443": "https://example.com/go.example.org", "unknown.example": "404",
	})
	if r := send(http.MethodPatch, "/v1/shortlink/promo?domain=exa.mp", `{"disabled":true}`); r.Status != http.StatusOK {
		t.Fatalf("take down promo on exa.mp: %v", r)
	}
	expect("obeys a takedown on exa.mp only", map[string]string{
		defaultHost: "https://example.com/default", "exa.mp": "410", "go.example.org": "https://example.com/go.example.org",
	})
}
