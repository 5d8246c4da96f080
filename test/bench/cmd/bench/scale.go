package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// scaleSide is one stack of the scale comparison and its api.
type scaleSide struct {
	name  string
	stack *stack
	api   *server
	// creates is the side's api for the create step alone: the large
	// side's api also serves every read (and fills its cache and heap),
	// the empty side's serves none, so creates through it would compare
	// two apis in different states, not two tables.
	creates *server
	codes   string // codes created through the api, for cached redirects
	// wsKey is an owner key of the workspace that holds a tenth of the
	// seeded links (the list step); "" on the empty side.
	wsKey string
}

func (s *scaleSide) label() string { return fmt.Sprintf("%s (%d links)", s.name, s.stack.links) }

// The kinds of request the scale comparison measures.
var scaleKinds = []string{"create", "redirect", "miss", "stats", "list"}

// runScale is make bench-scale: three stacks alike but for the links
// seeded in SQL (none, -scale-base and -scale-links), a creates-only api
// and one api with the defaults on each, and rounds of every kind of request on the sides in
// turn (the steps and rounds of make bench). The large side is compared
// with the empty one for creates (what a bigger table costs a write) and
// with the base one for the rest, which need links to read: misses must
// not repeat a code, so the reference for reads has links enough for the
// whole run.
func (b *bench) runScale(ctx context.Context) (string, error) {
	o := b.opts
	if err := b.build(ctx); err != nil {
		return "", err
	}
	var sides []*scaleSide
	for _, s := range []struct {
		name  string
		links int
	}{{"empty", 0}, {"base", o.scaleBase}, {"large", o.scaleLinks}} {
		st, err := b.newStackSeeded(ctx, s.name, o.dbName+"_"+s.name, s.links, o.poolTarget,
			func(ctx context.Context, dbURL string) error { return seedScaleSQL(ctx, dbURL, s.links) })
		if err != nil {
			return "", err
		}
		api, err := b.startAPI(ctx, "api-"+s.name, st, "ADMIN_KEYS="+adminKey)
		if err != nil {
			return "", err
		}
		targets, codes, err := b.seedThrough(ctx, api.url, "codes-"+s.name+".txt")
		if err != nil {
			return "", err
		}
		if err := verifyRedirects(ctx, targets, api.url); err != nil {
			return "", err
		}
		creates, err := b.startAPI(ctx, "api-"+s.name+"-creates", st)
		if err != nil {
			return "", err
		}
		side := &scaleSide{name: s.name, stack: st, api: api, creates: creates, codes: codes}
		if s.links > 0 {
			if side.wsKey, err = b.ownerKey(ctx, side); err != nil {
				return "", err
			}
		}
		sides = append(sides, side)
	}
	empty, base, large := sides[0], sides[1], sides[2]
	// reference is the side each kind's large-side figure is compared with.
	reference := map[string]*scaleSide{"create": empty, "redirect": base, "miss": base, "stats": base, "list": base}
	for _, kind := range scaleKinds {
		for _, side := range []*scaleSide{reference[kind], large} {
			api := side.api
			if kind == "create" {
				api = side.creates
			}
			b.steps = append(b.steps, step{key: kind + " " + side.name, label: kind + " → " + side.label(),
				api: api, servers: pids(api), run: b.scaleRun(kind, side)})
		}
	}
	if err := b.measure(ctx); err != nil {
		return "", err
	}
	// The listing matrix, on the large side once the loaded steps are over.
	variants, err := scaleListVariants(ctx, large.stack.dbURL, large.stack.links)
	if err != nil {
		return "", err
	}
	b.logf("listing matrix: %d filters, %d clients, %s warm-up and %s measured each", len(variants), o.listClients, o.listDuration, o.listDuration)
	listRows, err := b.measureList(ctx, large.api.url, large.wsKey, large.api, variants)
	if err != nil {
		return "", err
	}
	var duplicates []string
	for _, side := range sides {
		n, err := queryInt(ctx, side.stack.dbURL, "SELECT count(*) - count(DISTINCT code) FROM short_link")
		if err != nil {
			return "", err
		}
		rows, err := queryInt(ctx, side.stack.dbURL, "SELECT count(*) FROM short_link")
		if err != nil {
			return "", err
		}
		duplicates = append(duplicates, fmt.Sprintf("%s: %d over %d rows", side.label(), n, rows))
	}
	b.loadEnd = loadAverage()

	var w strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&w, format+"\n", args...) }
	v := b.version
	p("# shortlink bench-scale — %s", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	p("")
	p("- machine: %d CPUs (%s), %s; %s; %s; %s", runtime.NumCPU(), v["cpu"], v["kernel"], v["go"], v["postgres"], v["redis"])
	p("- three stacks alike (database, cache Redis, codes Redis, one api with the defaults and ADMIN_KEYS, and one more that serves only the creates) but for the links seeded in SQL; "+
		"%d links created through each api for the cached redirects; %d rounds of %s per step after a %s warm-up, the sides in turn; "+
		"load average %s at start, %s at the end", o.links, o.rounds, o.stepDuration, o.warmup, b.loadStart, b.loadEnd)
	p("- create: wrk -t%d -c%d `lua/create.lua`; redirect: wrk -t%d -c%d `lua/redirect.lua` over the api-created links; "+
		"miss: wrk -t%d -c%d `lua/cold.lua` over the seeded links, none asked twice; stats: wrk -t%d -c%d `lua/stats.lua`, "+
		"GET /v1/shortlink/{code}/stats of a random seeded link with an admin key; list: wrk -t%d -c%d `lua/list.lua`, "+
		"GET /v1/shortlinks (the first page, 20 links, or 100 one time in four) with an owner key of a workspace that holds a tenth of the seeded links",
		o.createThreads, o.createConns, o.threads, o.redirectConns, o.createThreads, o.missConns, o.createThreads, o.missConns, o.createThreads, o.missConns)
	p("")
	p("| request | compared with | its req/s | %s req/s | ratio (lowest–highest; each round) | p95 ms | p99 ms | server CPU µs/req | errors |", large.label())
	p("|---|---|---:|---:|---|---|---|---|---:|")
	ratios := map[string]float64{}
	var errs int64
	for _, kind := range scaleKinds {
		ref, big := kind+" "+reference[kind].name, kind+" "+large.name
		r := b.ratio(big, ref, rps)
		ratios[kind] = r.median
		kindErrs := b.errors(ref) + b.errors(big)
		errs += kindErrs
		at := func(key string, f func(measurement) float64) float64 { return median(b.column(key, f)) }
		p("| %s | %s | %.0f | %.0f | %s | %.2f / %.2f | %.2f / %.2f | %.1f / %.1f | %d |", kind, reference[kind].label(), at(ref, rps), at(big, rps),
			r, at(ref, p95), at(big, p95), at(ref, p99), at(big, p99), at(ref, cpu), at(big, cpu), kindErrs)
	}
	p("")
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "**missed**"
	}
	listP95 := median(b.column("list "+large.name, p95))
	missP99 := median(b.column("miss "+large.name, p99))
	p("p95, p99 and server CPU: the reference's, then the large side's. Errors over all steps: %d. Duplicate codes: %s.", errs, strings.Join(duplicates, "; "))
	p("")
	p("| measure | this run | target | |")
	p("|---|---|---|---|")
	p("| creates at %d links ÷ an empty table | %.2f × | ≥ 0.90 × | %s |", o.scaleLinks, ratios["create"], verdict(ratios["create"] >= 0.90))
	p("| miss at %d links (c%d, none asked twice): p99 | %.2f ms | ≤ 20 ms | %s |", o.scaleLinks, o.missConns, missP99, verdict(missP99 <= 20))
	matrix, worst, worstAt := listTable(listRows)
	p("| list page at %d links, %d in the workspace, every filter × selectivity (%d clients, latency): worst p95 | %.2f ms (%s) | ≤ 50 ms | %s |",
		o.scaleLinks, o.scaleLinks/10, o.listClients, worst, worstAt, verdict(worst <= 50))
	p("| list page as above, under wrk -c%d (throughput; queueing included): p95 | %.2f ms | — | |", o.missConns, listP95)
	p("")
	p("## The listing matrix")
	p("")
	p("GET /v1/shortlinks, the first page (20 links), with an owner key of the workspace holding %d of the %d links seeded on the large side "+
		"(its share of each filter is counted in SQL, not assumed); %d clients in a loop, each waiting for its page before asking the next, "+
		"so the figures are a page's latency, not queueing; each filter %s unmeasured, then %s measured. api CPU: the api process's user+system time over the pages.",
		o.scaleLinks/10, o.scaleLinks, o.listClients, o.listDuration, o.listDuration)
	p("")
	w.WriteString(matrix)
	return w.String(), nil
}

// scaleRun is the load of one kind of request against side's api.
func (b *bench) scaleRun(kind string, side *scaleSide) func(context.Context, time.Duration) (measurement, error) {
	o, url, links := b.opts, side.api.url, side.stack.links
	switch kind {
	case "create":
		return b.createStep(side.creates.url)
	case "redirect":
		return b.redirectStep(url, side.codes)
	case "miss":
		return b.coldStep(url, links, 0, 1)
	case "list":
		return func(ctx context.Context, d time.Duration) (measurement, error) {
			return runWrk(ctx, o.createThreads, o.missConns, d, listLua, url, side.wsKey)
		}
	default: // stats
		return func(ctx context.Context, d time.Duration) (measurement, error) {
			return runWrk(ctx, o.createThreads, o.missConns, d, statsLua, url, strconv.Itoa(links), adminKey)
		}
	}
}

// ownerKey makes an owner key, through side's api with the admin key, of
// the workspace seedScaleSQL filled with a tenth of the seeded links, for
// the list step and the listing matrix.
func (b *bench) ownerKey(ctx context.Context, side *scaleSide) (string, error) {
	body := strings.NewReader(`{"name":"bench","role":"owner","workspace":"` + scaleWorkspace + `"}`)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, side.api.url+"/v1/keys", body)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+adminKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := apiClient(0, nil).Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var env struct {
		Data struct {
			Key string `json:"key"`
		} `json:"data"`
	}
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(raw, &env) != nil || env.Data.Key == "" {
		return "", fmt.Errorf("POST /v1/keys: status %d: %s", resp.StatusCode, raw)
	}
	return env.Data.Key, nil
}
