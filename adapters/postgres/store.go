// Package postgres is the durable store: links in a month-partitioned table,
// the code counter, partition upkeep and migrations, on sqlx and lib/pq.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/shortlink/shortlink/domain"
)

// liveWindowSlack widens the created_at bound of lookups beyond the longest
// lifetime, so clock skew between api instances never hides a live link.
const liveWindowSlack = 24 * time.Hour

// Options configure the connection pool.
type Options struct {
	URL          string
	MaxOpenConns int
	// MaxLinkLifetime is the longest a link can live (MAX_TTL): lookups only
	// search partitions created within it, so the planner prunes the rest.
	MaxLinkLifetime time.Duration
	// Timeout, when positive, fails a network read or write that blocks this
	// long, so a Postgres that stops answering cannot hang a request (see
	// ioTimeoutDialer), and bounds FindLive as a whole, since the redirect
	// path sets no deadline of its own. The api sets REQUEST_TIMEOUT; tools
	// that run long statements leave it zero.
	Timeout time.Duration
	// InsertWorkers is how many batches of inserts may be in flight at once
	// (see insertBatcher); default 1, which makes the largest batches.
	InsertWorkers int
}

// findLiveQuery finds the newest live link of a code. The lower bound on
// created_at lets the planner skip every partition too old to hold a live
// link, at execution time too, where the plan is generic.
const findLiveQuery = `
	SELECT url, created_at, expires_at FROM short_link
	WHERE code = $1 AND created_at >= $2 AND expires_at > $3
	ORDER BY created_at DESC LIMIT 1`

// Store implements ports.LinkStore and ports.CodeCounter.
type LinkStore struct {
	db         *sqlx.DB
	liveWindow time.Duration
	timeout    time.Duration
	insertStmt lazyStmt
	findStmt   lazyStmt
	inserts    *insertBatcher
}

// Open returns a Store without connecting: the api starts, and reports
// itself unready, while Postgres is down.
func Open(opts Options) (*LinkStore, error) {
	connector, err := pq.NewConnector(opts.URL)
	if err != nil {
		return nil, err
	}
	if opts.Timeout > 0 {
		connector.Dialer(ioTimeoutDialer{timeout: opts.Timeout})
	}
	db := sqlx.NewDb(sql.OpenDB(connector), "postgres")
	db.SetMaxOpenConns(opts.MaxOpenConns)
	db.SetMaxIdleConns(opts.MaxOpenConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &LinkStore{db: db, liveWindow: opts.MaxLinkLifetime + liveWindowSlack, timeout: opts.Timeout}
	s.insertStmt = lazyStmt{db: db, query: `SELECT insert_short_links($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5)`}
	s.findStmt = lazyStmt{db: db, query: findLiveQuery}
	workers := opts.InsertWorkers
	if workers <= 0 {
		workers = 1
	}
	s.inserts = newInsertBatcher(s, workers)
	return s, nil
}

// Collector reports the connection pool's statistics as Prometheus metrics.
func (s *LinkStore) Collector() prometheus.Collector {
	return collectors.NewDBStatsCollector(s.db.DB, "shortlink")
}

// Close stops taking inserts and closes the pool.
func (s *LinkStore) Close() error {
	s.inserts.stop()
	return s.db.Close()
}

// Ping checks that Postgres answers.
func (s *LinkStore) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return translate("ping", err)
	}
	return nil
}

// Insert implements ports.LinkStore. Concurrent inserts are stored in
// batches, each batch one statement and one commit; a nil error still means
// this link is committed.
func (s *LinkStore) Insert(ctx context.Context, link domain.ShortLink) error {
	return s.inserts.insert(ctx, link)
}

// FindLive implements ports.LinkStore.
func (s *LinkStore) FindLive(ctx context.Context, code domain.Code, now time.Time) (domain.ShortLink, error) {
	if s.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.timeout)
		defer cancel()
	}
	return await(ctx, "find link", func() (domain.ShortLink, error) {
		stmt, err := s.findStmt.get(ctx)
		if err != nil {
			return domain.ShortLink{}, translate("prepare find", err)
		}
		var (
			url                  string
			createdAt, expiresAt time.Time
		)
		err = stmt.QueryRowContext(ctx, string(code), now.Add(-s.liveWindow), now).Scan(&url, &createdAt, &expiresAt)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.ShortLink{}, domain.ErrNotFound
		}
		if err != nil {
			return domain.ShortLink{}, translate("find link", err)
		}
		return domain.RestoreShortLink(code, url, createdAt, expiresAt), nil
	})
}

// Reserve implements ports.CodeCounter.
func (s *LinkStore) Reserve(ctx context.Context, n int) (uint64, error) {
	return await(ctx, "reserve counter block", func() (uint64, error) {
		var first int64
		err := s.db.QueryRowContext(ctx,
			`UPDATE code_counter SET next_value = next_value + $1 RETURNING next_value - $1`, n).Scan(&first)
		if err != nil {
			return 0, translate("reserve counter block", err)
		}
		return uint64(first), nil
	})
}
