package postgres

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/lib/pq"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

var _ ports.DomainStore = (*Store)(nil)

// CreateDomain implements ports.DomainStore.
func (s *Store) CreateDomain(ctx context.Context, d domain.ShortDomain) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	_, err := s.db.ExecContext(ctx, `INSERT INTO short_domain (host, workspace_id, not_found_url, created_at) VALUES ($1, $2, $3, $4)`,
		string(d.Host), sql.NullString{String: string(d.Workspace), Valid: d.Workspace != ""},
		sql.NullString{String: d.NotFoundURL, Valid: d.NotFoundURL != ""}, d.CreatedAt)
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		switch pqErr.Code {
		case "23505": // unique_violation: the host is registered
			return domain.ErrDomainTaken
		case "23503": // foreign_key_violation: no such workspace
			return domain.ErrNotFound
		}
	}
	return wrap("create domain", err)
}

// ListDomains implements ports.DomainStore.
func (s *Store) ListDomains(ctx context.Context) ([]domain.ShortDomain, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.db.QueryContext(ctx, `SELECT host, coalesce(workspace_id, ''), coalesce(not_found_url, ''), created_at FROM short_domain ORDER BY host`)
	if err != nil {
		return nil, wrap("list domains", err)
	}
	defer rows.Close()
	var list []domain.ShortDomain
	for rows.Next() {
		var (
			d        domain.ShortDomain
			host, ws string
		)
		if err := rows.Scan(&host, &ws, &d.NotFoundURL, &d.CreatedAt); err != nil {
			return nil, wrap("list domains", err)
		}
		d.Host, d.Workspace = domain.DomainHost(host), domain.WorkspaceID(ws)
		list = append(list, d)
	}
	return list, wrap("list domains", rows.Err())
}

// DeleteDomain implements ports.DomainStore.
func (s *Store) DeleteDomain(ctx context.Context, host domain.DomainHost) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	res, err := s.db.ExecContext(ctx, `DELETE FROM short_domain WHERE host = $1`, string(host))
	if err != nil {
		return wrap("delete domain", err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return domain.ErrDomainNotFound
	}
	return nil
}

// LinksTo implements ports.DomainStore. The stored target is normalised
// (URLPolicy.Parse), so its host is what lies between "://" and the first
// ':', '/', '?' or '#'. The LIKE on lower(url) is what the URL trigram
// index (pg_trgm, when installed) narrows the links to; the host test then
// decides. Without the index it is a scan of the live links: at 3 M links
// that outlasted REQUEST_TIMEOUT, with it a registration takes ~40 ms at 1 M.
func (s *Store) LinksTo(ctx context.Context, host domain.DomainHost, now time.Time, limit int) ([]domain.Code, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.db.QueryContext(ctx, `
		SELECT code FROM short_link
		WHERE lower(url) LIKE $4 AND expires_at > $2 AND state = 0
		  AND rtrim(substring(url from '^[a-z]+://([^/:?#]*)'), '.') = $1
		LIMIT $3`, string(host), now, limit, "%://"+likeEscape(string(host))+"%")
	if err != nil {
		return nil, wrap("links to domain", err)
	}
	defer rows.Close()
	var codes []domain.Code
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			return nil, wrap("links to domain", err)
		}
		codes = append(codes, domain.Code(code))
	}
	return codes, wrap("links to domain", rows.Err())
}

// LinksOn implements ports.DomainStore: the code keys of links on a
// registered domain start "<host>/" (domain.CodeOn), a prefix the code
// pattern index serves.
func (s *Store) LinksOn(ctx context.Context, host domain.DomainHost, now time.Time, limit int) ([]domain.Code, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.db.QueryContext(ctx, `
		SELECT code FROM short_link
		WHERE code LIKE $1 AND expires_at > $2 AND state <> 2
		LIMIT $3`, likeEscape(string(host)+"/")+"%", now, limit)
	if err != nil {
		return nil, wrap("links on domain", err)
	}
	defer rows.Close()
	var codes []domain.Code
	for rows.Next() {
		var key string
		if err := rows.Scan(&key); err != nil {
			return nil, wrap("links on domain", err)
		}
		_, code := domain.Code(key).Split()
		codes = append(codes, code)
	}
	return codes, wrap("links on domain", rows.Err())
}
