package postgres

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/shortlink/shortlink/domain"
)

// testRequest is a batched request that names itself.
type testRequest struct {
	request
	name string
}

// runRecorder is a batcher's run that blocks until released and records
// the names in each batch it ran, answering every request.
type runRecorder struct {
	mu      sync.Mutex
	batches [][]string
	entered chan struct{}
	release chan struct{}
}

func (rr *runRecorder) run(batch []*testRequest) {
	rr.entered <- struct{}{}
	<-rr.release
	var names []string
	for _, r := range batch {
		names = append(names, r.name)
		r.reply(domain.ShortLink{}, nil)
	}
	rr.mu.Lock()
	rr.batches = append(rr.batches, names)
	rr.mu.Unlock()
}

func TestBatcherRunsTheRequestsThatWaitedInOneBatch(t *testing.T) {
	t.Parallel()
	rr := &runRecorder{entered: make(chan struct{}, 8), release: make(chan struct{})}
	b := newBatcher("test op", 1, 8, rr.run)
	defer b.stop()

	done := make(chan error, 4)
	ask := func(name string) {
		_, err := b.ask(&testRequest{request: newRequest(context.Background()), name: name})
		done <- err
	}
	go ask("first")
	<-rr.entered // the only worker is busy with "first"
	go ask("a")
	go ask("b")
	time.Sleep(50 * time.Millisecond) // both queue behind "first"
	rr.release <- struct{}{}
	<-rr.entered
	close(rr.release)
	for range 3 {
		if err := <-done; err != nil {
			t.Fatalf("ask = %v", err)
		}
	}
	rr.mu.Lock()
	defer rr.mu.Unlock()
	if len(rr.batches) != 2 || len(rr.batches[1]) != 2 {
		t.Fatalf("batches %v, want [first] then a and b in one batch", rr.batches)
	}
}

func TestBatcherAnswersAndLeavesOutTheRequestsWhoseCallerGaveUp(t *testing.T) {
	t.Parallel()
	b := &batcher[*testRequest]{op: "test op"}
	gaveUp, cancel := context.WithCancel(context.Background())
	cancel()
	quitter := &testRequest{request: newRequest(gaveUp), name: "quitter"}
	batch := []*testRequest{
		{request: newRequest(context.Background()), name: "a"},
		quitter,
		{request: newRequest(context.Background()), name: "b"},
	}
	live := b.dropGivenUp(batch)
	if len(live) != 2 || live[0].name != "a" || live[1].name != "b" {
		t.Fatalf("live = %v, want a and b in order", live)
	}
	select {
	case a := <-quitter.answer:
		if !errors.Is(a.err, domain.ErrUnavailable) || !errors.Is(a.err, context.Canceled) {
			t.Fatalf("the quitter's answer = %v, want ErrUnavailable and context.Canceled", a.err)
		}
	default:
		t.Fatal("the quitter got no answer")
	}
}

func TestBatcherAnswersUnavailableOnceStopped(t *testing.T) {
	t.Parallel()
	b := newBatcher("test op", 1, 8, func(batch []*testRequest) {
		for _, r := range batch {
			r.reply(domain.ShortLink{}, nil)
		}
	})
	b.stop()
	time.Sleep(20 * time.Millisecond) // the worker sees stopped and exits: nothing takes requests
	_, err := b.ask(&testRequest{request: newRequest(context.Background())})
	if !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("ask after stop = %v, want ErrUnavailable", err)
	}
}
