package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"time"
)

// outcome is the result of one request.
type outcome struct {
	latency time.Duration
	status  int    // 0 when no response arrived
	failure string // empty when the request passed every check
}

// stats is what one VU gathered; merged at the end.
type stats struct {
	latencies []time.Duration
	statuses  map[int]int
	failures  map[string]int
}

func newStats() *stats {
	return &stats{statuses: map[int]int{}, failures: map[string]int{}}
}

func (s *stats) add(o outcome) {
	s.latencies = append(s.latencies, o.latency)
	s.statuses[o.status]++
	if o.failure != "" {
		s.failures[o.failure]++
	}
}

func (s *stats) merge(o *stats) {
	s.latencies = append(s.latencies, o.latencies...)
	for k, v := range o.statuses {
		s.statuses[k] += v
	}
	for k, v := range o.failures {
		s.failures[k] += v
	}
}

// run executes one test: setup, VUs with ramp-up until the duration ends
// (or ctx is cancelled), then the summary.
func run(ctx context.Context, cfg config, out io.Writer) (summary, error) {
	if !cfg.AllowRemote {
		if err := checkLoopback(ctx, cfg.Target); err != nil {
			return summary{}, err
		}
	}
	client := newClient(cfg)
	defer client.CloseIdleConnections()

	var links []link
	if cfg.Scenario != "create" {
		fmt.Fprintf(out, "setup: creating %d links at %s\n", cfg.Seed, cfg.Target)
		var err error
		sctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		links, err = seed(sctx, client, cfg, cfg.Seed)
		cancel()
		if err != nil {
			return summary{}, err
		}
	}

	p := cfg.Profile
	fmt.Fprintf(out, "running %s (%s): %d VUs for %v, ramp-up %v, against %s\n",
		cfg.Scenario, cfg.Mode, p.VUs, p.Duration, p.RampUp, cfg.Target)

	rctx, cancel := context.WithTimeout(ctx, p.Duration)
	defer cancel()
	targets := &linkSet{links: links}
	var memory *rssSampler
	if cfg.PID > 0 {
		memory = sampleRSS(rctx, cfg.PID)
	}
	results := make([]*stats, p.VUs)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range p.VUs {
		st := newStats()
		results[i] = st
		delay := time.Duration(int64(p.RampUp) * int64(i) / int64(p.VUs))
		wg.Go(func() {
			if !sleep(rctx, delay) {
				return
			}
			for rctx.Err() == nil {
				var o outcome
				switch {
				case cfg.Scenario == "create":
					o, _ = create(rctx, client, cfg)
				case cfg.Scenario == "mixed" && rand.Float64() < mixedCreateShare:
					var l link
					if o, l = create(rctx, client, cfg); o.failure == "" {
						targets.add(l)
					}
				default:
					o = redirect(rctx, client, cfg, targets.pick())
				}
				if rctx.Err() != nil && o.failure != "" {
					break // cut short by the end of the run: not a failure
				}
				st.add(o)
				if cfg.Think > 0 && !sleep(rctx, cfg.Think) {
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)

	all := newStats()
	for _, st := range results {
		all.merge(st)
	}
	sum := summarize(cfg, all, elapsed)
	if memory != nil {
		sum.Memory = memory.result()
	}
	return sum, nil
}

// linkSet is the pool of redirect targets, which the mixed scenario grows.
type linkSet struct {
	mu    sync.Mutex
	links []link
}

func (s *linkSet) add(l link) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.links = append(s.links, l)
}

func (s *linkSet) pick() link {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.links[rand.IntN(len(s.links))]
}

// sleep waits d or until ctx ends; it reports whether the full d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
