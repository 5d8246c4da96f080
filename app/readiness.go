package app

import (
	"context"
	"sync"
	"time"

	"github.com/shortlink/shortlink/ports"
)

// readinessTimeout bounds each dependency's ping in /v1/ready.
const readinessTimeout = time.Second

// Readiness reports which dependencies are down.
type Readiness struct {
	checks  []ports.DependencyCheck
	timeout time.Duration
}

// NewReadiness returns a readiness check over checks, each given timeout.
func NewReadiness(timeout time.Duration, checks ...ports.DependencyCheck) *Readiness {
	return &Readiness{checks: checks, timeout: timeout}
}

// Down pings every dependency at once and returns the names of those that
// did not answer in time, in the order they were given. It returns when the
// timeout ends even if a ping ignores its context: a hung dependency is down.
func (r *Readiness) Down(ctx context.Context) []string {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	var (
		mu       sync.Mutex
		answered = make([]bool, len(r.checks))
		left     sync.WaitGroup
	)
	for i, check := range r.checks {
		left.Go(func() {
			if check.Ping(ctx) == nil {
				mu.Lock()
				answered[i] = true
				mu.Unlock()
			}
		})
	}
	allDone := make(chan struct{})
	go func() { left.Wait(); close(allDone) }()
	select {
	case <-allDone:
	case <-ctx.Done():
	}
	mu.Lock()
	defer mu.Unlock()
	var down []string
	for i, check := range r.checks {
		if !answered[i] {
			down = append(down, check.Name)
		}
	}
	return down
}
