package testkit

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The lines of compose/nginx/shortlink.conf that NginxConf rewrites; that
// file promises to keep them as written: the upstream server line starts
// with siteUpstream and keeps its parameters (one copy per api replica),
// the listen line is exactly siteListen.
const (
	siteUpstream  = "server api:8000"
	siteAPI       = "api:8000"
	siteListen    = "listen 8080 default_server;"
	siteAccessLog = "access_log /dev/stdout shortlink_private;"
	siteReadTime  = "proxy_read_timeout 30s;"
)

// NginxBinary is nginx on PATH, else Debian's /usr/sbin/nginx (not on a
// non-root PATH).
func NginxBinary() (string, error) {
	if bin, err := exec.LookPath("nginx"); err == nil {
		return bin, nil
	}
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		return "/usr/sbin/nginx", nil
	}
	return "", fmt.Errorf("nginx is not installed (apt-get install nginx)")
}

// NginxOptions shape the private nginx that NginxConf describes.
type NginxOptions struct {
	// Workers is worker_processes: a number or "auto" (default 1).
	Workers string
	// Connections is worker_connections (default 1024).
	Connections int
	// Replicas are more api addresses (host:port) for the upstream, each
	// with the project's server parameters, after the one NginxConf names.
	Replicas []string
	// AccessLogOff turns off the site's access log (the bench measures
	// nginx without it).
	AccessLogOff bool
	// ReadTimeout, when set, replaces the site's proxy_read_timeout (a
	// test of the 504 answer does not wait the production 30 s).
	ReadTimeout string
}

// NginxConf writes, into the private prefix directory dir, an nginx.conf
// that runs in the foreground and includes the project's site config
// (compose/nginx/shortlink.conf under moduleRoot) with its upstream pointed
// at apiAddr (and o.Replicas) and listening on listenAddr (host:port each).
// It returns the arguments that start nginx with it: -p dir -c … -e ….
func NginxConf(moduleRoot, dir, apiAddr, listenAddr string, o NginxOptions) ([]string, error) {
	raw, err := os.ReadFile(filepath.Join(moduleRoot, "compose", "nginx", "shortlink.conf"))
	if err != nil {
		return nil, fmt.Errorf("read the project's nginx config: %w", err)
	}
	site, err := rewriteUpstream(string(raw), append([]string{apiAddr}, o.Replicas...))
	if err != nil {
		return nil, err
	}
	if site, err = rewriteDirective(site, siteListen, "listen "+listenAddr+" default_server;"); err != nil {
		return nil, err
	}
	if o.AccessLogOff {
		if site, err = rewriteDirective(site, siteAccessLog, "access_log off;"); err != nil {
			return nil, err
		}
	}
	if o.ReadTimeout != "" {
		if site, err = rewriteDirective(site, siteReadTime, "proxy_read_timeout "+o.ReadTimeout+";"); err != nil {
			return nil, err
		}
	}
	if o.Workers == "" {
		o.Workers = "1"
	}
	if o.Connections == 0 {
		o.Connections = 1024
	}
	user := ""
	if os.Geteuid() == 0 {
		// Workers would otherwise drop to nobody, who cannot enter a private temp dir.
		user = "user root;\n"
	}
	main := fmt.Sprintf(`%sdaemon off;
master_process on;
worker_processes %s;
pid %[3]s/nginx.pid;
error_log %[3]s/error.log warn;
events { worker_connections %[4]d; }
http {
    access_log off;
    client_body_temp_path %[3]s/client_body;
    proxy_temp_path %[3]s/proxy;
    fastcgi_temp_path %[3]s/fastcgi;
    uwsgi_temp_path %[3]s/uwsgi;
    scgi_temp_path %[3]s/scgi;
    include %[3]s/shortlink.conf;
}
`, user, o.Workers, dir, o.Connections)
	for name, text := range map[string]string{"shortlink.conf": site, "nginx.conf": main} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			return nil, err
		}
	}
	return []string{"-p", dir + "/", "-c", filepath.Join(dir, "nginx.conf"), "-e", filepath.Join(dir, "error.log")}, nil
}

// rewriteUpstream replaces the one upstream server line of conf (the line
// starting with siteUpstream) with one copy per address in addrs.
func rewriteUpstream(conf string, addrs []string) (string, error) {
	lines := strings.Split(conf, "\n")
	var out []string
	found := 0
	for _, line := range lines {
		trimmed := strings.TrimSpace(line)
		if !strings.HasPrefix(trimmed, siteUpstream+" ") && !strings.HasPrefix(trimmed, siteUpstream+";") {
			out = append(out, line)
			continue
		}
		found++
		for _, addr := range addrs {
			out = append(out, strings.Replace(line, siteAPI, addr, 1))
		}
	}
	if found != 1 {
		return "", fmt.Errorf("compose/nginx/shortlink.conf must have exactly one line starting %q (the tests and the bench rewrite it), found %d", siteUpstream, found)
	}
	return strings.Join(out, "\n"), nil
}

// rewriteDirective replaces the one line of conf that is exactly directive
// (comments may mention it too).
func rewriteDirective(conf, directive, with string) (string, error) {
	lines := strings.Split(conf, "\n")
	found := 0
	for i, line := range lines {
		if strings.TrimSpace(line) == directive {
			lines[i] = strings.Replace(line, directive, with, 1)
			found++
		}
	}
	if found != 1 {
		return "", fmt.Errorf("compose/nginx/shortlink.conf must have exactly one line %q (the tests and the bench rewrite it), found %d", directive, found)
	}
	return strings.Join(lines, "\n"), nil
}
