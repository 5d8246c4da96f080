// Package postgres is the durable store: links in a month-partitioned table,
// the code counter, partition upkeep and migrations, on sqlx and lib/pq.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// Options configure the connection pool.
type Options struct {
	URL          string
	MaxOpenConns int
	// Timeout, when positive, fails a network read or write that blocks this
	// long, so a Postgres that stops answering cannot hang a request (see
	// ioTimeoutDialer), and bounds each call as a whole, since the redirect
	// path sets no deadline of its own. The api sets REQUEST_TIMEOUT; tools
	// that run long statements leave it zero.
	Timeout time.Duration
	// InsertWorkers is how many batches of inserts may be in flight at once
	// (see insertBatcher), at least one (DB_INSERT_WORKERS).
	InsertWorkers int
	// LookupWorkers is how many batches of lookups may be in flight at once
	// (see lookupBatcher), at least one (DB_LOOKUP_WORKERS).
	LookupWorkers int
}

// linkColumns are what a link is read back from, in scanLink's order.
const linkColumns = `id, url, created_at, expires_at, state, disabled_by_admin, token_digest, version, workspace_id, created_by_key, title, tags, forward_query, password_hash, rules, original_created_at`

// Store implements ports.LinkStore, ports.CodeCounter,
// ports.CodeSecretStore, ports.CacheOutbox and ports.VisitStore on one
// connection pool.
type Store struct {
	db         *sqlx.DB
	timeout    time.Duration
	insertStmt lazyStmt
	// insertFeaturesStmt stores a batch in which some link has features.
	insertFeaturesStmt lazyStmt
	// insertExtrasStmt stores a batch in which some link has redirect rules
	// or was imported with its source's date.
	insertExtrasStmt lazyStmt
	findStmt         lazyStmt
	inserts          *insertBatcher
	lookups          *lookupBatcher

	addVisitsStmt lazyStmt
}

// Open returns a Store without connecting: the api starts, and reports
// itself unready, while Postgres is down.
func Open(opts Options) (*Store, error) {
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
	s := &Store{db: db, timeout: opts.Timeout}
	s.insertStmt = lazyStmt{db: db, query: `SELECT claim_and_insert_links($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::bytea[], $6::timestamptz[], $7::text[], $8::text[], $9::text[], $10::text[])`}
	s.insertFeaturesStmt = lazyStmt{db: db, query: `SELECT claim_and_insert_links_with_features($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::bytea[], $6::timestamptz[], $7::text[], $8::text[], $9::text[], $10::text[], $11::boolean[], $12::text[])`}
	s.insertExtrasStmt = lazyStmt{db: db, query: `SELECT claim_and_insert_links_with_extras($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::bytea[], $6::timestamptz[], $7::text[], $8::text[], $9::text[], $10::text[], $11::boolean[], $12::text[], $13::jsonb[], $14::timestamptz[])`}
	s.findStmt = lazyStmt{db: db, query: findQuery}
	s.addVisitsStmt = lazyStmt{db: db, query: addVisitsQuery}
	s.inserts = newInsertBatcher(s, opts.InsertWorkers)
	s.lookups = newLookupBatcher(s, opts.LookupWorkers)
	return s, nil
}

// withTimeout bounds ctx by Options.Timeout, when set.
func (s *Store) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.timeout <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, s.timeout)
}

// Collector reports the connection pool's statistics as Prometheus metrics.
func (s *Store) Collector() prometheus.Collector {
	return collectors.NewDBStatsCollector(s.db.DB, "shortlink")
}

// Close stops taking inserts and closes the pool.
func (s *Store) Close() error {
	s.inserts.stop()
	s.lookups.stop()
	return s.db.Close()
}

// ReadinessCheck is Ping under the name /v1/ready reports.
func (s *Store) ReadinessCheck() ports.DependencyCheck {
	return ports.DependencyCheck{Name: "postgres", Ping: s.Ping}
}

// Ping checks that Postgres answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return translate("ping", err)
	}
	return nil
}

// Insert implements ports.LinkStore. Concurrent inserts are stored in
// batches, each batch one statement and one commit; a nil error still means
// this link is committed.
func (s *Store) Insert(ctx context.Context, link domain.ShortLink, codeFreeAfter time.Time) (domain.ShortLink, error) {
	return s.insert(ctx, link, codeFreeAfter)
}

// Find implements ports.LinkStore. Concurrent lookups share statements
// (lookupBatcher); a caller is answered within Options.Timeout whatever
// Postgres does.
func (s *Store) Find(ctx context.Context, code domain.Code, _ time.Time) (domain.ShortLink, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	return s.find(ctx, code)
}

// scanLink reads linkColumns of code's link from row, after any leading
// columns into lead.
func scanLink(code domain.Code, row interface{ Scan(...any) error }, lead ...any) (domain.ShortLink, error) {
	var (
		r                    = domain.LinkRecord{Code: code}
		state                int16
		digest               []byte
		workspace, key, name sql.NullString
		tags                 pq.StringArray
		password             sql.NullString
		rules                []byte
		original             sql.NullTime
	)
	if err := row.Scan(append(lead, &r.ID, &r.URL, &r.CreatedAt, &r.ExpiresAt, &state, &r.DisabledByAdmin, &digest, &r.Version,
		&workspace, &key, &name, &tags, &r.ForwardQuery, &password, &rules, &original)...); err != nil {
		return domain.ShortLink{}, err
	}
	if rules != nil {
		specs, err := domain.ParseRulesJSON(rules, "rules")
		if err != nil {
			return domain.ShortLink{}, fmt.Errorf("read the rules of link %s: %w", code, err)
		}
		r.Rules = domain.RestoreRules(specs)
	}
	r.Workspace, r.CreatedBy, r.Title = domain.WorkspaceID(workspace.String), domain.KeyID(key.String), name.String
	if len(tags) > 0 {
		r.Tags = tags
	}
	r.PasswordHash = password.String
	if original.Valid {
		r.OriginalCreatedAt = original.Time
	}
	r.State = domain.LinkState(state)
	copy(r.Owner[:], digest) // NULL for links made before owner tokens: the zero digest
	return domain.RestoreShortLink(r), nil
}

// Update implements ports.LinkStore in one transaction: the link's row is
// locked (FOR UPDATE) while change decides, so concurrent changes apply in
// one serial order; the claim follows the link, and an outbox row owes the
// cache an invalidation, committed with the change.
func (s *Store) Update(ctx context.Context, code domain.Code, now time.Time, change ports.LinkChange) (domain.ShortLink, error) {
	return s.UpdateAudited(ctx, code, now, change, nil)
}

// UpdateAudited implements ports.AuditedLinkStore: Update, with the audit
// entries inserted in its transaction.
func (s *Store) UpdateAudited(ctx context.Context, code domain.Code, now time.Time, change ports.LinkChange, audit ports.LinkAudit) (domain.ShortLink, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	var changeErr error
	next, err := await(ctx, "update link", func() (domain.ShortLink, error) {
		tx, err := s.db.BeginTxx(ctx, nil)
		if err != nil {
			return domain.ShortLink{}, translate("begin update", err)
		}
		defer tx.Rollback() //nolint:errcheck // a no-op after Commit
		var ord int64
		current, err := scanLink(code, tx.QueryRowContext(ctx, findQuery+` FOR UPDATE OF l`,
			pq.StringArray{string(code)}), &ord)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.ShortLink{}, domain.ErrNotFound
		}
		if err != nil {
			return domain.ShortLink{}, translate("lock link", err)
		}
		next, freeAfter, err := change(current)
		if err != nil {
			changeErr = err
			return domain.ShortLink{}, err
		}
		r := next.Record()
		var tags any // NULL: no tags
		if len(r.Tags) > 0 {
			tags = pq.StringArray(r.Tags)
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE short_link SET url = $3, expires_at = $4, state = $5, disabled_by_admin = $6, version = $7,
				title = nullif($8, ''), tags = $9, forward_query = $10, password_hash = $11, rules = $12
			WHERE code = $1 AND created_at = $2`,
			string(code), current.CreatedAt(), r.URL, r.ExpiresAt, int16(r.State), r.DisabledByAdmin, r.Version, r.Title, tags,
			r.ForwardQuery, sql.NullString{String: r.PasswordHash, Valid: r.PasswordHash != ""}, rulesColumn(r.Rules)); err != nil {
			return domain.ShortLink{}, translate("update link", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE code_claim SET free_after = $3 WHERE code = $1 AND domain = '' AND link_id = $2`,
			string(code), int64(r.ID), freeAfter); err != nil {
			return domain.ShortLink{}, translate("update claim", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO cache_outbox (code) VALUES ($1)`, string(code)); err != nil {
			return domain.ShortLink{}, translate("enqueue invalidation", err)
		}
		if audit != nil {
			for _, e := range audit(current, next) {
				if err := insertAudit(ctx, tx, e); err != nil {
					return domain.ShortLink{}, err
				}
			}
		}
		if err := tx.Commit(); err != nil {
			return domain.ShortLink{}, translate("commit update", err)
		}
		return next, nil
	})
	if changeErr != nil {
		return domain.ShortLink{}, changeErr
	}
	return next, err
}

// Drain implements ports.CacheOutbox. The rows it hands out stay locked
// (SKIP LOCKED: replicas draining at once take different rows) until
// invalidate has delivered them, and are deleted in the same transaction.
func (s *Store) Drain(ctx context.Context, before time.Time, limit int, invalidate func(codes []domain.Code) error) (int, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	return await(ctx, "drain cache outbox", func() (int, error) {
		tx, err := s.db.BeginTxx(ctx, nil)
		if err != nil {
			return 0, translate("begin drain", err)
		}
		defer tx.Rollback() //nolint:errcheck // a no-op after Commit
		var rows []struct {
			ID   int64  `db:"id"`
			Code string `db:"code"`
		}
		if err := tx.SelectContext(ctx, &rows, `
			SELECT id, code FROM cache_outbox WHERE enqueued_at < $1
			ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`, before, limit); err != nil {
			return 0, translate("read cache outbox", err)
		}
		if len(rows) == 0 {
			return 0, nil
		}
		codes := make([]domain.Code, 0, len(rows))
		ids := make(pq.Int64Array, 0, len(rows))
		seen := map[string]bool{}
		for _, r := range rows {
			ids = append(ids, r.ID)
			if !seen[r.Code] {
				seen[r.Code] = true
				codes = append(codes, domain.Code(r.Code))
			}
		}
		if err := invalidate(codes); err != nil {
			return 0, fmt.Errorf("invalidate: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM cache_outbox WHERE id = ANY($1)`, ids); err != nil {
			return 0, translate("clear cache outbox", err)
		}
		if err := tx.Commit(); err != nil {
			return 0, translate("commit drain", err)
		}
		return len(rows), nil
	})
}

// LoadOrCreate implements ports.CodeSecretStore: insert if absent, then
// read back, so replicas starting together agree on one secret.
func (s *Store) LoadOrCreate(ctx context.Context, candidate domain.SecretRecord) (domain.SecretRecord, error) {
	return await(ctx, "load code secret", func() (domain.SecretRecord, error) {
		var held struct {
			Secret      sql.NullString `db:"secret"`
			Fingerprint string         `db:"fingerprint"`
		}
		query := func() error {
			return s.db.GetContext(ctx, &held, `
			WITH ins AS (
				INSERT INTO code_secret (secret, fingerprint) VALUES (NULLIF($1, ''), $2)
				ON CONFLICT (singleton) DO NOTHING RETURNING secret, fingerprint)
			SELECT secret, fingerprint FROM ins
			UNION ALL SELECT secret, fingerprint FROM code_secret WHERE NOT EXISTS (SELECT 1 FROM ins)`,
				candidate.Secret, candidate.Fingerprint)
		}
		err := query()
		if errors.Is(err, sql.ErrNoRows) {
			// A replica starting at the same moment inserted first: ON
			// CONFLICT waited for its commit, but this statement's snapshot
			// predates it, so neither branch saw a row. The next one does.
			err = query()
		}
		if err != nil {
			return domain.SecretRecord{}, translate("load code secret", err)
		}
		return domain.SecretRecord{Secret: held.Secret.String, Fingerprint: held.Fingerprint}, nil
	})
}

// Replace implements ports.CodeSecretStore.
func (s *Store) Replace(ctx context.Context, record domain.SecretRecord) error {
	_, err := await(ctx, "replace code secret", func() (struct{}, error) {
		if _, err := s.db.ExecContext(ctx, `UPDATE code_secret SET secret = NULLIF($1, ''), fingerprint = $2`, record.Secret, record.Fingerprint); err != nil {
			return struct{}{}, translate("replace code secret", err)
		}
		return struct{}{}, nil
	})
	return err
}

// Reserve implements ports.CodeCounter.
func (s *Store) Reserve(ctx context.Context, n int) (uint64, error) {
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

// rulesColumn is the rules column's value of rules: NULL for none.
func rulesColumn(rules *domain.Rules) any {
	if rules.Len() == 0 {
		return nil
	}
	return string(domain.RulesJSON(rules))
}
