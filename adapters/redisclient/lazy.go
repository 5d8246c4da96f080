package redisclient

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/rueidis"
)

// rebuildEvery is how often a lazy client tries again to reach a Redis it
// has never reached.
const rebuildEvery = 250 * time.Millisecond

// errRebuilt fails a command built before the client reached its Redis and
// sent after: built for a standalone server, it cannot be routed in a
// cluster. The caller meets it once, as an outage, and builds anew.
var errRebuilt = errors.New("redis client connected while the command was being built; retry")

// lazy is a rueidis.Client for a Redis that did not answer when the process
// started. rueidis cannot build a cluster client, nor tell a cluster from a
// standalone server, without reaching a seed, so lazy tries again every
// rebuildEvery in the background and, meanwhile, fails every command at once
// with an outage error. The client it builds then serves every command for
// the rest of the process: rueidis redials nodes and refreshes the cluster
// topology by itself from there on.
type lazy struct {
	opt   rueidis.ClientOption
	build func(rueidis.ClientOption) (rueidis.Client, error)

	current atomic.Pointer[built]
	lastErr atomic.Pointer[error]

	mu     sync.Mutex // orders installing a built client against Close
	closed bool
	stop   chan struct{}
	done   chan struct{}
}

// built is the client lazy delegates to once its Redis answered.
type built struct {
	rueidis.Client
	cluster bool
}

// newLazy returns a lazy client for opt whose first attempt failed with
// err, and starts its attempts: build makes the client (rueidis.NewClient
// in production), every tick of next tries once more.
func newLazy(opt rueidis.ClientOption, err error, build func(rueidis.ClientOption) (rueidis.Client, error), next func() <-chan time.Time) *lazy {
	l := &lazy{opt: opt, build: build, stop: make(chan struct{}), done: make(chan struct{})}
	l.lastErr.Store(&err)
	go l.connect(next)
	return l
}

func (l *lazy) connect(next func() <-chan time.Time) {
	defer close(l.done)
	for {
		select {
		case <-l.stop:
			return
		case <-next():
		}
		client, err := l.build(l.opt)
		if err != nil {
			if client != nil {
				client.Close()
			}
			l.lastErr.Store(&err)
			continue
		}
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			client.Close()
			return
		}
		l.current.Store(&built{Client: client, cluster: client.Mode() == rueidis.ClientModeCluster})
		l.mu.Unlock()
		return
	}
}

// client is the built client, or nil while the Redis has not answered yet.
func (l *lazy) client() *built { return l.current.Load() }

// notConnected is the error of every command sent before the Redis
// answered: an outage (ErrUnavailable once wrapped) unless the last attempt
// met a configuration error, such as a wrong password, which it carries.
func (l *lazy) notConnected() error {
	return fmt.Errorf("redis %v not reached yet: %w", l.opt.InitAddress, *l.lastErr.Load())
}

// routable reports whether a command with slot, built while l had no
// client, may go to b: a standalone client takes any command, a cluster
// client only those built for a cluster, whose slot lacks the no-slot bit.
func (b *built) routable(slot uint16) bool { return !b.cluster || slot&noSlot() == 0 }

// noSlot is the bit rueidis sets in the slot of every command a standalone
// client's builder makes; a cluster client's builder never sets it.
var noSlot = sync.OnceValue(func() uint16 {
	cmd := placeholderBuilder().Ping().Build()
	return cmd.Slot()
})

// placeholderBuilder is a standalone client's command builder, for the
// commands built before the Redis answered: a client forced to single-node
// mode whose dial always fails hands one out without any network.
var placeholderBuilder = sync.OnceValue(func() rueidis.Builder {
	errNoDial := errors.New("placeholder client: never dials")
	client, _ := rueidis.NewClient(rueidis.ClientOption{
		InitAddress:       []string{"placeholder:0"},
		ForceSingleClient: true,
		DisableCache:      true,
		DialCtxFn: func(context.Context, string, *net.Dialer, *tls.Config) (net.Conn, error) {
			return nil, errNoDial
		},
	})
	defer client.Close()
	return client.B()
})

// B implements rueidis.Client: the built client's builder, or a standalone
// one until then.
func (l *lazy) B() rueidis.Builder {
	if b := l.client(); b != nil {
		return b.B()
	}
	return placeholderBuilder()
}

// clientFor is the built client for n commands, whose slots slot gives,
// or why they cannot be sent: no client yet (notConnected), or a command
// built for the other mode (errRebuilt).
func (l *lazy) clientFor(n int, slot func(i int) uint16) (*built, error) {
	b := l.client()
	if b == nil {
		return nil, l.notConnected()
	}
	for i := range n {
		if !b.routable(slot(i)) {
			return nil, errRebuilt
		}
	}
	return b, nil
}

// errorResults is n results that all fail with err.
func errorResults(n int, err error) []rueidis.RedisResult {
	results := make([]rueidis.RedisResult, n)
	for i := range results {
		results[i] = rueidis.NewErrorResult(err)
	}
	return results
}

// Do implements rueidis.Client.
func (l *lazy) Do(ctx context.Context, cmd rueidis.Completed) rueidis.RedisResult {
	b, err := l.clientFor(1, func(int) uint16 { return cmd.Slot() })
	if err != nil {
		return rueidis.NewErrorResult(err)
	}
	return b.Do(ctx, cmd)
}

// DoMulti implements rueidis.Client.
func (l *lazy) DoMulti(ctx context.Context, multi ...rueidis.Completed) []rueidis.RedisResult {
	b, err := l.clientFor(len(multi), func(i int) uint16 { return multi[i].Slot() })
	if err != nil {
		return errorResults(len(multi), err)
	}
	return b.DoMulti(ctx, multi...)
}

// DoCache implements rueidis.Client.
func (l *lazy) DoCache(ctx context.Context, cmd rueidis.Cacheable, ttl time.Duration) rueidis.RedisResult {
	b, err := l.clientFor(1, func(int) uint16 { return cmd.Slot() })
	if err != nil {
		return rueidis.NewErrorResult(err)
	}
	return b.DoCache(ctx, cmd, ttl)
}

// DoMultiCache implements rueidis.Client.
func (l *lazy) DoMultiCache(ctx context.Context, multi ...rueidis.CacheableTTL) []rueidis.RedisResult {
	b, err := l.clientFor(len(multi), func(i int) uint16 { return multi[i].Cmd.Slot() })
	if err != nil {
		return errorResults(len(multi), err)
	}
	return b.DoMultiCache(ctx, multi...)
}

// DoStream implements rueidis.Client.
func (l *lazy) DoStream(ctx context.Context, cmd rueidis.Completed) rueidis.RedisResultStream {
	b, err := l.clientFor(1, func(int) uint16 { return cmd.Slot() })
	if err != nil {
		return rueidis.NewErrorResultStream(err)
	}
	return b.DoStream(ctx, cmd)
}

// DoMultiStream implements rueidis.Client.
func (l *lazy) DoMultiStream(ctx context.Context, multi ...rueidis.Completed) rueidis.MultiRedisResultStream {
	b, err := l.clientFor(len(multi), func(i int) uint16 { return multi[i].Slot() })
	if err != nil {
		return rueidis.NewErrorResultStream(err)
	}
	return b.DoMultiStream(ctx, multi...)
}

// Receive implements rueidis.Client.
func (l *lazy) Receive(ctx context.Context, subscribe rueidis.Completed, fn func(rueidis.PubSubMessage)) error {
	b, err := l.clientFor(1, func(int) uint16 { return subscribe.Slot() })
	if err != nil {
		return err
	}
	return b.Receive(ctx, subscribe, fn)
}

// Dedicated implements rueidis.Client.
func (l *lazy) Dedicated(fn func(rueidis.DedicatedClient) error) error {
	b := l.client()
	if b == nil {
		return l.notConnected()
	}
	return b.Dedicated(fn)
}

// Dedicate implements rueidis.Client; it returns a nil client (and a no-op
// cancel) until the Redis has answered.
func (l *lazy) Dedicate() (rueidis.DedicatedClient, func()) {
	b := l.client()
	if b == nil {
		return nil, func() {}
	}
	return b.Dedicate()
}

// Nodes implements rueidis.Client: none until the Redis has answered.
func (l *lazy) Nodes() map[string]rueidis.Client {
	if b := l.client(); b != nil {
		return b.Nodes()
	}
	return map[string]rueidis.Client{}
}

// Mode implements rueidis.Client: standalone until the Redis has answered
// and said otherwise.
func (l *lazy) Mode() rueidis.ClientMode {
	if b := l.client(); b != nil {
		return b.Mode()
	}
	return rueidis.ClientModeStandalone
}

// Close implements rueidis.Client: it stops the attempts and closes the
// built client, if any.
func (l *lazy) Close() {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.closed = true
	close(l.stop)
	l.mu.Unlock()
	<-l.done
	if b := l.client(); b != nil {
		b.Close()
	}
}
