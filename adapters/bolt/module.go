package bolt

import (
	"log/slog"
	"time"

	"go.uber.org/fx"

	"github.com/shortlink/shortlink/ports"
)

// Options configure the embedded store.
type Options struct {
	// Dir is the data directory (DATA_DIR), created when missing.
	Dir string
	// Retention is how long links (and their statistics) are kept after
	// their creation: MAX_TTL and a day, as Postgres keeps partitions.
	Retention time.Duration
}

// sweepInterval is how often the running app applies retention.
const sweepInterval = time.Hour

// Module provides the embedded LinkStore in Options.Dir as the link store,
// the code counter, the code secret store and the visit store, holds its
// file lock for the app's lifetime and applies retention hourly by the
// app's clock.
var Module = fx.Module("bolt",
	fx.Provide(
		func(lc fx.Lifecycle, opts Options, clock ports.Clock, log *slog.Logger) (*LinkStore, error) {
			s, err := OpenDir(opts.Dir)
			if err != nil {
				return nil, err
			}
			log.Info("embedded store: links are kept in "+s.Path(), "path", s.Path())
			// Stop hooks run in reverse: the sweeper stops before the file closes.
			lc.Append(fx.StopHook(s.Close))
			w := &sweeper{store: s, interval: sweepInterval, retention: opts.Retention, clock: clock, log: log}
			lc.Append(fx.StartStopHook(w.start, w.stop))
			return s, nil
		},
		func(s *LinkStore) ports.LinkStore { return s },
		func(s *LinkStore) ports.CodeCounter { return s },
		func(s *LinkStore) ports.CodeSecretStore { return s },
		func(s *LinkStore) ports.VisitStore { return s },
	),
)
