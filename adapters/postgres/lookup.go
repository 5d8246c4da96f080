package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/lib/pq"

	"github.com/shortlink/shortlink/domain"
)

// maxLookupBatch caps how many codes share one lookup statement.
const maxLookupBatch = 64

// findQuery finds the link that holds each of many codes: for each, the
// newest one stored under it (a code is claimed again only after its
// previous link stopped for good). The lower bound on created_at lets the
// planner skip every partition too old to hold a live link, at execution
// time too, where the plan is generic. Batched lookups run it for up to
// maxLookupBatch codes; an update locks its one link with it (FOR UPDATE
// OF l).
const findQuery = `
	SELECT q.ord, l.*
	FROM unnest($1::text[]) WITH ORDINALITY AS q(code, ord)
	CROSS JOIN LATERAL (
		SELECT ` + linkColumns + `
		FROM short_link WHERE code = q.code AND created_at >= $2
		ORDER BY created_at DESC LIMIT 1) AS l`

// lookupBatcher groups concurrent lookups as insertBatcher groups creates
// (see batcher): up to maxLookupBatch codes answered by one statement.
// Through lib/pq a round trip costs the api far more CPU in system calls
// than Postgres spends on an indexed lookup, so under load sharing it is
// what keeps cache misses cheap.
type lookupBatcher = batcher[*pendingLookup]

type pendingLookup struct {
	request
	code  domain.Code
	since time.Time // created_at lower bound
}

func newLookupBatcher(s *Store, workers int) *lookupBatcher {
	return newBatcher("find link", workers, maxLookupBatch, s.findBatch)
}

// find answers the lookup of code, or domain.ErrUnavailable as soon as ctx
// ends.
func (s *Store) find(ctx context.Context, code domain.Code, since time.Time) (domain.ShortLink, error) {
	return s.lookups.ask(&pendingLookup{request: newRequest(ctx), code: code, since: since})
}

// findBatch looks up the codes of batch, with the earliest lower bound
// among them, and answers each caller.
func (s *Store) findBatch(batch []*pendingLookup) {
	codes := make(pq.StringArray, 0, len(batch))
	var since time.Time
	for _, p := range batch {
		codes = append(codes, string(p.code))
		if since.IsZero() || p.since.Before(since) {
			since = p.since
		}
	}
	found, err := s.queryLinks(codes, since)
	for i, p := range batch {
		switch link, ok := found[int64(i+1)]; {
		case err != nil:
			p.reply(domain.ShortLink{}, translate("find link", err))
		case !ok || link.CreatedAt().Before(p.since):
			p.reply(domain.ShortLink{}, domain.ErrNotFound)
		default:
			p.reply(link, nil)
		}
	}
}

// queryLinks runs findQuery and returns the links found by the 1-based
// position of their code. No caller's context: the batch belongs to all of
// them; the connection's I/O deadline (Options.Timeout) bounds it.
func (s *Store) queryLinks(codes pq.StringArray, since time.Time) (map[int64]domain.ShortLink, error) {
	ctx := context.Background()
	stmt, err := s.findStmt.get(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := stmt.QueryContext(ctx, codes, since)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	found := make(map[int64]domain.ShortLink, len(codes))
	for rows.Next() {
		var ord int64
		link, err := scanLink("", rows, &ord)
		if err != nil {
			return nil, err
		}
		if ord < 1 || ord > int64(len(codes)) {
			return nil, errors.New("find links: an answer for no code asked")
		}
		found[ord] = domain.RestoreShortLink(withCode(link.Record(), domain.Code(codes[ord-1])))
	}
	return found, rows.Err()
}

func withCode(r domain.LinkRecord, code domain.Code) domain.LinkRecord {
	r.Code = code
	return r
}
