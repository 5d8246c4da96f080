package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/shortlink/shortlink/test/testkit"
)

// adminKey is the ADMIN_KEYS entry of the apis that read statistics.
const adminKey = "bench-admin-key-0123456789"

func (b *bench) cleanup() {
	for i := len(b.procs) - 1; i >= 0; i-- {
		p := b.procs[i]
		sig := syscall.SIGTERM
		if p.name == "nginx" {
			sig = syscall.SIGQUIT // graceful: workers finish, then exit
		}
		p.stop(sig, 10*time.Second)
	}
	b.procs = nil
}

func (b *bench) startProc(name string, env []string, argv ...string) (*proc, error) {
	p, err := startProc(b.dir, name, env, argv...)
	if err != nil {
		return nil, err
	}
	b.procs = append(b.procs, p)
	return p, nil
}

// build compiles the binaries the bench runs into the work directory.
func (b *bench) build(ctx context.Context) error {
	b.loadStart = loadAverage()
	b.bin = filepath.Join(b.dir, "bin")
	b.logf("building api, batch, migrate, partitions, bareserver, load into %s", b.bin)
	build := exec.CommandContext(ctx, "go", "build", "-o", b.bin+"/",
		"./cmd/api", "./cmd/batch", "./cmd/migrate", "./cmd/partitions", "./test/bench/bareserver", "./test/load")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %w\n%s", err, out)
	}
	b.version = versions(ctx)
	return nil
}

// stack is one deployment's data: a database and its two Redis servers,
// migrated, with links seeded in SQL and the code pool filled.
type stack struct {
	name  string
	dbURL string
	cache *proc
	codes *proc
	env   []string // what every api of the stack is given
	links int      // links seeded in SQL: x0000000 … x<links-1>
}

// newStack starts the stack's Redis servers, recreates database dbName,
// migrates it, seeds links in SQL and fills the code pool.
func (b *bench) newStack(ctx context.Context, name, dbName string, links int, pool int64) (*stack, error) {
	return b.newStackSeeded(ctx, name, dbName, links, pool, func(ctx context.Context, dbURL string) error { return seedSQL(ctx, dbURL, links) })
}

// newStackSeeded is newStack with links seeded by seed, once the schema
// and this month's and the next month's partitions are in place.
func (b *bench) newStackSeeded(ctx context.Context, name, dbName string, links int, pool int64, seed func(ctx context.Context, dbURL string) error) (*stack, error) {
	s := &stack{name: name, links: links}
	ports, err := testkit.FreePorts(2)
	if err != nil {
		return nil, err
	}
	if s.dbURL, err = b.freshDatabase(ctx, dbName); err != nil {
		return nil, err
	}
	s.env = []string{
		// The load comes from wrk on loopback with the client's address in
		// X-Forwarded-For, as from nginx or a load balancer: the apis trust
		// loopback (the default, set here so the bench does not depend on it).
		"TRUSTED_PROXIES=127.0.0.1/32,::1/128",
		"DATABASE_URL=" + s.dbURL,
		fmt.Sprintf("REDIS_CACHE_URL=redis://127.0.0.1:%d/0", ports[0]),
		fmt.Sprintf("REDIS_CODES_URL=redis://127.0.0.1:%d/0", ports[1]),
	}
	// The contract step too, so the apis make links with redirect rules (step 2R).
	for _, argv := range [][]string{{"migrate", "up"}, {"migrate", "contract"}, {"partitions", "--ahead", "2"}} {
		if err := runTool(ctx, filepath.Join(b.bin, argv[0]), minimalEnv(s.env...), argv[1:]...); err != nil {
			return nil, err
		}
	}
	if links > 0 {
		b.logf("%s: seeding %d links in SQL", name, links)
		t0 := time.Now()
		if err := seed(ctx, s.dbURL); err != nil {
			return nil, err
		}
		b.logf("%s: seeded in %s", name, time.Since(t0).Round(time.Second))
	}
	// The Redis servers start once the (long) seeding is done: nothing
	// before needs them.
	for i, role := range []string{"redis-cache", "redis-codes"} {
		p, err := b.startProc(name+"-"+role, nil, "redis-server", "--port", strconv.Itoa(ports[i]), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes")
		if err != nil {
			return nil, err
		}
		if err := waitTCP(p, fmt.Sprintf("127.0.0.1:%d", ports[i]), 10*time.Second); err != nil {
			return nil, err
		}
		if i == 0 {
			s.cache = p
		} else {
			s.codes = p
		}
	}
	b.logf("%s: filling the code pool with %d codes (batch --once)", name, pool)
	n := strconv.FormatInt(pool, 10)
	if err := runTool(ctx, filepath.Join(b.bin, "batch"),
		minimalEnv(slices.Concat(s.env, []string{"POOL_TARGET=" + n, "POOL_LOW_WATER=" + n})...), "--once"); err != nil {
		return nil, err
	}
	return s, nil
}

// startAPI runs an api of stack s (nil: embedded mode, no servers) on a
// free port, with settings added to the stack's, and waits until it is
// ready.
func (b *bench) startAPI(ctx context.Context, name string, s *stack, settings ...string) (*server, error) {
	ports, err := testkit.FreePorts(1)
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", ports[0])
	var stackEnv []string
	if s != nil {
		stackEnv = s.env
	}
	env := slices.Concat(stackEnv, []string{"API_ADDR=" + addr, "PUBLIC_BASE_URL=" + publicBaseURL}, settings)
	p, err := b.startProc(name, minimalEnv(env...), filepath.Join(b.bin, "api"))
	if err != nil {
		return nil, err
	}
	srv := &server{proc: p, url: "http://" + addr}
	return srv, waitHTTP(ctx, p, srv.url+"/v1/ready", 30*time.Second)
}

// setUp starts everything the default steps measure; with -quick only
// the bare server, api and api-work.
func (b *bench) setUp(ctx context.Context) error {
	if err := b.build(ctx); err != nil {
		return err
	}
	if b.opts.goBench && !b.opts.capacity {
		if err := b.runGoBenchmarks(ctx); err != nil {
			return err
		}
	}
	var err error
	if b.stack, err = b.newStack(ctx, "main", b.opts.dbName, b.opts.missLinks, b.opts.poolTarget); err != nil {
		return err
	}
	if err := execAll(ctx, b.stack.dbURL, plainTable); err != nil {
		return err
	}
	b.logf("registering the short domains %s besides %s (short_domain rows)", strings.Join(extraDomains, " and "), publicHost)
	if err := registerDomains(ctx, b.stack.dbURL); err != nil {
		return err
	}
	ports, err := testkit.FreePorts(1)
	if err != nil {
		return err
	}
	bareAddr := fmt.Sprintf("127.0.0.1:%d", ports[0])
	bare, err := b.startProc("bareserver", nil, filepath.Join(b.bin, "bareserver"), "-addr", bareAddr)
	if err != nil {
		return err
	}
	b.bare = &server{proc: bare, url: "http://" + bareAddr}
	if err := waitTCP(bare, bareAddr, 10*time.Second); err != nil {
		return err
	}
	// The defaults, as a user runs them: nothing set but where the
	// servers are. The access log goes to a file (the process's log).
	if b.api, err = b.startAPI(ctx, "api", b.stack); err != nil {
		return err
	}
	if b.work, err = b.startAPI(ctx, "api-work", b.stack); err != nil {
		return err
	}
	if b.dims, err = b.startAPI(ctx, "api-dims", b.stack, "VISIT_DIMENSIONS=true"); err != nil {
		return err
	}
	if !b.opts.quick {
		if b.quiet, err = b.startAPI(ctx, "api-quiet", b.stack, "LOG_REQUESTS=false"); err != nil {
			return err
		}
		if b.novisits, err = b.startAPI(ctx, "api-novisits", b.stack, "LOG_REQUESTS=false", "VISIT_PENDING_KEYS=0"); err != nil {
			return err
		}
		if b.bigCache, err = b.startAPI(ctx, "api-128mib", b.stack, "LOCAL_CACHE_BYTES=128MiB"); err != nil {
			return err
		}
		if err := b.startNginx(ctx); err != nil {
			return err
		}
	}

	b.logf("seeding %d links through the api", b.opts.links)
	targets, err := b.seed(ctx)
	if err != nil {
		return err
	}
	if b.rulesCodes, err = b.seedRules(ctx); err != nil {
		return err
	}
	bases := []string{}
	for _, a := range b.apis() {
		bases = append(bases, a.url)
	}
	if b.nginx != nil {
		bases = append(bases, b.nginx.url)
	}
	for code := range targets { // any one: every api must have read the domains
		if err := verifyDomains(ctx, code, 30*time.Second, bases...); err != nil {
			return err
		}
		break
	}
	if err := verifyRedirects(ctx, targets, bases...); err != nil {
		return err
	}
	b.defineSteps()
	return nil
}

func runTool(ctx context.Context, path string, env []string, args ...string) error {
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %w\n%s", filepath.Base(path), strings.Join(args, " "), err, out)
	}
	return nil
}

// startNginx runs the project's site config in front of the api, with the
// two lines its header names rewritten, under a private prefix directory.
func (b *bench) startNginx(ctx context.Context) error {
	prefix := filepath.Join(b.dir, "nginx")
	if err := os.MkdirAll(prefix, 0o755); err != nil {
		return err
	}
	root, err := os.Getwd() // run checks that this is the repository root
	if err != nil {
		return err
	}
	ports, err := testkit.FreePorts(1)
	if err != nil {
		return err
	}
	listen := fmt.Sprintf("127.0.0.1:%d", ports[0])
	args, err := testkit.NginxConf(root, prefix, strings.TrimPrefix(b.api.url, "http://"), listen,
		testkit.NginxOptions{Workers: b.opts.nginxWorkers, Connections: 4096, AccessLogOff: true})
	if err != nil {
		return err
	}
	if out, err := exec.Command("nginx", append(args, "-t", "-q")...).CombinedOutput(); err != nil {
		return fmt.Errorf("nginx -t: %w\n%s", err, out)
	}
	p, err := b.startProc("nginx", nil, append([]string{"nginx"}, args...)...)
	if err != nil {
		return err
	}
	b.nginx = &server{proc: p, url: "http://" + listen}
	return waitHTTP(ctx, p, b.nginx.url+"/v1/health", 10*time.Second)
}
