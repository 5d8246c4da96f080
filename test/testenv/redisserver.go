package testenv

import (
	"bytes"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/testkit"
)

// RedisProcess is a private redis-server a test can stop and start again, on
// the same port, to watch clients live through an outage. It keeps no data
// across a restart.
type RedisProcess struct {
	t testing.TB
	*redisServer
}

// StartRedisServer runs redis-server (which must be on PATH) on a free
// loopback port, stopped when the test ends.
func StartRedisServer(t testing.TB) *RedisProcess {
	t.Helper()
	s, err := newRedisServer(testkit.FreePort(t))
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	p := &RedisProcess{t: t, redisServer: s}
	p.Start()
	t.Cleanup(p.Stop)
	return p
}

// Start starts the server, if stopped, and waits until it accepts connections.
func (p *RedisProcess) Start() {
	p.t.Helper()
	if err := p.start(); err != nil {
		p.t.Fatalf("testenv: %v", err)
	}
}

// redisServer is a redis-server child process on a fixed loopback port; it
// reports errors instead of failing a test, so a whole run can share one.
type redisServer struct {
	bin  string
	port int
	args []string // more redis-server arguments, such as a cluster node's

	mu     sync.Mutex
	cmd    *exec.Cmd
	output bytes.Buffer
}

func newRedisServer(port int) (*redisServer, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("private Redis servers need redis-server on PATH "+
			"(apt-get install redis-server, brew install redis): %w", err)
	}
	return &redisServer{bin: bin, port: port}, nil
}

// URL is the server's redis:// URL; it stays the same across restarts.
func (p *redisServer) URL() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", p.port) }

// addr is the server's host:port.
func (p *redisServer) addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(p.port)) }

func (p *redisServer) start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil {
		return nil
	}
	p.output.Reset()
	args := append([]string{"--port", strconv.Itoa(p.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--daemonize", "no"}, p.args...)
	cmd := exec.Command(p.bin, args...)
	cmd.Stdout, cmd.Stderr = &p.output, &p.output
	// Killed with the process that started it, should that die first.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	p.cmd = cmd
	addr := p.addr()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			conn.Close()
			return nil
		}
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait() // output is complete, and safe to read, only after Wait
	p.cmd = nil
	return fmt.Errorf("redis-server on %s did not accept connections within 10s; its output:\n%s", addr, p.output.String())
}

// running reports whether the server was started and not stopped since.
func (p *redisServer) running() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cmd != nil
}

// Stop kills the server, if running, and waits for it to exit.
func (p *redisServer) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGCONT) // a paused process is killed all the same, but resume it first
	_ = p.cmd.Process.Kill()
	_ = p.cmd.Wait() // "signal: killed" is the expected outcome
	p.cmd = nil
}

// Pause freezes the server (SIGSTOP): connections stay open but nothing is
// answered, as with a hung host or a partition. Resume undoes it; Stop
// resumes a paused server before killing it.
func (p *redisServer) Pause() { p.signal(syscall.SIGSTOP) }

// Resume lets a paused server run again (SIGCONT).
func (p *redisServer) Resume() { p.signal(syscall.SIGCONT) }

func (p *redisServer) signal(sig syscall.Signal) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil {
		_ = p.cmd.Process.Signal(sig)
	}
}
