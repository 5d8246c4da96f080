package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
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
)

// PostgresProcess is a private PostgreSQL server a test can stop and start
// again, on the same port and with the same data, to watch the service live
// through a database outage. The machine's shared server cannot be used for
// that: other tests depend on it.
type PostgresProcess struct {
	t       testing.TB
	binDir  string
	baseDir string // holds data/, the socket directory and the server log
	port    int

	mu      sync.Mutex
	running bool
	paused  bool
}

// postgresBinGlob is where Debian and Ubuntu install the server binaries.
const postgresBinGlob = "/usr/lib/postgresql/*/bin"

// StartPostgresServer initialises a cluster in a fresh directory (trust
// auth, fsync off) and starts it on a free loopback port. It is stopped and
// deleted when the test ends. The binaries are taken from
// TEST_POSTGRES_BIN_DIR, else the newest /usr/lib/postgresql/*/bin, else
// PATH. Running as root, the server runs as the postgres OS user, since
// Postgres refuses to run as root.
func StartPostgresServer(t testing.TB) *PostgresProcess {
	t.Helper()
	binDir, err := findPostgresBinaries()
	if err != nil {
		t.Fatalf("testenv: outage tests run their own PostgreSQL and need its server binaries "+
			"(initdb, pg_ctl, postgres): %v. Install them (apt-get install postgresql) or set TEST_POSTGRES_BIN_DIR", err)
	}
	base, err := os.MkdirTemp("", "shortlink-pg-")
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	p := &PostgresProcess{t: t, binDir: binDir, baseDir: base, port: FreePort(t)}
	t.Cleanup(func() {
		p.Stop()
		_ = os.RemoveAll(base)
	})
	if err := os.Mkdir(p.socketDir(), 0o700); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	if err := p.chownToServerUser(); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	out, err := p.run("initdb", "-D", p.dataDir(), "-U", "postgres", "--auth=trust", "--no-sync",
		"--encoding=UTF8", "--locale=C")
	if err != nil {
		t.Fatalf("testenv: initdb: %v\n%s", err, out)
	}
	p.Start()
	return p
}

// AdminURL names the server's postgres database as the superuser; tests may
// create databases through it.
func (p *PostgresProcess) AdminURL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", p.port)
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
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.running {
		return
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off", p.port, p.socketDir())
	out, err := p.run("pg_ctl", "-D", p.dataDir(), "-l", p.logFile(), "-o", opts, "-w", "-t", "60", "start")
	if err != nil {
		log, _ := os.ReadFile(p.logFile())
		p.t.Fatalf("testenv: start private Postgres on port %d: %v\n%s\nserver log:\n%s", p.port, err, out, lastBytes(log, 4096))
	}
	p.running = true
}

// Stop shuts the server down at once, as a crash would (pg_ctl stop -m
// immediate): clients see their connections drop mid-query. Committed data
// survives; the next Start recovers it.
func (p *PostgresProcess) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.running {
		return
	}
	p.resumeLocked() // a stopped process would not act on pg_ctl's signal
	if out, err := p.run("pg_ctl", "-D", p.dataDir(), "-m", "immediate", "-w", "-t", "60", "stop"); err != nil {
		p.t.Errorf("testenv: stop private Postgres: %v\n%s", err, out)
		return
	}
	p.running = false
}

// Pause freezes the running server and every backend with SIGSTOP:
// connections stay open and new ones are accepted by the kernel, but nothing
// answers, as in a network partition or a frozen host. Resume undoes it;
// Stop resumes a paused server first.
func (p *PostgresProcess) Pause() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.running && !p.paused {
		p.signalAll(syscall.SIGSTOP)
		p.paused = true
	}
}

// Resume lets a paused server run again.
func (p *PostgresProcess) Resume() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.resumeLocked()
}

func (p *PostgresProcess) resumeLocked() {
	if p.paused {
		p.signalAll(syscall.SIGCONT)
		p.paused = false
	}
}

// signalAll sends sig to the postmaster and to each of its children.
func (p *PostgresProcess) signalAll(sig syscall.Signal) {
	p.t.Helper()
	// Errorf, not Fatalf: Resume may run on a timer's goroutine.
	raw, err := os.ReadFile(filepath.Join(p.dataDir(), "postmaster.pid"))
	if err != nil {
		p.t.Errorf("testenv: private Postgres is not running: %v", err)
		return
	}
	first, _, _ := strings.Cut(string(raw), "\n")
	postmaster, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil {
		p.t.Errorf("testenv: postmaster.pid: %v", err)
		return
	}
	// The postmaster first, so it forks no backend we would miss.
	p.signal(postmaster, sig)
	for _, child := range childrenOf(postmaster) {
		p.signal(child, sig)
	}
}

func (p *PostgresProcess) signal(pid int, sig syscall.Signal) {
	if err := syscall.Kill(pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		p.t.Errorf("testenv: signal %v to Postgres process %d: %v", sig, pid, err)
	}
}

// childrenOf lists the processes whose parent is pid, from /proc.
func childrenOf(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var children []int
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces, so split after ")".
		_, rest, ok := strings.Cut(string(stat), ") ")
		fields := strings.Fields(rest)
		if ok && len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			children = append(children, child)
		}
	}
	return children
}

func (p *PostgresProcess) dataDir() string   { return filepath.Join(p.baseDir, "data") }
func (p *PostgresProcess) socketDir() string { return filepath.Join(p.baseDir, "sock") }
func (p *PostgresProcess) logFile() string   { return filepath.Join(p.baseDir, "server.log") }

// run runs one of the server binaries, as the postgres OS user when we are root.
func (p *PostgresProcess) run(tool string, args ...string) ([]byte, error) {
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
func (p *PostgresProcess) chownToServerUser() error {
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("running as root, the private Postgres needs a postgres OS user: %w", err)
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

// FreePort returns a loopback TCP port nothing listens on right now.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func lastBytes(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
