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
}

// sweepInterval is how often the running app deletes expired links.
const sweepInterval = time.Hour

// Module provides the embedded LinkStore in Options.Dir as the link store
// and the code counter, holds its file lock for the app's lifetime and
// sweeps expired links hourly by the app's clock.
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
			w := &sweeper{store: s, interval: sweepInterval, clock: clock, log: log}
			lc.Append(fx.StartStopHook(w.start, w.stop))
			return s, nil
		},
		func(s *LinkStore) ports.LinkStore { return s },
		func(s *LinkStore) ports.CodeCounter { return s },
	),
)
