package redisclient

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/rueidis"

	"github.com/shortlink/shortlink/domain"
)

// fakeClient stands in for the client rueidis builds once a Redis answers:
// it records the commands it is given and answers OK.
type fakeClient struct {
	rueidis.Client // not set: a method the test does not expect panics
	mode           rueidis.ClientMode

	mu     sync.Mutex
	sent   [][]string
	closed bool
}

func (f *fakeClient) B() rueidis.Builder       { return placeholderBuilder() }
func (f *fakeClient) Mode() rueidis.ClientMode { return f.mode }

func (f *fakeClient) Do(_ context.Context, cmd rueidis.Completed) rueidis.RedisResult {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return rueidis.NewErrorResult(rueidis.ErrClosing)
	}
	f.sent = append(f.sent, slices.Clone(cmd.Commands()))
	return rueidis.NewErrorResult(nil)
}

func (f *fakeClient) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
}

func (f *fakeClient) state() (sent [][]string, closed bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.sent), f.closed
}

// attempts scripts a lazy client's background attempts: each tick lets one
// attempt run, which takes the next of results.
type attempts struct {
	ticks   chan time.Time
	results chan attempt
}

type attempt struct {
	client rueidis.Client
	err    error
}

func newAttempts() *attempts {
	return &attempts{ticks: make(chan time.Time), results: make(chan attempt, 8)}
}

func (a *attempts) next() <-chan time.Time { return a.ticks }

func (a *attempts) build(rueidis.ClientOption) (rueidis.Client, error) {
	r := <-a.results
	return r.client, r.err
}

// run lets one attempt happen with the given outcome.
func (a *attempts) run(client rueidis.Client, err error) {
	a.results <- attempt{client, err}
	a.ticks <- time.Time{}
}

func startLazy(t *testing.T, a *attempts) *lazy {
	t.Helper()
	outage := error(syscall.ECONNREFUSED)
	l := newLazy(rueidis.ClientOption{InitAddress: []string{"10.0.0.1:6379"}}, outage, a.build, a.next)
	t.Cleanup(l.Close)
	return l
}

// waitInstalled waits until the attempt that succeeded has handed its
// client over; the test's own timeout bounds it.
func waitInstalled(l *lazy) {
	for l.client() == nil {
		runtime.Gosched()
	}
}

func TestLazyFailsFastAsAnOutageUntilRedisAnswers(t *testing.T) {
	t.Parallel()
	a := newAttempts()
	l := startLazy(t, a)
	ctx := context.Background()

	check := func(when string) {
		t.Helper()
		err := l.Do(ctx, l.B().Get().Key("k").Build()).Error()
		if !Unavailable(err) || !errors.Is(Wrap("get", err), domain.ErrUnavailable) {
			t.Fatalf("%s: Do = %v, want an outage", when, err)
		}
		for _, r := range l.DoMulti(ctx, l.B().Incr().Key("k").Build(), l.B().Pttl().Key("k").Build()) {
			if !Unavailable(r.Error()) {
				t.Fatalf("%s: DoMulti = %v, want an outage", when, r.Error())
			}
		}
		if err := l.DoCache(ctx, l.B().Get().Key("k").Cache(), time.Minute).Error(); !Unavailable(err) {
			t.Fatalf("%s: DoCache = %v, want an outage", when, err)
		}
		if len(l.Nodes()) != 0 {
			t.Fatalf("%s: Nodes = %v, want none", when, l.Nodes())
		}
	}
	check("before any attempt")
	a.run(nil, syscall.ECONNREFUSED)
	check("after a failed attempt")

	client := &fakeClient{mode: rueidis.ClientModeStandalone}
	a.run(client, nil)
	waitInstalled(l)
	if err := l.Do(ctx, l.B().Get().Key("k").Build()).Error(); err != nil {
		t.Fatalf("Do once Redis answered: %v", err)
	}
	if sent, _ := client.state(); len(sent) != 1 || !slices.Equal(sent[0], []string{"GET", "k"}) {
		t.Fatalf("built client got %v, want the one GET", sent)
	}
}

func TestLazyCarriesAConfigurationError(t *testing.T) {
	t.Parallel()
	a := newAttempts()
	l := startLazy(t, a)
	wrongPassword := &rueidis.RedisError{} // an error reply: not an outage
	a.run(nil, wrongPassword)
	a.run(nil, wrongPassword) // the second tick returns once the first attempt is recorded
	err := l.Do(context.Background(), l.B().Ping().Build()).Error()
	if Unavailable(err) {
		t.Fatalf("Do after an attempt refused by Redis = %v, must not be called an outage", err)
	}
	var redisErr *rueidis.RedisError
	if !errors.As(err, &redisErr) {
		t.Fatalf("Do = %v, want it to carry the error Redis answered", err)
	}
}

// A command built while the client was not connected carries a standalone
// slot; a cluster client would index its slot table with it. It is refused
// once, as an outage, instead.
func TestLazyRefusesCommandsBuiltBeforeAClusterAnswered(t *testing.T) {
	t.Parallel()
	a := newAttempts()
	l := startLazy(t, a)
	early := l.B().Get().Key("k").Build()
	earlyCached := l.B().Get().Key("k").Cache()
	client := &fakeClient{mode: rueidis.ClientModeCluster}
	a.run(client, nil)
	waitInstalled(l)

	ctx := context.Background()
	if err := l.Do(ctx, early).Error(); !errors.Is(err, errRebuilt) || !Unavailable(err) {
		t.Fatalf("Do of a command built before = %v, want errRebuilt (an outage)", err)
	}
	if err := l.DoCache(ctx, earlyCached, time.Minute).Error(); !errors.Is(err, errRebuilt) {
		t.Fatalf("DoCache of a command built before = %v, want errRebuilt", err)
	}
	if sent, _ := client.state(); len(sent) != 0 {
		t.Fatalf("the cluster client was given %v", sent)
	}
	if l.Mode() != rueidis.ClientModeCluster {
		t.Fatalf("Mode = %s, want the built client's", l.Mode())
	}
}

func TestLazyCloseClosesWhatItBuilt(t *testing.T) {
	t.Parallel()
	t.Run("after the client was built", func(t *testing.T) {
		t.Parallel()
		a := newAttempts()
		l := startLazy(t, a)
		client := &fakeClient{mode: rueidis.ClientModeStandalone}
		a.run(client, nil)
		waitInstalled(l)
		l.Close()
		if _, closed := client.state(); !closed {
			t.Fatal("Close left the built client open")
		}
	})
	t.Run("while an attempt is under way", func(t *testing.T) {
		t.Parallel()
		a := newAttempts()
		l := startLazy(t, a)
		a.ticks <- time.Time{} // the attempt now waits for its result
		closed := make(chan struct{})
		go func() { l.Close(); close(closed) }()
		client := &fakeClient{mode: rueidis.ClientModeStandalone}
		a.results <- attempt{client: client}
		<-closed
		if _, isClosed := client.state(); !isClosed {
			t.Fatal("a client built as Close ran was left open")
		}
		if err := l.Do(context.Background(), l.B().Ping().Build()).Error(); err == nil {
			t.Fatal("Do after Close succeeded")
		}
	})
	t.Run("before any attempt", func(t *testing.T) {
		t.Parallel()
		l := startLazy(t, newAttempts())
		l.Close()
		l.Close() // twice is harmless
	})
}
