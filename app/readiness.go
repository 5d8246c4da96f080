package app

import (
	"context"
	"sync"
	"time"
)

// DependencyCheck pings one dependency the service needs to be ready.
type DependencyCheck struct {
	Name string
	Ping func(ctx context.Context) error
}

// Readiness reports which dependencies are down.
type Readiness struct {
	checks  []DependencyCheck
	timeout time.Duration
}

// NewReadiness returns a readiness check over checks, each given timeout.
func NewReadiness(timeout time.Duration, checks ...DependencyCheck) *Readiness {
	return &Readiness{checks: checks, timeout: timeout}
}

// Down pings every dependency at once and returns the names of those that
// did not answer in time, in the order they were given.
func (r *Readiness) Down(ctx context.Context) []string {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	failed := make([]bool, len(r.checks))
	var wg sync.WaitGroup
	for i, check := range r.checks {
		wg.Go(func() { failed[i] = check.Ping(ctx) != nil })
	}
	wg.Wait()
	var down []string
	for i, check := range r.checks {
		if failed[i] {
			down = append(down, check.Name)
		}
	}
	return down
}
