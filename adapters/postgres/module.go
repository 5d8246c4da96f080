package postgres

import (
	"go.uber.org/fx"

	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/ports"
)

// Module provides the Store as the link store and the code counter.
var Module = fx.Module("postgres",
	fx.Provide(
		func(lc fx.Lifecycle, cfg config.Config) (*Store, error) {
			s, err := Open(Options{URL: cfg.DatabaseURL, MaxOpenConns: cfg.DBMaxOpenConns, MaxLinkLifetime: cfg.MaxTTL,
				Timeout: cfg.RequestTimeout, InsertWorkers: cfg.DBInsertWorkers})
			if err != nil {
				return nil, err
			}
			lc.Append(fx.StopHook(s.Close))
			return s, nil
		},
		func(s *Store) ports.LinkStore { return s },
		func(s *Store) ports.CodeCounter { return s },
	),
)
