package postgres

import (
	"context"
	"fmt"

	"github.com/shortlink/shortlink/domain"
)

// batcher is the machinery of group commit and grouped lookups: callers
// hand in requests one by one, and each of its workers takes the next one
// plus whatever else is already waiting (up to maxBatch) and runs them all
// with one statement. Under light load a batch holds one request and adds
// no delay; under heavy load the cost of a statement, a round trip and a
// commit is shared by the batch. Each request carries a buffered answer
// channel, so a worker never waits for a caller that gave up; requests
// whose caller gave up before the batch ran are answered here and left out.
type batcher[R batched] struct {
	op       string // for errors, e.g. "insert link"
	maxBatch int
	run      func(batch []R)
	pending  chan R
	stopped  chan struct{}
}

// batched is a request of a batcher: a pointer to a struct that embeds
// request.
type batched interface{ base() *request }

// request is what every batched call carries: its caller's context and
// where its answer goes.
type request struct {
	ctx    context.Context
	answer chan linkAnswer // buffered: a worker never blocks on it
}

type linkAnswer struct {
	link domain.ShortLink
	err  error
}

func newRequest(ctx context.Context) request {
	return request{ctx: ctx, answer: make(chan linkAnswer, 1)}
}

func (r *request) base() *request { return r }

// reply answers the request's caller.
func (r *request) reply(link domain.ShortLink, err error) { r.answer <- linkAnswer{link, err} }

func newBatcher[R batched](op string, workers, maxBatch int, run func(batch []R)) *batcher[R] {
	b := &batcher[R]{op: op, maxBatch: maxBatch, run: run, pending: make(chan R), stopped: make(chan struct{})}
	for range max(workers, 1) {
		go b.work()
	}
	return b
}

// ask hands r to a worker and waits for its answer. It fails with
// domain.ErrUnavailable as soon as r's context ends (the request may still
// run) or when the batcher has stopped.
func (b *batcher[R]) ask(r R) (domain.ShortLink, error) {
	req := r.base()
	select {
	case b.pending <- r:
	case <-req.ctx.Done():
		return domain.ShortLink{}, b.unavailable(req.ctx.Err())
	case <-b.stopped:
		return domain.ShortLink{}, fmt.Errorf("%s: %w: store closed", b.op, domain.ErrUnavailable)
	}
	select {
	case a := <-req.answer:
		return a.link, a.err
	case <-req.ctx.Done():
		return domain.ShortLink{}, b.unavailable(req.ctx.Err())
	}
}

func (b *batcher[R]) unavailable(cause error) error {
	return fmt.Errorf("%s: %w: %w", b.op, domain.ErrUnavailable, cause)
}

func (b *batcher[R]) stop() { close(b.stopped) }

func (b *batcher[R]) work() {
	batch := make([]R, 0, b.maxBatch)
	for {
		select {
		case r := <-b.pending:
			batch = append(batch[:0], r)
		case <-b.stopped:
			return
		}
	more:
		for len(batch) < b.maxBatch {
			select {
			case r := <-b.pending:
				batch = append(batch, r)
			default:
				break more
			}
		}
		if live := b.dropGivenUp(batch); len(live) > 0 {
			b.run(live)
		}
	}
}

// dropGivenUp answers the requests whose caller has given up and returns
// the others, in order, in batch's own array.
func (b *batcher[R]) dropGivenUp(batch []R) []R {
	live := batch[:0]
	for _, r := range batch {
		if err := r.base().ctx.Err(); err != nil {
			r.base().reply(domain.ShortLink{}, b.unavailable(err))
			continue
		}
		live = append(live, r)
	}
	return live
}
