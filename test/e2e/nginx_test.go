//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/testenv"
)

// The two lines of compose/nginx/shortlink.conf the suite rewrites; that
// file promises to keep them exactly as written.
const (
	confUpstream = "server api:8000;"
	confListen   = "listen 8080;"
)

// startNginx runs nginx in the foreground from a private prefix directory,
// with the project's server config pointed at the api on apiPort and
// listening on 127.0.0.1:port. It returns the proxy's base URL.
func startNginx(t *testing.T, moduleRoot string, apiPort, port int) (string, *testenv.Process) {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		if _, statErr := os.Stat("/usr/sbin/nginx"); statErr != nil {
			t.Fatal("e2e tests run the project's nginx config and need nginx: install nginx (apt-get install nginx) or run make services")
		}
		bin = "/usr/sbin/nginx"
	}
	conf, err := os.ReadFile(filepath.Join(moduleRoot, "compose", "nginx", "shortlink.conf"))
	if err != nil {
		t.Fatalf("read the project's nginx config: %v", err)
	}
	site := rewriteDirective(t, string(conf), confUpstream, fmt.Sprintf("server 127.0.0.1:%d;", apiPort))
	site = rewriteDirective(t, site, confListen, fmt.Sprintf("listen 127.0.0.1:%d;", port))

	dir := t.TempDir()
	user := ""
	if os.Geteuid() == 0 {
		// Workers would otherwise drop to nobody, who cannot enter the temp dir.
		user = "user root;\n"
	}
	main := user + `daemon off;
master_process on;
worker_processes 1;
pid ` + dir + `/nginx.pid;
error_log ` + dir + `/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path ` + dir + `/client_body;
    proxy_temp_path ` + dir + `/proxy;
    fastcgi_temp_path ` + dir + `/fastcgi;
    uwsgi_temp_path ` + dir + `/uwsgi;
    scgi_temp_path ` + dir + `/scgi;
    include ` + dir + `/shortlink.conf;
}
`
	for name, text := range map[string]string{"shortlink.conf": site, "nginx.conf": main} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := testenv.StartProcess(t, "nginx", bin, nil,
		"-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-e", filepath.Join(dir, "error.log"))
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

// rewriteDirective replaces the one line of conf that is exactly directive
// (comments may mention it too).
func rewriteDirective(t *testing.T, conf, directive, with string) string {
	t.Helper()
	lines := strings.Split(conf, "\n")
	found := 0
	for i, line := range lines {
		if strings.TrimSpace(line) == directive {
			lines[i] = strings.Replace(line, directive, with, 1)
			found++
		}
	}
	if found != 1 {
		t.Fatalf("compose/nginx/shortlink.conf must have exactly one line %q (the e2e tests rewrite it), found %d", directive, found)
	}
	return strings.Join(lines, "\n")
}
