package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/shortlink/shortlink/ports"
)

const (
	// changeChannel is what the change_log trigger notifies.
	changeChannel = "shortlink_changes"
	// gapWait is how long a skipped change id is looked for. Ids are handed
	// out when a change is made, not when it commits, so a read may see id
	// 11 before the transaction holding 10 commits; 10 is read again until
	// it shows up or gapWait has passed (a rolled-back transaction leaves
	// its id unused for good). It is far longer than a change may take
	// (Options.Timeout bounds one).
	gapWait = time.Minute
	// maxGaps bounds the skipped ids looked for at once.
	maxGaps = 4096
	// listenerPing is how often the listening connection is pinged, so a
	// connection that died silently is noticed and replaced; its reads time
	// out after listenerIdle without a byte.
	listenerPing = 15 * time.Second
	listenerIdle = 3 * listenerPing
)

// ChangeFeed implements ports.ChangeFeed on the change_log table, which a
// trigger on short_link fills in the transaction of every change, whoever
// makes it. Reads use a connection of their own, so a busy pool never
// delays one; a second connection LISTENs for the trigger's
// notifications, which only wake the reader early (Wake).
type ChangeFeed struct {
	db       *sqlx.DB
	listener *pq.Listener
	wake     chan struct{}
	stop     chan struct{}
	done     chan struct{}
	// listening is set once the first LISTEN has been acknowledged.
	listening atomic.Bool

	// The cursor, which one follower moves: after Rewind, the first read
	// starts at since; from then on, after last, and the skipped ids.
	rewound bool
	since   time.Time
	last    int64
	gaps    map[int64]time.Time // skipped id → when first skipped
}

var _ ports.ChangeFeed = (*ChangeFeed)(nil)

// NewChangeFeed returns a feed of the changes of the database opts names,
// and starts listening in the background (Close stops it): it neither
// blocks nor fails while Postgres is down. A feed starts at the beginning
// of the log; followers Rewind it first.
func NewChangeFeed(opts Options) (*ChangeFeed, error) {
	dsn, err := withApplicationName(opts.URL, "shortlink change feed")
	if err != nil {
		return nil, err
	}
	listenDSN, err := withApplicationName(opts.URL, "shortlink change listener")
	if err != nil {
		return nil, err
	}
	connector, err := pq.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	if opts.Timeout > 0 {
		connector.Dialer(ioTimeoutDialer{timeout: opts.Timeout})
	}
	db := sqlx.NewDb(sql.OpenDB(connector), "postgres")
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	f := &ChangeFeed{
		db:       db,
		listener: pq.NewDialListener(ioTimeoutDialer{timeout: listenerIdle}, listenDSN, 100*time.Millisecond, 5*time.Second, nil),
		wake:     make(chan struct{}, 1),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
		gaps:     map[int64]time.Time{},
	}
	go f.listen()
	return f, nil
}

// withApplicationName names the connections of dsn (a postgres:// URL) in
// pg_stat_activity, unless it names them already.
func withApplicationName(dsn, name string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("database URL: %w", err)
	}
	q := u.Query()
	if q.Get("application_name") == "" {
		q.Set("application_name", name)
		u.RawQuery = q.Encode()
	}
	return u.String(), nil
}

// listen turns the listener's notifications (and its reconnections, when
// some may have been lost) into wake-ups, and pings its connection.
func (f *ChangeFeed) listen() {
	defer close(f.done)
	listening := make(chan error, 1)
	go func() { listening <- f.listener.Listen(changeChannel) }() // blocks until connected
	ping := time.NewTicker(listenerPing)
	defer ping.Stop()
	for {
		select {
		case <-f.stop:
			return
		case err := <-listening:
			f.listening.Store(err == nil)
		case <-ping.C:
			_ = f.listener.Ping() // a dead connection is dropped and redialled
		case _, ok := <-f.listener.Notify:
			if !ok {
				return
			}
			select {
			case f.wake <- struct{}{}:
			default:
			}
		}
	}
}

// Close stops listening and closes the feed's connections.
func (f *ChangeFeed) Close() error {
	close(f.stop)
	_ = f.listener.Close()
	<-f.done
	return f.db.Close()
}

// Wake implements ports.ChangeFeed.
func (f *ChangeFeed) Wake() <-chan struct{} { return f.wake }

// Rewind implements ports.ChangeFeed.
func (f *ChangeFeed) Rewind(since time.Time) {
	f.rewound, f.since = true, since
}

// Changes implements ports.ChangeFeed: the rows after the last one read,
// and the skipped ids still awaited. The cursor moves only once a read
// has succeeded whole.
func (f *ChangeFeed) Changes(ctx context.Context, now time.Time, limit int) ([]ports.Change, error) {
	if f.rewound {
		var base int64
		if err := f.db.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM change_log WHERE changed_at < $1`, f.since).Scan(&base); err != nil {
			return nil, translate("rewind change feed", err)
		}
		f.rewound, f.last = false, base
		clear(f.gaps)
	}
	awaited := make(pq.Int64Array, 0, len(f.gaps))
	for id, skipped := range f.gaps {
		if now.Sub(skipped) > gapWait {
			delete(f.gaps, id)
			continue
		}
		awaited = append(awaited, id)
	}
	var rows []struct {
		ID       int64  `db:"id"`
		Kind     string `db:"kind"`
		Key      string `db:"key"`
		EntityID int64  `db:"entity_id"`
		Version  int64  `db:"version"`
	}
	if err := f.db.SelectContext(ctx, &rows, `
		SELECT id, kind, key, entity_id, version FROM change_log
		WHERE id > $1 OR id = ANY($2) ORDER BY id LIMIT $3`, f.last, awaited, limit); err != nil {
		return nil, translate("read changes", err)
	}
	changes := make([]ports.Change, len(rows))
	for i, r := range rows {
		changes[i] = ports.Change{Kind: ports.ChangeKind(r.Kind), Key: r.Key, ID: r.EntityID, Version: r.Version}
		if _, ok := f.gaps[r.ID]; ok {
			delete(f.gaps, r.ID)
			continue
		}
		for skipped := f.last + 1; skipped < r.ID && len(f.gaps) < maxGaps; skipped++ {
			f.gaps[skipped] = now
		}
		f.last = max(f.last, r.ID)
	}
	return changes, nil
}

// Prune implements ports.ChangeFeed.
func (f *ChangeFeed) Prune(ctx context.Context, before time.Time) error {
	if _, err := f.db.ExecContext(ctx, `DELETE FROM change_log WHERE changed_at < $1`, before); err != nil {
		return translate("prune changes", err)
	}
	return nil
}
