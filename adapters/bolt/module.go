package bolt

import (
	"log/slog"
	"time"

	"go.uber.org/fx"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// Options configure the embedded store.
type Options struct {
	// Dir is the data directory (DATA_DIR), created when missing.
	Dir string
	// Retention is what is kept of links that ended and of visit counters
	// (VISIT_RETENTION).
	Retention domain.Retention
	// Quarantine is the claim links migrated from a first-release file
	// keep on their codes after they expire (CODE_QUARANTINE).
	Quarantine domain.CodeQuarantine
}

// sweepInterval is how often the running app applies retention.
const sweepInterval = time.Hour

// Module provides the embedded Store in Options.Dir as the link store,
// the code counter, the code secret store and the visit store, contributes
// its readiness check, holds its file lock for the app's lifetime and
// applies retention hourly by the app's clock.
var Module = fx.Module("bolt",
	fx.Provide(
		func(lc fx.Lifecycle, opts Options, clock ports.Clock, log *slog.Logger) (*Store, error) {
			s, err := OpenDir(opts.Dir, opts.Quarantine)
			if err != nil {
				return nil, err
			}
			// Debug: the api's first words in embedded mode name the file (cmd/wiring's greeting).
			log.Debug("embedded store: links are kept in "+s.Path(), "path", s.Path())
			// Stop hooks run in reverse: the sweeper stops before the file closes.
			lc.Append(fx.StopHook(s.Close))
			w := &sweeper{store: s, interval: sweepInterval, retention: opts.Retention, clock: clock, log: log}
			lc.Append(fx.StartStopHook(w.start, w.stop))
			return s, nil
		},
		func(s *Store) ports.LinkStore { return s },
		func(s *Store) ports.CodeCounter { return s },
		func(s *Store) ports.CodeSecretStore { return s },
		func(s *Store) ports.VisitStore { return s },
		func(s *Store) ports.KeyStore { return s },
		func(s *Store) ports.KeyUsage { return s },
		func(s *Store) ports.LinkLister { return s },
		func(s *Store) ports.WorkspaceVisitReader { return s },
		func(s *Store) ports.VisitTotals { return s },
		func(s *Store) ports.AuditLog { return s },
		func(s *Store) ports.DomainStore { return s },
		fx.Annotate((*Store).ReadinessCheck, fx.ResultTags(`group:"readiness"`)),
	),
)
