package testenv

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/testkit"
)

// StartNginx runs nginx in the foreground from a private prefix directory
// with the project's site config (testkit.NginxConf) in front of the api
// at apiAddr (host:port; o.Replicas adds more), listening on 127.0.0.1:port.
// It returns the proxy's base URL once /v1/health answers 200 through it;
// if the test fails, the end of nginx's error log is logged.
func StartNginx(t testing.TB, moduleRoot, apiAddr string, port int, o testkit.NginxOptions) (string, *Process) {
	t.Helper()
	bin, err := testkit.NginxBinary()
	if err != nil {
		t.Fatalf("testenv: this test runs the project's nginx config: %v (make testpackages installs it on Debian/Ubuntu)", err)
	}
	dir := t.TempDir()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	args, err := testkit.NginxConf(moduleRoot, dir, apiAddr, base[len("http://"):], o)
	if err != nil {
		t.Fatal(err)
	}
	p := StartProcess(t, "nginx", bin, nil, args...)
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		if log, err := os.ReadFile(filepath.Join(dir, "error.log")); err == nil {
			t.Logf("testenv: nginx error.log (last 4 KiB):\n%s", lastBytes(log, 4<<10))
		}
	})
	p.WaitHTTP(base+"/v1/health", http.StatusOK, 10*time.Second)
	return base, p
}
