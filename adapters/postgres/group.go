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
// channel, so a worker never waits for a caller that gave up.
type batcher[R any] struct {
	op       string // for errors, e.g. "insert link"
	maxBatch int
	run      func(batch []*R)
	pending  chan *R
	stopped  chan struct{}
}

func newBatcher[R any](op string, workers, maxBatch int, run func(batch []*R)) *batcher[R] {
	b := &batcher[R]{op: op, maxBatch: maxBatch, run: run, pending: make(chan *R), stopped: make(chan struct{})}
	for range max(workers, 1) {
		go b.work()
	}
	return b
}

// submit hands r to a worker, or fails with domain.ErrUnavailable when ctx
// ends first or the batcher has stopped.
func (b *batcher[R]) submit(ctx context.Context, r *R) error {
	select {
	case b.pending <- r:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%s: %w: %w", b.op, domain.ErrUnavailable, ctx.Err())
	case <-b.stopped:
		return fmt.Errorf("%s: %w: store closed", b.op, domain.ErrUnavailable)
	}
}

// awaitAnswer waits for the answer on answered, or fails with
// domain.ErrUnavailable as soon as ctx ends (the request may still run).
func awaitAnswer[A any](ctx context.Context, op string, answered <-chan A) (A, error) {
	select {
	case a := <-answered:
		return a, nil
	case <-ctx.Done():
		var zero A
		return zero, fmt.Errorf("%s: %w: %w", op, domain.ErrUnavailable, ctx.Err())
	}
}

func (b *batcher[R]) stop() { close(b.stopped) }

func (b *batcher[R]) work() {
	batch := make([]*R, 0, b.maxBatch)
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
		b.run(batch)
	}
}
