package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/shortlink/shortlink/test/testkit"
)

// Step keys, in the order of a round.
const (
	stepBare     = "1 bare"
	stepDefaults = "2 defaults"
	stepRules    = "2R rules"
	stepDims     = "2V dimensions"
	stepQuiet    = "2Q no-log"
	stepNoVisits = "2N no-visits"
	stepNginx    = "3 nginx"
	stepCreate   = "4 create"
	stepInsert   = "5 pg-insert"
	stepClaim    = "5C pg-claim"
	stepMiss     = "6 miss"
	stepMissN    = "6N miss-no-visits"
	stepLookup   = "6P pg-lookup"
	stepWorked   = "2W worked-api"
)

const (
	redirectLua = "test/bench/lua/redirect.lua"
	createLua   = "test/bench/lua/create.lua"
	coldLua     = "test/bench/lua/cold.lua"
	zipfLua     = "test/bench/lua/zipf.lua"
	statsLua    = "test/bench/lua/stats.lua"
	listLua     = "test/bench/lua/list.lua"
	// plainTable has the shape of short_link, unpartitioned, without the
	// claim: what step 5 inserts into.
	plainTable = `CREATE TABLE bench_plain (
		code       text        NOT NULL,
		url        text        NOT NULL,
		created_at timestamptz NOT NULL,
		expires_at timestamptz NOT NULL,
		PRIMARY KEY (code, created_at),
		CHECK (expires_at > created_at))`
	// insertScript inserts one row like the api's: a random 7-character
	// code, a 46-character URL, now and now + DEFAULT_TTL.
	insertScript = `INSERT INTO bench_plain (code, url, created_at, expires_at)
VALUES (substr(md5(random()::text), 1, 7),
        'https://example.com/bench/' || substr(md5(random()::text), 1, 20),
        now(), now() + interval '336 hours');
`
	// claimScript stores one link the way the api stores each (the code's
	// claim and the row, by the function the api calls), one per commit.
	claimScript = `SELECT claim_and_insert_links(
    ARRAY[substr(md5(random()::text), 1, 7)],
    ARRAY['https://example.com/bench/' || substr(md5(random()::text), 1, 20)],
    ARRAY[now()], ARRAY[now() + interval '336 hours'], ARRAY[NULL::bytea],
    ARRAY[now() + interval '336 hours' + interval '365 days']);
`
	// lookupScript is the api's lookup of one code (adapters/postgres
	// findQuery, for one code) of a link seeded in SQL.
	lookupScript = `\set n random(0, %d)
SELECT l.* FROM code_claim c CROSS JOIN LATERAL (
    SELECT id, url, created_at, expires_at, state, disabled_by_admin, token_digest, version
    FROM short_link WHERE code = c.code AND created_at = c.created_at LIMIT 1) AS l
WHERE c.code = 'x' || lpad(:n::text, 7, '0') AND c.domain = '';
`
)

type step struct {
	key   string
	label string
	api   *server // the api whose RSS the step reports; nil for pgbench and the bare server
	// servers are the processes whose CPU time per request the step reports.
	servers func() []int
	run     func(ctx context.Context, d time.Duration) (measurement, error)
}

// pids lists the processes of servers, nginx's workers included.
func pids(servers ...*server) func() []int {
	return func() []int {
		var out []int
		for _, s := range servers {
			out = append(out, s.pid())
			if s.name == "nginx" {
				out = append(out, testkit.ChildrenOf(s.pid())...)
			}
		}
		return out
	}
}

// pgbenchStep runs script with clients connections against dbURL.
func (b *bench) pgbenchStep(name, dbURL, script string, clients int) func(context.Context, time.Duration) (measurement, error) {
	path := filepath.Join(b.dir, name+".sql")
	n := 0
	return func(ctx context.Context, d time.Duration) (measurement, error) {
		if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
			return measurement{}, err
		}
		n++
		return runPgbench(ctx, dbURL, clients, b.opts.createThreads, d, path, filepath.Join(b.dir, fmt.Sprintf("pgbench-%s-%d", name, n)))
	}
}

// coldStep asks for links seeded in SQL, none twice: the walk of
// lua/cold.lua is cut in parts, one for each step that walks it, and each
// call (the warm-up's and one a round) walks its own share of its part.
func (b *bench) coldStep(base string, links, part, parts int) func(context.Context, time.Duration) (measurement, error) {
	calls := 0
	share := links / parts / (b.opts.rounds + 1)
	return func(ctx context.Context, d time.Duration) (measurement, error) {
		start := part*(links/parts) + calls*share
		calls++
		t := b.opts.createThreads
		m, err := runWrk(ctx, t, b.opts.missConns, d, coldLua, base, strconv.Itoa(links), strconv.Itoa(start), strconv.Itoa(t))
		if err == nil && m.Requests > int64(share) {
			b.note(fmt.Sprintf("a miss step asked for more codes than its share of the seeded links (%d), so some were asked twice: raise -miss-links or lower -d", share))
		}
		return m, err
	}
}

// redirectStep asks base for random picks among the codes in file.
func (b *bench) redirectStep(base, codes string) func(context.Context, time.Duration) (measurement, error) {
	return func(ctx context.Context, d time.Duration) (measurement, error) {
		return runWrk(ctx, b.opts.threads, b.opts.redirectConns, d, redirectLua, base, codes)
	}
}

func (b *bench) createStep(base string) func(context.Context, time.Duration) (measurement, error) {
	return func(ctx context.Context, d time.Duration) (measurement, error) {
		return runWrk(ctx, b.opts.createThreads, b.opts.createConns, d, createLua, base)
	}
}

func (b *bench) defineSteps() {
	o := b.opts
	db := b.stack.dbURL
	bare := step{key: stepBare, label: "bare net/http 302 (ceiling)", servers: pids(b.bare), run: b.redirectStep(b.bare.url, b.codes)}
	defaults := step{key: stepDefaults, label: "cached redirect → api, defaults (access log, visit counting)", api: b.api, servers: pids(b.api), run: b.redirectStep(b.api.url, b.codes)}
	rules := step{key: stepRules, label: "cached redirect → api, defaults, links with 3 redirect rules", api: b.api, servers: pids(b.api), run: b.redirectStep(b.api.url, b.rulesCodes)}
	create := step{key: stepCreate, label: "create → api-work (defaults)", api: b.work, servers: pids(b.work), run: b.createStep(b.work.url)}
	insert := step{key: stepInsert, label: "pgbench: one INSERT a commit, plain table (floor)", run: b.pgbenchStep("insert", db, insertScript, o.createConns)}
	claim := step{key: stepClaim, label: "pgbench: one claim_and_insert_links a commit", run: b.pgbenchStep("claim", db, claimScript, o.createConns)}
	lookup := step{key: stepLookup, label: "pgbench: the api's lookup of one random code, same table", run: b.pgbenchStep("lookup", db, fmt.Sprintf(lookupScript, o.missLinks-1), o.missConns)}
	dims := step{key: stepDims, label: "cached redirect → api, VISIT_DIMENSIONS=true", api: b.dims, servers: pids(b.dims), run: b.redirectStep(b.dims.url, b.codes)}
	missLabel := fmt.Sprintf("cache-miss redirect → api-work (defaults), %d links, none asked twice", o.missLinks)
	if o.dimsOnly {
		b.steps = []step{bare, defaults, dims}
		return
	}
	if o.quick {
		b.steps = []step{bare, defaults, rules, dims, create, insert, claim,
			{key: stepMiss, label: missLabel, api: b.work, servers: pids(b.work), run: b.coldStep(b.work.url, o.missLinks, 0, 1)},
			lookup}
		return
	}
	b.steps = []step{
		bare, defaults, rules, dims,
		{key: stepQuiet, label: "cached redirect → api, LOG_REQUESTS=false", api: b.quiet, servers: pids(b.quiet), run: b.redirectStep(b.quiet.url, b.codes)},
		{key: stepNoVisits, label: "cached redirect → api, LOG_REQUESTS=false VISIT_PENDING_KEYS=0", api: b.novisits, servers: pids(b.novisits), run: b.redirectStep(b.novisits.url, b.codes)},
		{key: stepNginx, label: "cached redirect → nginx → api (defaults)", api: b.api, servers: pids(b.nginx, b.api), run: b.redirectStep(b.nginx.url, b.codes)},
		create, insert, claim,
		{key: stepMiss, label: missLabel, api: b.work, servers: pids(b.work), run: b.coldStep(b.work.url, o.missLinks, 0, 2)},
		{key: stepMissN, label: "cache-miss redirect → api, LOG_REQUESTS=false VISIT_PENDING_KEYS=0, other links", api: b.novisits, servers: pids(b.novisits),
			run: b.coldStep(b.novisits.url, o.missLinks, 1, 2)},
		lookup,
		{key: stepWorked, label: "cached redirect → api-work, its cache full of the misses' links", api: b.work, servers: pids(b.work), run: b.redirectStep(b.work.url, b.codes)},
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
