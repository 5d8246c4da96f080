package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/shortlink/shortlink/domain"
)

// maxInsertBatch caps how many links share one statement.
const maxInsertBatch = 64

// insertBatcher is group commit for creates: concurrent inserts are stored
// in batches (see batcher) by one call of claim_and_insert_links each: one
// round trip, one commit. That is what lets creates keep pace with Postgres.
type insertBatcher = batcher[*pendingInsert]

type pendingInsert struct {
	request
	link      domain.ShortLink
	freeAfter time.Time
}

func newInsertBatcher(s *Store, workers int) *insertBatcher {
	return newBatcher("insert link", workers, maxInsertBatch, s.insertBatch)
}

// insert waits until link is stored (and returns it with its id), found
// taken (domain.ErrCodeTaken), or ctx ends (domain.ErrUnavailable: the link
// may still be stored).
func (s *Store) insert(ctx context.Context, link domain.ShortLink, freeAfter time.Time) (domain.ShortLink, error) {
	return s.inserts.ask(&pendingInsert{request: newRequest(ctx), link: link, freeAfter: freeAfter})
}

// insertBatch stores the links of batch and answers each caller.
func (s *Store) insertBatch(batch []*pendingInsert) {
	var (
		codes, urls, created, expires, freeAfter []string
		workspaces, keys, titles, tags           []string
		digests                                  pq.ByteaArray
		forward                                  pq.BoolArray
		passwords                                []sql.NullString
		features                                 bool
		rules                                    []sql.NullString
		originals                                []sql.NullTime
		extras                                   bool
	)
	for _, p := range batch {
		codes = append(codes, string(p.link.Code()))
		urls = append(urls, p.link.URL())
		created = append(created, p.link.CreatedAt().Format(time.RFC3339Nano))
		expires = append(expires, p.link.ExpiresAt().Format(time.RFC3339Nano))
		freeAfter = append(freeAfter, p.freeAfter.UTC().Format(time.RFC3339Nano))
		var digest []byte // NULL: no owner token
		if owner := p.link.Owner(); !owner.IsZero() {
			digest = owner[:]
		}
		digests = append(digests, digest)
		r := p.link.Record()
		workspaces, keys, titles = append(workspaces, string(r.Workspace)), append(keys, string(r.CreatedBy)), append(titles, r.Title)
		tags = append(tags, strings.Join(r.Tags, ","))
		hash := p.link.PasswordHash()
		forward = append(forward, p.link.ForwardQuery())
		passwords = append(passwords, sql.NullString{String: hash, Valid: hash != ""})
		features = features || p.link.ForwardQuery() || hash != ""
		rs, _ := rulesColumn(p.link.Rules()).(string)
		rules = append(rules, sql.NullString{String: rs, Valid: rs != ""})
		original := p.link.OriginalCreatedAt()
		originals = append(originals, sql.NullTime{Time: original, Valid: !original.IsZero()})
		extras = extras || rs != "" || !original.IsZero()
	}
	var ids []sql.NullInt64
	// No caller's context: the batch belongs to all of them. The connection's
	// I/O deadline (Options.Timeout) bounds it against a frozen server.
	ctx := context.Background()
	args := []any{pq.StringArray(codes), pq.StringArray(urls), pq.StringArray(created), pq.StringArray(expires), digests, pq.StringArray(freeAfter),
		pq.StringArray(workspaces), pq.StringArray(keys), pq.StringArray(titles), pq.StringArray(tags)}
	insert := &s.insertStmt
	if features || extras {
		insert = &s.insertFeaturesStmt
		args = append(args, forward, pq.Array(passwords))
	}
	if extras {
		insert = &s.insertExtrasStmt
		args = append(args, pq.Array(rules), pq.Array(originals))
	}
	stmt, err := insert.get(ctx)
	if err == nil {
		err = stmt.QueryRowContext(ctx, args...).Scan(pq.Array(&ids))
	}
	if err == nil && len(ids) != len(batch) {
		err = fmt.Errorf("claim_and_insert_links answered %d results for %d links", len(ids), len(batch))
	}
	for i, p := range batch {
		switch {
		case err != nil:
			p.reply(domain.ShortLink{}, translate("insert link", err))
		case !ids[i].Valid:
			p.reply(domain.ShortLink{}, domain.ErrCodeTaken)
		default:
			p.reply(p.link.WithID(domain.LinkID(ids[i].Int64)), nil)
		}
	}
}
