package app

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// featureRecheck is how long a gate that found the contract step not run
// trusts that answer before it asks the store again: how long after
// `migrate contract` a task may still refuse a gated feature.
const featureRecheck = 5 * time.Second

// FeatureGate keeps back, until the operator has run the deploy's contract
// step, the features whose rows the previous release would serve wrongly
// (password-protected links; later, redirect rules and domains): during a
// rolling deploy an old task would redirect such a link to its target. The
// step, once run, stays run, so an open gate never asks again; a closed
// one asks the store at most every featureRecheck. Without ReleaseSteps
// (embedded mode: one process, no previous release beside it) it is open.
type FeatureGate struct {
	steps   ports.ReleaseSteps
	clock   ports.Clock
	open    atomic.Bool
	askedAt atomic.Int64 // unix ns of the last "not yet"; 0: never asked
}

// NewFeatureGate returns the gate over steps; nil steps: always open.
func NewFeatureGate(steps ports.ReleaseSteps, clock ports.Clock) *FeatureGate {
	g := &FeatureGate{steps: steps, clock: clock}
	g.open.Store(steps == nil)
	return g
}

// Require returns nil when gated features may be used, else
// domain.ErrFeatureNotEnabled (or, when the store cannot say,
// domain.ErrUnavailable).
func (g *FeatureGate) Require(ctx context.Context) error {
	if g == nil || g.open.Load() {
		return nil
	}
	now := g.clock.Now().UnixNano()
	if at := g.askedAt.Load(); at != 0 && now-at < int64(featureRecheck) {
		return domain.ErrFeatureNotEnabled
	}
	ran, err := g.steps.Contracted(ctx)
	if err != nil {
		return fmt.Errorf("feature gate: %w", err)
	}
	if ran {
		g.open.Store(true)
		return nil
	}
	g.askedAt.Store(now)
	return domain.ErrFeatureNotEnabled
}
