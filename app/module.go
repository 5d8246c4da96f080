package app

import (
	"log/slog"

	"go.uber.org/fx"

	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// Module provides the use cases. A ports.CodePool is optional: without one,
// creates mint codes from the counter directly.
var Module = fx.Module("app",
	fx.Provide(
		func() ports.Clock { return SystemClock{} },
		func(cfg config.Config) (*domain.CodeGenerator, error) { return domain.NewCodeGenerator(cfg.CodeSecret) },
		fx.Annotate(
			func(cfg config.Config, pool ports.CodePool, counter ports.CodeCounter, gen *domain.CodeGenerator, log *slog.Logger) *CodeSupply {
				return NewCodeSupply(pool, counter, gen, cfg.PoolTakeBatch, log)
			},
			fx.ParamTags(``, `optional:"true"`),
		),
		func(cfg config.Config, store ports.LinkStore, cache ports.LinkCache, codes *CodeSupply, clock ports.Clock, log *slog.Logger) *Creator {
			return NewCreator(store, cache, codes, clock, cfg.URLPolicy(), cfg.ExpiryPolicy(), log)
		},
		NewResolver,
		func(cfg config.Config, pool ports.CodePool, counter ports.CodeCounter, gen *domain.CodeGenerator) *PoolFiller {
			return NewPoolFiller(pool, counter, gen, cfg.PoolTarget, cfg.PoolLowWater, poolFillChunk)
		},
	),
)

// poolFillChunk is how many codes the batch mints per counter reservation.
const poolFillChunk = 10_000
