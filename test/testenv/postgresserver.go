package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/postgres"
	"github.com/shortlink/shortlink/test/testkit"
)

// PostgresProcess is a private PostgreSQL server a test can stop and start
// again, on the same port and with the same data, to watch the service live
// through a database outage. The servers every test shares cannot be used
// for that: other tests depend on them.
type PostgresProcess struct {
	t testing.TB
	*postgresServer
}

// StartPostgresServer initialises a cluster in a fresh directory (trust
// auth, fsync off) and starts it on a free loopback port. It is stopped and
// deleted when the test ends. The binaries are taken from
// TEST_POSTGRES_BIN_DIR, else the newest /usr/lib/postgresql/*/bin, else
// PATH. Running as root, the server runs as the postgres OS user, since
// Postgres refuses to run as root.
func StartPostgresServer(t testing.TB) *PostgresProcess {
	t.Helper()
	s, err := newPostgresServer(testkit.FreePort(t))
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	p := &PostgresProcess{t: t, postgresServer: s}
	t.Cleanup(func() {
		if err := s.remove(); err != nil {
			t.Errorf("testenv: %v", err)
		}
	})
	p.Start()
	return p
}

// Database creates the database name on the server, applies the migrations
// to it and returns its URL.
func (p *PostgresProcess) Database(name string) string {
	p.t.Helper()
	url := withDatabase(p.AdminURL(), name)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := postgres.Migrate(ctx, url, io.Discard); err != nil {
		p.t.Fatalf("testenv: migrate %s on the private Postgres: %v", name, err)
	}
	return url
}

// Start starts the server, if stopped, and returns once it accepts connections.
func (p *PostgresProcess) Start() {
	p.t.Helper()
	if err := p.start(); err != nil {
		p.t.Fatalf("testenv: %v", err)
	}
}

// Stop shuts the server down at once, as a crash would (pg_ctl stop -m
// immediate): clients see their connections drop mid-query. Committed data
// survives; the next Start recovers it.
func (p *PostgresProcess) Stop() {
	if err := p.stop("immediate"); err != nil {
		p.t.Errorf("testenv: %v", err)
	}
}

// Pause freezes the running server and every backend with SIGSTOP:
// connections stay open and new ones are accepted by the kernel, but nothing
// answers, as in a network partition or a frozen host. Resume undoes it;
// Stop resumes a paused server first.
func (p *PostgresProcess) Pause() {
	// Errorf, not Fatalf, here and in Resume: Resume may run on a timer's goroutine.
	if err := p.pause(); err != nil {
		p.t.Errorf("testenv: %v", err)
	}
}

// Resume lets a paused server run again.
func (p *PostgresProcess) Resume() {
	if err := p.resume(); err != nil {
		p.t.Errorf("testenv: %v", err)
	}
}

// postgresServer is a private cluster in a temporary directory, run by the
// server binaries of this machine; it reports errors instead of failing a
// test, so that a whole test run can share one.
type postgresServer struct {
	binDir   string
	baseDir  string // holds data/, the socket directory and the server log
	port     int
	settings []string // extra -c name=value server settings

	mu      sync.Mutex
	running bool
	paused  bool
}

// postgresBinGlob is where Debian and Ubuntu install the server binaries.
const postgresBinGlob = "/usr/lib/postgresql/*/bin"

// newPostgresServer initialises a cluster (trust auth, no fsync) that will
// listen on 127.0.0.1:port with settings; start starts it.
func newPostgresServer(port int, settings ...string) (*postgresServer, error) {
	binDir, err := findPostgresBinaries()
	if err != nil {
		return nil, fmt.Errorf("private PostgreSQL servers need the server binaries (initdb, pg_ctl, "+
			"postgres): %w. Install them (apt-get install postgresql) or set TEST_POSTGRES_BIN_DIR", err)
	}
	base, err := os.MkdirTemp("", "shortlink-pg-")
	if err != nil {
		return nil, err
	}
	p := &postgresServer{binDir: binDir, baseDir: base, port: port, settings: settings}
	if err := os.Mkdir(p.socketDir(), 0o700); err != nil {
		_ = os.RemoveAll(base)
		return nil, err
	}
	if err := p.chownToServerUser(); err != nil {
		_ = os.RemoveAll(base)
		return nil, err
	}
	out, err := p.run("initdb", "-D", p.dataDir(), "-U", "postgres", "--auth=trust", "--no-sync",
		"--encoding=UTF8", "--locale=C")
	if err != nil {
		_ = os.RemoveAll(base)
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	return p, nil
}

// AdminURL names the server's postgres database as the superuser; tests may
// create databases through it.
func (p *postgresServer) AdminURL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", p.port)
}

func (p *postgresServer) start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.running {
		return nil
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off", p.port, p.socketDir())
	for _, s := range p.settings {
		opts += " -c " + s
	}
	out, err := p.run("pg_ctl", "-D", p.dataDir(), "-l", p.logFile(), "-o", opts, "-w", "-t", "60", "start")
	if err != nil {
		log, _ := os.ReadFile(p.logFile())
		return fmt.Errorf("start private Postgres on port %d: %w\n%s\nserver log:\n%s", p.port, err, out, lastBytes(log, 4096))
	}
	p.running = true
	return nil
}

// stop stops the server with pg_ctl's shutdown mode ("fast", "immediate").
func (p *postgresServer) stop(mode string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.running {
		return nil
	}
	if err := p.resumeLocked(); err != nil { // a stopped process would not act on pg_ctl's signal
		return err
	}
	if out, err := p.run("pg_ctl", "-D", p.dataDir(), "-m", mode, "-w", "-t", "60", "stop"); err != nil {
		return fmt.Errorf("stop private Postgres: %w\n%s", err, out)
	}
	p.running = false
	return nil
}

// remove stops the server and deletes its directory.
func (p *postgresServer) remove() error {
	err := p.stop("immediate")
	return errors.Join(err, os.RemoveAll(p.baseDir))
}

func (p *postgresServer) pause() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.running || p.paused {
		return nil
	}
	p.paused = true
	return p.signalAll(syscall.SIGSTOP)
}

func (p *postgresServer) resume() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.resumeLocked()
}

func (p *postgresServer) resumeLocked() error {
	if !p.paused {
		return nil
	}
	p.paused = false
	return p.signalAll(syscall.SIGCONT)
}

// signalAll sends sig to the postmaster and to each of its children.
func (p *postgresServer) signalAll(sig syscall.Signal) error {
	raw, err := os.ReadFile(filepath.Join(p.dataDir(), "postmaster.pid"))
	if err != nil {
		return fmt.Errorf("private Postgres is not running: %w", err)
	}
	first, _, _ := strings.Cut(string(raw), "\n")
	postmaster, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil {
		return fmt.Errorf("postmaster.pid: %w", err)
	}
	// The postmaster first, so it forks no backend we would miss.
	var errs []error
	for _, pid := range append([]int{postmaster}, testkit.ChildrenOf(postmaster)...) {
		if err := syscall.Kill(pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
			errs = append(errs, fmt.Errorf("signal %v to Postgres process %d: %w", sig, pid, err))
		}
	}
	return errors.Join(errs...)
}

func (p *postgresServer) dataDir() string   { return filepath.Join(p.baseDir, "data") }
func (p *postgresServer) socketDir() string { return filepath.Join(p.baseDir, "sock") }
func (p *postgresServer) logFile() string   { return filepath.Join(p.baseDir, "server.log") }

// run runs one of the server binaries, as the postgres OS user when we are root.
func (p *postgresServer) run(tool string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bin := filepath.Join(p.binDir, tool)
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", bin}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, bin, args...)
	}
	cmd.Dir = p.baseDir
	// pg_ctl start leaves the server running; it must not hold our pipes open.
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	return out.Bytes(), err
}

// chownToServerUser hands the base directory to the postgres OS user when
// we are root; otherwise we are that user already.
func (p *postgresServer) chownToServerUser() error {
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("running as root, the private Postgres needs a postgres OS user (apt-get install postgresql creates it): %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return filepath.Walk(p.baseDir, func(path string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Chown(path, uid, gid)
	})
}

func findPostgresBinaries() (string, error) {
	has := func(dir string) bool {
		for _, tool := range []string{"initdb", "pg_ctl", "postgres"} {
			if _, err := os.Stat(filepath.Join(dir, tool)); err != nil {
				return false
			}
		}
		return true
	}
	if dir := os.Getenv("TEST_POSTGRES_BIN_DIR"); dir != "" {
		if !has(dir) {
			return "", fmt.Errorf("TEST_POSTGRES_BIN_DIR=%s lacks initdb, pg_ctl or postgres", dir)
		}
		return dir, nil
	}
	dirs, _ := filepath.Glob(postgresBinGlob)
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, dir := range dirs {
		if has(dir) {
			return dir, nil
		}
	}
	if initdb, err := exec.LookPath("initdb"); err == nil && has(filepath.Dir(initdb)) {
		return filepath.Dir(initdb), nil
	}
	return "", fmt.Errorf("none found in %s or on PATH", postgresBinGlob)
}

// versionOf reads the major version out of /usr/lib/postgresql/<N>/bin.
func versionOf(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func lastBytes(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
