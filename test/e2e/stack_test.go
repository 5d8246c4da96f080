//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/redisclient"

	"github.com/redis/rueidis"

	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// Pool sizes of the stack: small, so a fill takes milliseconds.
const (
	poolTarget   = 2000
	poolLowWater = 500
	poolTake     = 64 // POOL_TAKE_BATCH, left at its default
	poolKey      = "shortlink:codes"
	// shutdownTimeout is SHUTDOWN_TIMEOUT of every api the suite starts.
	shutdownTimeout = 10 * time.Second
)

// stack is one complete deployment built from the working tree: the real
// binaries, a fresh database and private Redis servers (testenv.Stack),
// and nginx in front.
type stack struct {
	*testenv.Stack
	root string // module root
	bin  string // directory of the built binaries

	// base is the environment every binary gets on top of PATH, HOME,
	// TMPDIR and the servers' URLs; nothing else is inherited.
	base map[string]string

	api      *testenv.Process
	apiURL   string // the api, directly: its /metrics, which nginx does not serve
	proxyURL string // nginx, the front door; also PUBLIC_BASE_URL

	pool rueidis.Client // a client of the codes Redis, for looking at the pool
}

// startStack builds and starts everything; all of it is stopped when t ends.
func startStack(t *testing.T) *stack {
	t.Helper()
	root, err := testkit.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	s := &stack{root: root, Stack: testenv.NewStack(t, "")}
	s.bin = testenv.BuildBinaries(t)

	apiPort, proxyPort := testkit.FreePort(t), testkit.FreePort(t)
	s.apiURL = fmt.Sprintf("http://127.0.0.1:%d", apiPort)
	s.proxyURL = fmt.Sprintf("http://127.0.0.1:%d", proxyPort)
	s.base = map[string]string{
		"PUBLIC_BASE_URL":   s.proxyURL,
		"CODE_SECRET":       "e2e-" + testkit.RandomHex(16),
		"POOL_TARGET":       fmt.Sprint(poolTarget),
		"POOL_LOW_WATER":    fmt.Sprint(poolLowWater),
		"TRUSTED_PROXIES":   "127.0.0.1/32",
		"CREATE_RATE_LIMIT": "0",
		"ADMIN_KEYS":        httpsuite.AdminKey, // the HTTP suite's management cases use it
		"SHUTDOWN_TIMEOUT":  shutdownTimeout.String(),
		// Request lines are logged at info; the X-Forwarded-For case reads
		// their client_ip, which only LOG_CLIENT_IP logs.
		"LOG_LEVEL":     "info",
		"LOG_REQUESTS":  "true",
		"LOG_CLIENT_IP": "true",
	}

	client, err := redisclient.Dial(s.Codes.URL(), 2*time.Second, 0)
	if err != nil {
		t.Fatalf("codes Redis client: %v", err)
	}
	t.Cleanup(client.Close)
	s.pool = client

	testenv.RunBinary(t, s.bin, "migrate", s.env(), "up")
	// The deploy's contract step, as the runbook has it once no old task
	// serves: it enables password-protected links, which the HTTP suite
	// makes. Run twice, it changes nothing.
	if out := testenv.RunBinary(t, s.bin, "migrate", s.env(), "contract"); !strings.Contains(out, "contract step recorded") {
		t.Fatalf("migrate contract printed:\n%s", out)
	}
	if out := testenv.RunBinary(t, s.bin, "migrate", s.env(), "contract"); !strings.Contains(out, "already recorded") {
		t.Fatalf("migrate contract, again, printed:\n%s", out)
	}
	if out := testenv.RunBinary(t, s.bin, "partitions", s.env(), "--ahead", "2"); strings.Count(out, "partition ready:") != 2 {
		t.Fatalf("partitions --ahead 2 printed:\n%s", out)
	}
	testenv.RunBinary(t, s.bin, "batch", s.env(), "--once")
	if n := s.poolSize(t); n != poolTarget {
		t.Fatalf("after the first batch --once the pool holds %d codes, want POOL_TARGET %d", n, poolTarget)
	}

	s.api = s.startAPI(t, apiPort)
	testenv.StartNginx(t, s.root, fmt.Sprintf("127.0.0.1:%d", apiPort), proxyPort, testkit.NginxOptions{})
	return s
}

// startAPI runs one more api on port against the stack's database and Redis
// servers, and waits until it is ready.
func (s *stack) startAPI(t *testing.T, port int) *testenv.Process {
	t.Helper()
	p := testenv.StartAPI(t, s.bin, s.env("API_ADDR", fmt.Sprintf("127.0.0.1:%d", port)))
	p.WaitHTTP(p.BaseURL()+"/v1/ready", 200, 20*time.Second)
	return p
}

// env is the base environment with overrides, given as name, value pairs.
func (s *stack) env(overrides ...string) map[string]string {
	vars := map[string]string{}
	for i := 0; i+1 < len(overrides); i += 2 {
		vars[overrides[i]] = overrides[i+1]
	}
	return s.Env(s.base, vars)
}

// poolSize is SCARD of the shared code pool.
func (s *stack) poolSize(t *testing.T) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	n, err := s.pool.Do(ctx, s.pool.B().Scard().Key(poolKey).Build()).AsInt64()
	if err != nil {
		t.Fatalf("SCARD %s: %v", poolKey, err)
	}
	return n
}
