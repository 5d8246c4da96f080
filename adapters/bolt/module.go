package bolt

import (
	"log/slog"
	"time"

	"go.uber.org/fx"

	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/ports"
)

// sweepInterval is how often the running app deletes expired links.
const sweepInterval = time.Hour

// Module provides the embedded Store in DATA_DIR (created when missing) as
// the link store and the code counter, holds its file lock for the app's
// lifetime and sweeps expired links hourly.
var Module = fx.Module("bolt",
	fx.Provide(
		func(lc fx.Lifecycle, cfg config.Config, log *slog.Logger) (*Store, error) {
			s, err := OpenDir(cfg.DataDir)
			if err != nil {
				return nil, err
			}
			log.Info("embedded store: links are kept in "+s.Path(), "path", s.Path())
			// Stop hooks run in reverse: the sweeper stops before the file closes.
			lc.Append(fx.StopHook(s.Close))
			w := &sweeper{store: s, interval: sweepInterval, log: log}
			lc.Append(fx.StartStopHook(w.start, w.stop))
			return s, nil
		},
		func(s *Store) ports.LinkStore { return s },
		func(s *Store) ports.CodeCounter { return s },
	),
)
