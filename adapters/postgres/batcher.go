package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/shortlink/shortlink/domain"
)

// maxInsertBatch caps how many links share one statement.
const maxInsertBatch = 64

// insertBatcher is group commit for creates. Each of its workers takes the
// next waiting insert plus whatever else is already waiting (up to
// maxInsertBatch) and stores them with one call of insert_short_links: one
// round trip, one commit. Under light load a batch holds one link and adds
// no delay; under heavy load the per-statement and per-commit costs are
// shared by the batch, which is what lets creates keep pace with Postgres.
type insertBatcher struct {
	store   *LinkStore
	pending chan *pendingInsert
	stopped chan struct{}
}

type pendingInsert struct {
	ctx    context.Context
	link   domain.ShortLink
	stored chan error // buffered: a worker never waits for a caller that gave up
}

func newInsertBatcher(s *LinkStore, workers int) *insertBatcher {
	b := &insertBatcher{store: s, pending: make(chan *pendingInsert), stopped: make(chan struct{})}
	for range max(workers, 1) {
		go b.work()
	}
	return b
}

// insert waits until link is stored, found taken (domain.ErrCodeTaken), or
// ctx ends (domain.ErrUnavailable: the link may still be stored).
func (b *insertBatcher) insert(ctx context.Context, link domain.ShortLink) error {
	p := &pendingInsert{ctx: ctx, link: link, stored: make(chan error, 1)}
	select {
	case b.pending <- p:
	case <-ctx.Done():
		return fmt.Errorf("insert link: %w: %w", domain.ErrUnavailable, ctx.Err())
	case <-b.stopped:
		return fmt.Errorf("insert link: %w: store closed", domain.ErrUnavailable)
	}
	select {
	case err := <-p.stored:
		return err
	case <-ctx.Done():
		return fmt.Errorf("insert link: %w: %w", domain.ErrUnavailable, ctx.Err())
	}
}

func (b *insertBatcher) stop() { close(b.stopped) }

func (b *insertBatcher) work() {
	batch := make([]*pendingInsert, 0, maxInsertBatch)
	for {
		select {
		case p := <-b.pending:
			batch = append(batch[:0], p)
		case <-b.stopped:
			return
		}
	more:
		for len(batch) < maxInsertBatch {
			select {
			case p := <-b.pending:
				batch = append(batch, p)
			default:
				break more
			}
		}
		b.store.insertBatch(batch)
	}
}

// insertBatch stores the links of batch whose callers still wait, and
// answers each of them.
func (s *LinkStore) insertBatch(batch []*pendingInsert) {
	live := batch[:0:0]
	var (
		codes, urls, created, expires []string
		liveSince                     time.Time
	)
	for _, p := range batch {
		if err := p.ctx.Err(); err != nil {
			p.stored <- fmt.Errorf("insert link: %w: %w", domain.ErrUnavailable, err)
			continue
		}
		live = append(live, p)
		codes = append(codes, string(p.link.Code()))
		urls = append(urls, p.link.URL())
		created = append(created, p.link.CreatedAt().Format(time.RFC3339Nano))
		expires = append(expires, p.link.ExpiresAt().Format(time.RFC3339Nano))
		if since := p.link.CreatedAt().Add(-s.liveWindow); liveSince.IsZero() || since.Before(liveSince) {
			liveSince = since
		}
	}
	if len(live) == 0 {
		return
	}
	var stored pq.BoolArray
	// No caller's context: the batch belongs to all of them. The connection's
	// I/O deadline (Options.Timeout) bounds it against a frozen server.
	ctx := context.Background()
	stmt, err := s.insertStmt.get(ctx)
	if err == nil {
		err = stmt.QueryRowContext(ctx, pq.StringArray(codes), pq.StringArray(urls),
			pq.StringArray(created), pq.StringArray(expires), liveSince).Scan(&stored)
	}
	if err == nil && len(stored) != len(live) {
		err = fmt.Errorf("insert_short_links answered %d results for %d links", len(stored), len(live))
	}
	for i, p := range live {
		switch {
		case err != nil:
			p.stored <- translate("insert link", err)
		case !stored[i]:
			p.stored <- domain.ErrCodeTaken
		default:
			p.stored <- nil
		}
	}
}
