package postgres

import (
	"go.uber.org/fx"

	"github.com/shortlink/shortlink/ports"
)

// Module provides the Store, opened with the Options the application
// supplies, as the link store, the code counter, the code secret store and
// the cache outbox and the visit store.
var Module = fx.Module("postgres",
	fx.Provide(
		func(lc fx.Lifecycle, opts Options) (*Store, error) {
			s, err := Open(opts)
			if err != nil {
				return nil, err
			}
			lc.Append(fx.StopHook(s.Close))
			return s, nil
		},
		func(s *Store) ports.LinkStore { return s },
		func(s *Store) ports.CodeCounter { return s },
		func(s *Store) ports.CodeSecretStore { return s },
		func(s *Store) ports.CacheOutbox { return s },
		func(s *Store) ports.VisitStore { return s },
	),
)
