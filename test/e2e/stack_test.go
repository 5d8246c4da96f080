//go:build e2e

package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/redisclient"

	"github.com/redis/rueidis"

	"github.com/shortlink/shortlink/test/testenv"
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
// binaries, a fresh database, private Redis servers and nginx in front.
type stack struct {
	root string // module root
	bin  string // directory of the built binaries

	// base is the environment every binary gets on top of PATH, HOME and
	// TMPDIR; nothing else is inherited.
	base map[string]string

	api      *testenv.Process
	apiURL   string // the api, directly
	proxyURL string // nginx, the front door; also PUBLIC_BASE_URL

	codes rueidis.Client // the codes Redis, for looking at the pool
}

// startStack builds and starts everything; all of it is stopped when t ends.
func startStack(t *testing.T) *stack {
	t.Helper()
	s := &stack{root: moduleRoot(t)}
	s.bin = testenv.BuildBinaries(t)

	dbURL := testenv.Database(t)
	cache, codes := testenv.StartRedisServer(t), testenv.StartRedisServer(t)
	apiPort, proxyPort := testenv.FreePort(t), testenv.FreePort(t)
	s.apiURL = fmt.Sprintf("http://127.0.0.1:%d", apiPort)
	s.proxyURL = fmt.Sprintf("http://127.0.0.1:%d", proxyPort)
	s.base = map[string]string{
		"DATABASE_URL":      dbURL,
		"REDIS_CACHE_URL":   cache.URL(),
		"REDIS_CODES_URL":   codes.URL(),
		"PUBLIC_BASE_URL":   s.proxyURL,
		"CODE_SECRET":       "e2e-" + randomHex(16),
		"POOL_TARGET":       fmt.Sprint(poolTarget),
		"POOL_LOW_WATER":    fmt.Sprint(poolLowWater),
		"TRUSTED_PROXIES":   "127.0.0.1/32",
		"CREATE_RATE_LIMIT": "0",
		"SHUTDOWN_TIMEOUT":  shutdownTimeout.String(),
		// Request lines are logged at info; the X-Forwarded-For case reads them.
		"LOG_LEVEL":    "info",
		"LOG_REQUESTS": "true",
	}

	client, err := redisclient.Dial(codes.URL(), 2*time.Second, 0)
	if err != nil {
		t.Fatalf("codes Redis client: %v", err)
	}
	t.Cleanup(client.Close)
	s.codes = client

	testenv.RunBinary(t, s.bin, "migrate", s.env(), "up")
	if out := testenv.RunBinary(t, s.bin, "partitions", s.env(), "--ahead", "2"); strings.Count(out, "partition ready:") != 2 {
		t.Fatalf("partitions --ahead 2 printed:\n%s", out)
	}
	testenv.RunBinary(t, s.bin, "batch", s.env(), "--once")
	if n := s.poolSize(t); n != poolTarget {
		t.Fatalf("after the first batch --once the pool holds %d codes, want POOL_TARGET %d", n, poolTarget)
	}

	s.api = s.startAPI(t, apiPort)
	startNginx(t, s.root, apiPort, proxyPort)
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
	vars := maps.Clone(s.base)
	for i := 0; i+1 < len(overrides); i += 2 {
		vars[overrides[i]] = overrides[i+1]
	}
	return vars
}

// poolSize is SCARD of the shared code pool.
func (s *stack) poolSize(t *testing.T) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	n, err := s.codes.Do(ctx, s.codes.B().Scard().Key(poolKey).Build()).AsInt64()
	if err != nil {
		t.Fatalf("SCARD %s: %v", poolKey, err)
	}
	return n
}

// moduleRoot is the directory of the go.mod this package belongs to.
func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command(goTool(), "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(out)) == "" || strings.TrimSpace(string(out)) == os.DevNull {
		t.Fatalf("go env GOMOD: %v %s", err, out)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// goTool is the go command; go test puts its own first on PATH.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return "go"
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
