//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// startNginx runs nginx in the foreground from a private prefix directory,
// with the project's server config pointed at the api on apiPort and
// listening on 127.0.0.1:port. It returns the proxy's base URL.
func startNginx(t *testing.T, moduleRoot string, apiPort, port int) (string, *testenv.Process) {
	t.Helper()
	bin, err := testkit.NginxBinary()
	if err != nil {
		t.Fatalf("e2e tests run the project's nginx config: %v (make e2etest installs it on Debian/Ubuntu)", err)
	}
	dir := t.TempDir()
	args, err := testkit.NginxConf(moduleRoot, dir, fmt.Sprintf("127.0.0.1:%d", apiPort), fmt.Sprintf("127.0.0.1:%d", port), testkit.NginxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p := testenv.StartProcess(t, "nginx", bin, nil, args...)
	t.Cleanup(func() {
		if t.Failed() {
			if log, err := os.ReadFile(filepath.Join(dir, "error.log")); err == nil {
				t.Logf("---- nginx error.log ----\n%s", tail(string(log), 40))
			}
		}
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	p.WaitHTTP(base+"/v1/health", 200, 10*time.Second)
	return base, p
}
