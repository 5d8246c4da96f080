package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

var (
	_ ports.KeyStore   = (*Store)(nil)
	_ ports.KeyUsage   = (*Store)(nil)
	_ ports.LinkLister = (*Store)(nil)
	_ ports.AuditLog   = (*Store)(nil)
)

const keyColumns = `id, workspace_id, role, name, digest, created_at, last_used_at, revoked_at`

func scanKey(row interface{ Scan(...any) error }) (domain.APIKey, error) {
	var (
		k             domain.APIKey
		digest        []byte
		used, revoked sql.NullTime
		id, ws, role  string
	)
	if err := row.Scan(&id, &ws, &role, &k.Name, &digest, &k.CreatedAt, &used, &revoked); err != nil {
		return domain.APIKey{}, err
	}
	k.ID, k.Workspace, k.Role = domain.KeyID(id), domain.WorkspaceID(ws), domain.Role(role)
	copy(k.Digest[:], digest)
	k.LastUsedAt, k.RevokedAt = used.Time, revoked.Time
	return k, nil
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// CreateWorkspace implements ports.KeyStore in one transaction.
func (s *Store) CreateWorkspace(ctx context.Context, ws domain.Workspace, first domain.APIKey) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return wrap("begin create workspace", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if _, err := tx.ExecContext(ctx, `INSERT INTO workspace (id, name, created_at) VALUES ($1, $2, $3)`, string(ws.ID), ws.Name, ws.CreatedAt); err != nil {
		return wrap("create workspace", err)
	}
	if err := insertKey(ctx, tx, first); err != nil {
		return err
	}
	return wrap("commit create workspace", tx.Commit())
}

func insertKey(ctx context.Context, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, k domain.APIKey,
) error {
	_, err := db.ExecContext(ctx, `INSERT INTO api_key (`+keyColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		string(k.ID), string(k.Workspace), string(k.Role), k.Name, k.Digest[:], k.CreatedAt, nullTime(k.LastUsedAt), nullTime(k.RevokedAt))
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "23503" { // foreign_key_violation: no such workspace
		return domain.ErrNotFound
	}
	return wrap("create key", err)
}

// CreateKey implements ports.KeyStore.
func (s *Store) CreateKey(ctx context.Context, key domain.APIKey) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	return insertKey(ctx, s.db, key)
}

// FindKey implements ports.KeyStore.
func (s *Store) FindKey(ctx context.Context, id domain.KeyID) (domain.APIKey, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	k, err := scanKey(s.db.QueryRowContext(ctx, `SELECT `+keyColumns+` FROM api_key WHERE id = $1`, string(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return domain.APIKey{}, domain.ErrNotFound
	}
	return k, wrap("find key", err)
}

// ListKeys implements ports.KeyStore.
func (s *Store) ListKeys(ctx context.Context, ws domain.WorkspaceID) ([]domain.APIKey, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.db.QueryContext(ctx, `SELECT `+keyColumns+` FROM api_key WHERE $1 = '' OR workspace_id = $1 ORDER BY created_at, id`, string(ws))
	if err != nil {
		return nil, wrap("list keys", err)
	}
	defer rows.Close()
	var keys []domain.APIKey
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, wrap("list keys", err)
		}
		keys = append(keys, k)
	}
	return keys, wrap("list keys", rows.Err())
}

// RevokeKey implements ports.KeyStore; the trigger on api_key announces
// the revocation on the change feed in the same transaction.
func (s *Store) RevokeKey(ctx context.Context, id domain.KeyID, now time.Time) (domain.APIKey, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	k, err := scanKey(s.db.QueryRowContext(ctx, `
		UPDATE api_key SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1 RETURNING `+keyColumns, string(id), now))
	if errors.Is(err, sql.ErrNoRows) {
		return domain.APIKey{}, domain.ErrNotFound
	}
	return k, wrap("revoke key", err)
}

// TouchKeys implements ports.KeyUsage in one statement.
func (s *Store) TouchKeys(ctx context.Context, used map[domain.KeyID]time.Time) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	ids, times := make(pq.StringArray, 0, len(used)), make(pq.StringArray, 0, len(used))
	for id, at := range used {
		ids, times = append(ids, string(id)), append(times, at.UTC().Format(time.RFC3339Nano))
	}
	_, err := s.db.ExecContext(ctx, `
		UPDATE api_key k SET last_used_at = u.at
		FROM unnest($1::text[], $2::timestamptz[]) AS u(id, at)
		WHERE k.id = u.id AND (k.last_used_at IS NULL OR k.last_used_at < u.at)`, ids, times)
	return wrap("touch keys", err)
}

// likeEscape escapes LIKE's wildcards in s.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ListLinks implements ports.LinkLister: one indexed statement, newest
// first by (created_at, id), the keyset of q.After.
func (s *Store) ListLinks(ctx context.Context, q domain.LinkQuery) ([]domain.ShortLink, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	var (
		where []string
		args  []any
	)
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	switch {
	case q.Scope.All:
	case q.Scope.Workspace == "":
		where = append(where, "workspace_id IS NULL")
	default:
		where = append(where, "workspace_id = "+arg(string(q.Scope.Workspace)))
	}
	if !q.After.IsZero() {
		// A row comparison gives its parameters no type: cast them.
		where = append(where, fmt.Sprintf("(created_at, id) < (%s::timestamptz, %s::bigint)", arg(q.After.CreatedAt), arg(q.After.ID)))
	}
	if q.Q != "" {
		// A link on a registered domain is kept under "<host>/<code>": its
		// code follows the last '/'.
		var prefix string
		switch {
		case q.OnDomain && q.Domain != "":
			prefix = "code LIKE " + arg(likeEscape(string(q.Domain)+"/"+q.Q)+"%")
		case q.OnDomain:
			prefix = "code LIKE " + arg(likeEscape(q.Q)+"%")
		default:
			// A code on any domain: a plain code (short_link_code_pattern),
			// or the part after "<host>/" (short_link_code_on_domain), never
			// the host; every arm of the search has an index, so the
			// planner may OR them rather than filter a whole workspace.
			p := arg(likeEscape(q.Q) + "%")
			prefix = fmt.Sprintf("((code LIKE %[1]s AND code NOT LIKE '%%/%%') OR (code LIKE '%%/%%' AND split_part(code, '/', -1) LIKE %[1]s))", p)
		}
		if q.Substring() {
			p := arg("%" + likeEscape(strings.ToLower(q.Q)) + "%")
			prefix = fmt.Sprintf("(%s OR lower(url) LIKE %s OR (title IS NOT NULL AND lower(title) LIKE %s))", prefix, p, p)
		}
		where = append(where, prefix)
	}
	if len(q.Tags) > 0 {
		where = append(where, "tags @> "+arg(pq.StringArray(q.Tags))+"::text[]")
	}
	if q.OnDomain { // a link on a registered domain is kept under "<host>/<code>" (domain.CodeOn)
		if q.Domain == "" {
			where = append(where, "code NOT LIKE '%/%'")
		} else {
			where = append(where, "code LIKE "+arg(likeEscape(string(q.Domain)+"/")+"%"))
		}
	}
	switch q.Status { // now only where it is used: an unused parameter has no type
	case "":
	case domain.StatusDeleted:
		where = append(where, "state = 2")
	default:
		now := arg(q.Now)
		where = append(where, map[domain.Status]string{
			domain.StatusExpired: "state <> 2 AND expires_at <= " + now,
			// state = 1 implies the predicate of short_link_workspace_flagged.
			domain.StatusDisabled: "state = 1 AND expires_at > " + now,
			domain.StatusActive:   "state = 0 AND expires_at > " + now,
		}[q.Status])
	}
	if !q.CreatedAfter.IsZero() {
		where = append(where, "created_at > "+arg(q.CreatedAfter))
	}
	if !q.CreatedBefore.IsZero() {
		where = append(where, "created_at < "+arg(q.CreatedBefore))
	}
	query := `SELECT code, ` + linkColumns + ` FROM short_link`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY created_at DESC, id DESC LIMIT " + arg(q.Limit)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, wrap("list links", err)
	}
	defer rows.Close()
	var links []domain.ShortLink
	for rows.Next() {
		var code string
		link, err := scanLink("", rows, &code)
		if err != nil {
			return nil, wrap("list links", err)
		}
		links = append(links, domain.RestoreShortLink(withCode(link.Record(), domain.Code(code))))
	}
	return links, wrap("list links", rows.Err())
}

// TagCounts implements ports.LinkLister; deleted links are not counted.
func (s *Store) TagCounts(ctx context.Context, ws domain.WorkspaceID) ([]domain.TagCount, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.db.QueryContext(ctx, `
		SELECT t, count(*) FROM short_link, unnest(tags) AS t
		WHERE tags IS NOT NULL AND state <> 2 AND workspace_id IS NOT DISTINCT FROM nullif($1, '')
		GROUP BY t ORDER BY t`, string(ws))
	if err != nil {
		return nil, wrap("count tags", err)
	}
	defer rows.Close()
	counts := []domain.TagCount{}
	for rows.Next() {
		var c domain.TagCount
		if err := rows.Scan(&c.Tag, &c.Links); err != nil {
			return nil, wrap("count tags", err)
		}
		counts = append(counts, c)
	}
	return counts, wrap("count tags", rows.Err())
}

// RecordAudit implements ports.AuditLog.
func (s *Store) RecordAudit(ctx context.Context, e domain.AuditEntry) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	return insertAudit(ctx, s.db, e)
}

func insertAudit(ctx context.Context, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, e domain.AuditEntry,
) error {
	_, err := db.ExecContext(ctx, `INSERT INTO audit_log (at, workspace_id, who, action, target) VALUES ($1, nullif($2, ''), $3, $4, $5)`,
		e.At, string(e.Workspace), string(e.Who), string(e.Action), e.Target)
	return wrap("record audit", err)
}

// ListAudit implements ports.AuditLog.
func (s *Store) ListAudit(ctx context.Context, q domain.AuditQuery) ([]domain.AuditEntry, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.db.QueryContext(ctx, `
		SELECT id, at, coalesce(workspace_id, ''), who, action, target FROM audit_log
		WHERE ($1 = 0 OR id < $1) AND ($2 OR workspace_id IS NOT DISTINCT FROM nullif($3, ''))
		ORDER BY id DESC LIMIT $4`, q.Before, q.Scope.All, string(q.Scope.Workspace), q.Limit)
	if err != nil {
		return nil, wrap("list audit", err)
	}
	defer rows.Close()
	var page []domain.AuditEntry
	for rows.Next() {
		var (
			e               domain.AuditEntry
			ws, who, action string
		)
		if err := rows.Scan(&e.ID, &e.At, &ws, &who, &action, &e.Target); err != nil {
			return nil, wrap("list audit", err)
		}
		e.Workspace, e.Who, e.Action = domain.WorkspaceID(ws), domain.Who(who), domain.AuditAction(action)
		page = append(page, e)
	}
	return page, wrap("list audit", rows.Err())
}

// wrap is translate, and nil for nil.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return translate(op, err)
}

var _ ports.WorkspaceVisitReader = (*Store)(nil)

// workspaceVisitsQuery sums the day rows of the scope's links (the scope's
// condition on short_link replaces %s) from $1 to $2: the days (kind 'd'),
// the top $3 links (kind 'l', ties by code) and how many links had visits
// (kind 'n'). A workspace's links come from short_link_workspace_newest,
// each link's days from visit_day's primary key.
const workspaceVisitsQuery = `
WITH v AS (
    SELECT l.id, l.code, d.day, d.humans, d.bots
    FROM short_link l JOIN visit_day d ON d.link_id = l.id
    WHERE %s d.day >= $1 AND d.day < $2
)
(SELECT 'd', day, NULL::text, sum(humans)::bigint, sum(bots)::bigint FROM v GROUP BY day)
UNION ALL
(SELECT 'l', NULL, code, sum(humans)::bigint, sum(bots)::bigint FROM v GROUP BY id, code
 HAVING sum(humans) + sum(bots) > 0 ORDER BY sum(humans) + sum(bots) DESC, code LIMIT $3)
UNION ALL
(SELECT 'n', NULL, NULL, count(DISTINCT id)::bigint, 0::bigint FROM v WHERE humans + bots > 0)`

// WorkspaceVisits implements ports.WorkspaceVisitReader in one statement.
func (s *Store) WorkspaceVisits(ctx context.Context, q domain.WorkspaceVisitQuery) (domain.WorkspaceVisits, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	args := []any{q.Window.From, q.Window.To, domain.WorkspaceTopLinks}
	scope := ""
	switch {
	case q.Scope.All:
	case q.Scope.Workspace == "":
		scope = "l.workspace_id IS NULL AND"
	default:
		args = append(args, string(q.Scope.Workspace))
		scope = "l.workspace_id = $4 AND"
	}
	rows, err := s.db.QueryContext(ctx, fmt.Sprintf(workspaceVisitsQuery, scope), args...)
	if err != nil {
		return domain.WorkspaceVisits{}, wrap("workspace visits", err)
	}
	defer rows.Close()
	out := domain.WorkspaceVisits{Window: q.Window}
	for rows.Next() {
		var (
			kind         string
			day          *time.Time
			code         *string
			humans, bots int64
		)
		if err := rows.Scan(&kind, &day, &code, &humans, &bots); err != nil {
			return domain.WorkspaceVisits{}, wrap("workspace visits", err)
		}
		switch kind {
		case "d":
			if humans+bots > 0 {
				out.Series = append(out.Series, domain.VisitBucket{Start: day.UTC(), Humans: humans, Bots: bots})
			}
		case "l":
			out.Top = append(out.Top, domain.LinkVisits{Code: domain.Code(*code), Humans: humans, Bots: bots})
		case "n":
			out.Links = humans
		}
	}
	if err := rows.Err(); err != nil {
		return domain.WorkspaceVisits{}, wrap("workspace visits", err)
	}
	slices.SortFunc(out.Series, func(a, b domain.VisitBucket) int { return a.Start.Compare(b.Start) })
	domain.SortLinkVisits(out.Top)
	return out, nil
}
