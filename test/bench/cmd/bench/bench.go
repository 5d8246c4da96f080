package main

import (
	"fmt"
	"slices"
	"time"
)

type bench struct {
	opts  options
	dir   string
	bin   string
	start time.Time

	procs []*proc // to stop, in reverse order

	// The apis of the default steps, all on one stack (database and Redis
	// pair). api and work run the defaults as a user runs them (access log
	// and visit counting on): api serves only cached redirects, as its
	// twins quiet (LOG_REQUESTS=false) and novisits (also no counting) do,
	// so the three compare like with like; work takes the creates and the
	// misses, which fill its cache. bigCache has LOCAL_CACHE_BYTES=128MiB
	// (the Zipf step). dims is the defaults with VISIT_DIMENSIONS=true
	// (2V): what counting every dimension costs a cached redirect while the
	// default leaves them off (were it on, 2V would equal 2).
	api, work, quiet, novisits, bigCache, dims *server
	bare, nginx                                *server
	stack                                      *stack
	codes                                      string // file of the codes seeded through the api, one a line
	rulesCodes                                 string // the same of links with three redirect rules

	loadStart, loadEnd string // 1-minute load averages

	steps   []step
	rounds  []map[string]measurement
	zipf    []zipfResult
	soaks   []soakResult
	goBench []*goBenchResult
	// bulk is the bulk comparison's runs, made through bulkVia.
	bulk    []bulkResult
	bulkVia string
	notes   []string // what the report must warn of
	final   finalChecks
	version map[string]string
}

// server is a started process and the base URL it answers on.
type server struct {
	*proc
	url string
}

type finalChecks struct {
	rows          int64
	duplicates    int64
	creates201    int64 // 201s the apis counted
	serverErrors  int64 // answers ≥ 400 the apis counted
	errorSeries   []string
	metrics       map[string]map[string]string
	visitsCounted int64 // visits in Postgres
	// Visits in Postgres before the soak, and how many of them the
	// user-agent detector called bots'.
	mixVisits, mixBots int64
}

// apis lists the apis started, for their metrics.
func (b *bench) apis() []*server {
	var out []*server
	for _, a := range []*server{b.api, b.work, b.quiet, b.novisits, b.bigCache, b.dims} {
		if a != nil {
			out = append(out, a)
		}
	}
	return out
}

// note logs a warning and keeps it for the report, once.
func (b *bench) note(s string) {
	b.logf("note: %s", s)
	if !slices.Contains(b.notes, s) {
		b.notes = append(b.notes, s)
	}
}

func (b *bench) logf(format string, args ...any) {
	fmt.Printf("[%5.1fs] "+format+"\n", append([]any{time.Since(b.start).Seconds()}, args...)...)
}
