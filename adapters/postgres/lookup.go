package postgres

import (
	"context"
	"errors"

	"github.com/lib/pq"

	"github.com/shortlink/shortlink/domain"
)

// maxLookupBatch caps how many codes share one lookup statement.
const maxLookupBatch = 64

// findQuery finds the link that holds each of many codes: the one its
// claim (code_claim, on the default domain) names, read from the one
// partition its creation instant selects, however old: the subquery's
// LIMIT keeps the planner from flattening it into a join, so it runs per
// code with the claim's created_at as a parameter, and the executor
// prunes every other partition. The lookup does not grow with the number
// of months kept. Batched lookups run it for up to
// maxLookupBatch codes; an update locks its one link with it (FOR UPDATE
// OF l).
const findQuery = `
	SELECT q.ord, l.*
	FROM unnest($1::text[]) WITH ORDINALITY AS q(code, ord)
	JOIN code_claim c ON c.code = q.code AND c.domain = ''
	CROSS JOIN LATERAL (
		SELECT ` + linkColumns + `
		FROM short_link WHERE code = q.code AND created_at = c.created_at
		LIMIT 1) AS l`

// lookupBatcher groups concurrent lookups as insertBatcher groups creates
// (see batcher): up to maxLookupBatch codes answered by one statement.
// Through lib/pq a round trip costs the api far more CPU in system calls
// than Postgres spends on an indexed lookup, so under load sharing it is
// what keeps cache misses cheap.
type lookupBatcher = batcher[*pendingLookup]

type pendingLookup struct {
	request
	code domain.Code
}

func newLookupBatcher(s *Store, workers int) *lookupBatcher {
	return newBatcher("find link", workers, maxLookupBatch, s.findBatch)
}

// find answers the lookup of code, or domain.ErrUnavailable as soon as ctx
// ends.
func (s *Store) find(ctx context.Context, code domain.Code) (domain.ShortLink, error) {
	return s.lookups.ask(&pendingLookup{request: newRequest(ctx), code: code})
}

// findBatch looks up the codes of batch and answers each caller.
func (s *Store) findBatch(batch []*pendingLookup) {
	codes := make(pq.StringArray, 0, len(batch))
	for _, p := range batch {
		codes = append(codes, string(p.code))
	}
	found, err := s.queryLinks(codes)
	for i, p := range batch {
		switch link, ok := found[int64(i+1)]; {
		case err != nil:
			p.reply(domain.ShortLink{}, translate("find link", err))
		case !ok:
			p.reply(domain.ShortLink{}, domain.ErrNotFound)
		default:
			p.reply(link, nil)
		}
	}
}

// queryLinks runs findQuery and returns the links found by the 1-based
// position of their code. No caller's context: the batch belongs to all of
// them; the connection's I/O deadline (Options.Timeout) bounds it.
func (s *Store) queryLinks(codes pq.StringArray) (map[int64]domain.ShortLink, error) {
	ctx := context.Background()
	stmt, err := s.findStmt.get(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := stmt.QueryContext(ctx, codes)
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
