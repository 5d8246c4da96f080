package main

import (
	"fmt"
	"time"
)

type bench struct {
	opts  options
	dir   string
	start time.Time

	procs    []*proc // to stop, in reverse order
	api      *proc
	apiLog   *proc
	apiV     *proc // step 2V: visit counting on
	apiN     *proc // step 2N: its twin with counting off
	bare     *proc
	nginx    *proc
	apiURL   string
	apiLURL  string
	apiVURL  string
	apiNURL  string
	nginxURL string
	bareURL  string
	dbURL    string
	codes    string // file of seeded codes, one a line

	loadStart, loadEnd string // 1-minute load averages

	steps   []step
	rounds  []map[string]measurement
	topUp   []measurement
	final   finalChecks
	version map[string]string
}

type finalChecks struct {
	redirectsServed int64 // 302s the main api counted (/metrics)
	rssKiB, hwmKiB  int64
	rows            int64
	duplicates      int64
	creates201      int64 // 201s both apis counted
	serverErrors    int64 // answers ≥ 400 both apis counted
	errorSeries     []string
	metrics         map[string]map[string]string
	visitsCounted   int64 // visits in Postgres, all from step 2V
}

func (b *bench) logf(format string, args ...any) {
	fmt.Printf("[%5.1fs] "+format+"\n", append([]any{time.Since(b.start).Seconds()}, args...)...)
}
