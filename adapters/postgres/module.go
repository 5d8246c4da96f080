package postgres

import (
	"go.uber.org/fx"

	"github.com/shortlink/shortlink/ports"
)

// Module provides the Store, opened with the Options the application
// supplies, as the link store, the code counter, the code secret store,
// the cache outbox and the visit store, and contributes its readiness
// check and its connection pool's metrics.
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
		func(s *Store) ports.KeyStore { return s },
		func(s *Store) ports.KeyUsage { return s },
		func(s *Store) ports.LinkLister { return s },
		func(s *Store) ports.WorkspaceVisitReader { return s },
		func(s *Store) ports.VisitTotals { return s },
		func(s *Store) ports.AuditLog { return s },
		func(s *Store) ports.DomainStore { return s },
		func(s *Store) ports.ReleaseSteps { return s },
		fx.Annotate((*Store).ReadinessCheck, fx.ResultTags(`group:"readiness"`)),
		fx.Annotate((*Store).Collector, fx.ResultTags(`group:"collectors"`)),
	),
)

// ChangeFeedModule provides the ChangeFeed of the database the Options
// name, as the ports.ChangeFeed: for the api, whose replicas follow each
// other's changes; the batch and the tools need none.
var ChangeFeedModule = fx.Module("postgres-changes",
	fx.Provide(
		func(lc fx.Lifecycle, opts Options) (*ChangeFeed, error) {
			f, err := NewChangeFeed(opts)
			if err != nil {
				return nil, err
			}
			lc.Append(fx.StopHook(f.Close))
			return f, nil
		},
		func(f *ChangeFeed) ports.ChangeFeed { return f },
	),
)
