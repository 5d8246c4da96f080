package main

import "time"

// profile is the shape and the thresholds of one run.
type profile struct {
	VUs         int
	Duration    time.Duration
	RampUp      time.Duration
	MaxFailRate float64
	P95         time.Duration
}

// profiles holds the defaults per scenario and mode; flags override them.
var profiles = map[string]map[string]profile{
	"create": {
		"load":   {VUs: 20, Duration: 30 * time.Second, RampUp: 5 * time.Second, MaxFailRate: 0.01, P95: 500 * time.Millisecond},
		"stress": {VUs: 100, Duration: 60 * time.Second, RampUp: 20 * time.Second, MaxFailRate: 0.05, P95: 2 * time.Second},
	},
	"redirect": {
		"load":   {VUs: 300, Duration: 60 * time.Second, RampUp: 10 * time.Second, MaxFailRate: 0.01, P95: 200 * time.Millisecond},
		"stress": {VUs: 1000, Duration: 90 * time.Second, RampUp: 30 * time.Second, MaxFailRate: 0.05, P95: time.Second},
	},
	"mixed": {
		"load": {VUs: 16, Duration: 60 * time.Second, RampUp: 5 * time.Second, MaxFailRate: 0.001, P95: 200 * time.Millisecond},
		"soak": {VUs: 16, Duration: 5 * time.Minute, RampUp: 5 * time.Second, MaxFailRate: 0.001, P95: 200 * time.Millisecond},
	},
}

// mixedCreateShare is the share of creates in the mixed scenario; the rest
// are redirects to links created so far.
const mixedCreateShare = 0.2

// holds reports whether a run of n requests, failRate of them failed, with
// the 95th percentile latency p95, keeps every threshold of p.
func (p profile) holds(n int, failRate float64, p95 time.Duration) bool {
	return n > 0 && failRate < p.MaxFailRate && p95 < p.P95
}
