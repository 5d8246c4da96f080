package app

import (
	"log/slog"

	"go.uber.org/fx"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// Options are the use cases' settings; cmd maps the configuration to them.
type Options struct {
	URLs       domain.URLPolicy
	Expiry     domain.ExpiryPolicy
	CodeSecret string
	// PoolTakeBatch is how many codes a refill of the code buffer takes.
	PoolTakeBatch int
	// PoolTarget and PoolLowWater drive the batch's PoolFiller.
	PoolTarget, PoolLowWater int64
}

// Module provides the use cases from Options and the ports. A
// ports.CodePool is optional: without one, creates mint codes from the
// counter directly.
var Module = fx.Module("app",
	fx.Provide(
		func() ports.Clock { return SystemClock{} },
		func(opts Options) (*domain.CodeGenerator, error) { return domain.NewCodeGenerator(opts.CodeSecret) },
		newCodeSupplyFx,
		func(opts Options, store ports.LinkStore, cache ports.LinkCache, codes *CodeSupply, clock ports.Clock, log *slog.Logger) *Creator {
			return NewCreator(store, cache, codes, clock, opts.URLs, opts.Expiry, log)
		},
		NewResolver,
		func(opts Options, pool ports.CodePool, counter ports.CodeCounter, gen *domain.CodeGenerator) *PoolFiller {
			return NewPoolFiller(pool, counter, gen, opts.PoolTarget, opts.PoolLowWater, PoolFillChunk)
		},
	),
)

type codeSupplyParams struct {
	fx.In
	Opts    Options
	Pool    ports.CodePool `optional:"true"`
	Counter ports.CodeCounter
	Gen     *domain.CodeGenerator
	Log     *slog.Logger
}

func newCodeSupplyFx(p codeSupplyParams) *CodeSupply {
	return NewCodeSupply(p.Pool, p.Counter, p.Gen, p.Opts.PoolTakeBatch, p.Log)
}
