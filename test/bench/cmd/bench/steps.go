package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/shortlink/shortlink/test/testkit"
)

// Step keys, in the order of a round.
const (
	stepBare      = "1 bare"
	stepRedirect  = "2 redirect"
	stepRedirectN = "2N redirect, twin"
	stepRedirectV = "2V redirect+visits"
	stepNginx     = "3 nginx"
	stepCreate    = "4 create"
	stepPgbench   = "5 pgbench"
	stepRedirectL = "2L redirect+log"
	stepCreateL   = "4L create+log"
)

const (
	redirectLua = "test/bench/lua/redirect.lua"
	createLua   = "test/bench/lua/create.lua"
	// plainTable has the shape of short_link, unpartitioned, without the
	// insert function: what step 5 inserts into.
	plainTable = `CREATE TABLE bench_plain (
		code       text        NOT NULL,
		url        text        NOT NULL,
		created_at timestamptz NOT NULL,
		expires_at timestamptz NOT NULL,
		PRIMARY KEY (code, created_at),
		CHECK (expires_at > created_at))`
	// pgbenchScript inserts one row like the api's: a random 7-character
	// code, a 46-character URL, now and now + DEFAULT_TTL.
	pgbenchScript = `INSERT INTO bench_plain (code, url, created_at, expires_at)
VALUES (substr(md5(random()::text), 1, 7),
        'https://example.com/bench/' || substr(md5(random()::text), 1, 20),
        now(), now() + interval '336 hours');
`
)

type step struct {
	key   string
	label string
	api   *proc // the api whose RSS the step reports; nil for 1 and 5
	// servers are the processes whose CPU time per request the step reports.
	servers func() []int
	run     func(ctx context.Context, d time.Duration) (measurement, error)
}

func (b *bench) defineSteps() {
	o := b.opts
	redirect := func(base string) func(context.Context, time.Duration) (measurement, error) {
		return func(ctx context.Context, d time.Duration) (measurement, error) {
			return runWrk(ctx, o.threads, o.redirectConns, d, redirectLua, base, b.codes)
		}
	}
	create := func(base string) func(context.Context, time.Duration) (measurement, error) {
		return func(ctx context.Context, d time.Duration) (measurement, error) {
			return runWrk(ctx, o.threads, o.createConns, d, createLua, base)
		}
	}
	script := filepath.Join(b.dir, "insert.sql")
	_ = os.WriteFile(script, []byte(pgbenchScript), 0o644)
	n := 0
	pids := func(ps ...*proc) func() []int {
		return func() []int {
			var out []int
			for _, p := range ps {
				out = append(out, p.pid())
				if p == b.nginx {
					out = append(out, testkit.ChildrenOf(p.pid())...)
				}
			}
			return out
		}
	}
	b.steps = []step{
		{key: stepBare, label: "bare net/http 302 (ceiling)", servers: pids(b.bare), run: redirect(b.bareURL)},
		{key: stepRedirect, label: "cached redirect → api", api: b.api, servers: pids(b.api), run: redirect(b.apiURL)},
		{key: stepRedirectN, label: "cached redirect → api without visit counting (2V's twin)", api: b.apiN, servers: pids(b.apiN), run: redirect(b.apiNURL)},
		{key: stepRedirectV, label: "cached redirect with visit counting → api", api: b.apiV, servers: pids(b.apiV), run: redirect(b.apiVURL)},
		{key: stepNginx, label: "cached redirect → nginx → api", api: b.api, servers: pids(b.nginx, b.api), run: redirect(b.nginxURL)},
		{key: stepCreate, label: "create → api", api: b.api, servers: pids(b.api), run: create(b.apiURL)},
		{key: stepPgbench, label: "pgbench INSERT, plain table (floor)", run: func(ctx context.Context, d time.Duration) (measurement, error) {
			n++
			return runPgbench(ctx, b.dbURL, o.createConns, o.threads, d, script, filepath.Join(b.dir, fmt.Sprintf("pgbench-%d", n)))
		}},
	}
	if o.logRounds {
		b.steps = append(b.steps,
			step{key: stepRedirectL, label: "cached redirect → api, access log on", api: b.apiLog, servers: pids(b.apiLog), run: redirect(b.apiLURL)},
			step{key: stepCreateL, label: "create → api, access log on", api: b.apiLog, servers: pids(b.apiLog), run: create(b.apiLURL)},
		)
	}
}

func (b *bench) runStep(ctx context.Context, s step, d time.Duration) (measurement, error) {
	var servers []int
	var cpu0 time.Duration
	if s.servers != nil {
		servers = s.servers()
		cpu0, _ = cpuTime(servers...)
	}
	m, err := s.run(ctx, d)
	if err != nil {
		return m, fmt.Errorf("step %s: %w", s.key, err)
	}
	if cpu1, err := cpuTime(servers...); err == nil && servers != nil && m.Requests > 0 {
		m.CPUPerReq = float64(cpu1-cpu0) / float64(time.Microsecond) / float64(m.Requests)
	}
	if s.api != nil {
		if s.api.exited() {
			return m, fmt.Errorf("step %s: %s exited; its log:\n%s", s.key, s.api.name, s.api.tail())
		}
		m.RSSKiB, _, _ = testkit.MemStatus(s.api.pid())
	}
	return m, nil
}
