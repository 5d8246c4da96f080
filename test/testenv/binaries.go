package testenv

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/testkit"
)

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// BuildBinaries builds every command of the module (./cmd/...) once per
// test process and returns the directory holding them (api, batch, …).
// When the tests run with -race, so are the binaries built, and a race
// they report fails the test that ran them. Call RemoveBinaries from
// TestMain (or use Main) to delete the directory.
func BuildBinaries(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() { buildDir, buildErr = build() })
	if buildErr != nil {
		t.Fatalf("testenv: build the binaries: %v", buildErr)
	}
	return buildDir
}

// Main runs the tests of a package that calls BuildBinaries or
// RedisClusterURL, deletes the binaries, stops the cluster and exits; call
// it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	RemoveBinaries()
	stopSharedCluster()
	os.Exit(code)
}

// RemoveBinaries deletes what BuildBinaries built, if anything.
func RemoveBinaries() {
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
}

func build() (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("the go command must be on PATH: %w", err)
	}
	root, err := testkit.ModuleRoot()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "shortlink-bin-")
	if err != nil {
		return "", err
	}
	args := []string{"build", "-o", dir + string(filepath.Separator)}
	if raceEnabled() {
		args = append(args, "-race")
	}
	cmd := exec.Command(goBin, append(args, "./cmd/...")...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		_ = os.RemoveAll(dir)
		return "", fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return dir, nil
}

// raceEnabled reports whether this test binary was built with -race.
func raceEnabled() bool {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// Process is a binary a test runs: in its own process group, with its
// output kept (the last MiB) for assertions and for the failure log.
type Process struct {
	t       testing.TB
	name    string
	cmd     *exec.Cmd
	baseURL string // set by StartAPI
	output  *boundedBuffer
	done    chan struct{} // closed once the process has exited
	waitErr error
}

// StartProcess runs bin with args and env on top of a bare environment
// (PATH, HOME and TMPDIR only, so a developer's DATABASE_URL cannot leak
// in). When the test ends its whole process group is killed (nginx, say,
// forks workers); if the test failed, or the binary reported a data race,
// its output is logged.
func StartProcess(t testing.TB, name, bin string, env map[string]string, args ...string) *Process {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = bareEnviron(env)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p := &Process{t: t, name: name, cmd: cmd, output: &boundedBuffer{limit: 1 << 20}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.output, p.output
	if err := cmd.Start(); err != nil {
		t.Fatalf("testenv: start %s: %v", name, err)
	}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
		if out := p.output.String(); p.output.raced() {
			t.Errorf("testenv: %s reported a data race:\n%s", name, out)
		} else if t.Failed() && out != "" {
			t.Logf("testenv: %s output (last 8 KiB):\n%s", name, lastBytes([]byte(out), 8<<10))
		}
	})
	return p
}

// StartAPI runs the api from binDir (as returned by BuildBinaries) with env,
// listening on a free loopback port unless env sets API_ADDR, with the access
// log off unless env turns it on. It returns once /v1/health answers 200.
func StartAPI(t testing.TB, binDir string, env map[string]string) *Process {
	t.Helper()
	addr := env["API_ADDR"]
	if addr == "" {
		addr = fmt.Sprintf("127.0.0.1:%d", testkit.FreePort(t))
	}
	merged := map[string]string{"LOG_REQUESTS": "false"}
	maps.Copy(merged, env)
	merged["API_ADDR"] = addr
	p := StartProcess(t, "api "+addr, filepath.Join(binDir, "api"), merged)
	p.baseURL = "http://" + addr
	p.WaitHTTP(p.baseURL+"/v1/health", http.StatusOK, 30*time.Second)
	return p
}

// BaseURL is where an api started by StartAPI listens, e.g. http://127.0.0.1:1234.
func (p *Process) BaseURL() string { return p.baseURL }

// Output is what the process has written to stdout and stderr so far (the
// last MiB of it).
func (p *Process) Output() string { return p.output.String() }

// Done is closed once the process has exited; Err then tells how.
func (p *Process) Done() <-chan struct{} { return p.done }

// Err is how the process exited (nil for status 0); valid once Done is closed.
func (p *Process) Err() error { return p.waitErr }

// Kill sends SIGKILL, as a crash or the OOM killer would, and waits for the
// process to exit.
func (p *Process) Kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// Terminate sends SIGTERM, asking for a graceful shutdown; Done tells when it exited.
func (p *Process) Terminate() {
	select {
	case <-p.done:
	default:
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
	}
}

// Interrupt sends SIGINT, as Ctrl-C in a terminal does; Done tells when it exited.
func (p *Process) Interrupt() {
	select {
	case <-p.done:
	default:
		_ = p.cmd.Process.Signal(syscall.SIGINT)
	}
}

// WaitHTTP polls url until it answers status, failing the test, with the
// process's output, after timeout or when the process exits first.
func (p *Process) WaitHTTP(url string, status int, timeout time.Duration) {
	p.t.Helper()
	client := http.Client{Timeout: time.Second}
	var last string
	for deadline := time.Now().Add(timeout); ; time.Sleep(20 * time.Millisecond) {
		select {
		case <-p.done:
			p.t.Fatalf("testenv: %s exited before %s answered (%v); output:\n%s", p.name, url, p.waitErr, p.output.String())
		default:
		}
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == status {
				return
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		if time.Now().After(deadline) {
			p.Kill()
			p.t.Fatalf("testenv: %s: %s did not answer %d within %v (last: %s); output:\n%s", p.name, url, status, timeout, last, p.output.String())
		}
	}
}

// RunBinary runs a one-shot command from binDir (such as batch --once) with
// env on the same bare environment as StartAPI, fails the test unless it
// exits 0 within a minute, and returns its output.
func RunBinary(t testing.TB, binDir, name string, env map[string]string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, name), args...)
	cmd.Env = bareEnviron(env)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("testenv: %s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	if strings.Contains(string(out), raceReport) {
		t.Errorf("testenv: %s reported a data race:\n%s", name, out)
	}
	return string(out)
}

// bareEnviron is PATH, HOME and TMPDIR from this process, then each layer
// of variables in order, later layers winning.
func bareEnviron(layers ...map[string]string) []string {
	vars := map[string]string{}
	for _, name := range []string{"PATH", "HOME", "TMPDIR"} {
		if v, ok := os.LookupEnv(name); ok {
			vars[name] = v
		}
	}
	for _, layer := range layers {
		for k, v := range layer {
			vars[k] = v
		}
	}
	environ := make([]string, 0, len(vars))
	for k, v := range vars {
		environ = append(environ, k+"="+v)
	}
	return environ
}

// raceReport starts every report of the race detector.
const raceReport = "WARNING: DATA RACE"

// boundedBuffer keeps the last limit bytes written to it, and remembers
// whether a race report went through; safe for concurrent use.
type boundedBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	limit   int
	sawRace bool
}

func (b *boundedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sawRace = b.sawRace || bytes.Contains(p, []byte(raceReport))
	b.buf.Write(p)
	if over := b.buf.Len() - b.limit; over > 0 {
		b.buf.Next(over)
	}
	return len(p), nil
}

func (b *boundedBuffer) raced() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sawRace
}

func (b *boundedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
