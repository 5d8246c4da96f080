package redisclient

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

const (
	// deadlineTick is the resolution of WithTimeout's deadlines: an
	// operation may run up to one tick longer than asked.
	deadlineTick = 10 * time.Millisecond
	// deadlineSlots is how far ahead, in ticks, deadlines are shared; a
	// longer timeout gets a context.WithTimeout of its own.
	deadlineSlots = 256
)

// WithTimeout returns ctx bounded by timeout, like context.WithTimeout but
// without a timer of its own: every deadline that falls in the same tick
// shares one channel, which one goroutine closes when the tick has passed.
// A cache read that the process answers from memory otherwise paid for a
// timer it never needed, on every redirect. The returned context's Done
// ends at the deadline only, not when ctx is cancelled: a Redis operation
// is short and bounded by its timeout anyway. cancel releases nothing and
// may be ignored.
func WithTimeout(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	if timeout <= 0 || timeout >= (deadlineSlots-1)*deadlineTick {
		return context.WithTimeout(ctx, timeout)
	}
	w := startWheel()
	deadline := time.Now().Add(timeout)
	slot := deadline.UnixNano()/int64(deadlineTick) + 1 // the first tick after the deadline
	done := w.channel(slot)
	if done == nil { // the wheel has not caught up yet: never hand out a closed slot
		return context.WithTimeout(ctx, timeout)
	}
	return &sharedDeadlineCtx{Context: ctx, deadline: time.Unix(0, slot*int64(deadlineTick)), done: done}, func() {}
}

// sharedDeadlineCtx is ctx's values with a deadline it shares with others.
type sharedDeadlineCtx struct {
	context.Context
	deadline time.Time
	done     chan struct{}
}

func (c *sharedDeadlineCtx) Deadline() (time.Time, bool) { return c.deadline, true }
func (c *sharedDeadlineCtx) Done() <-chan struct{}       { return c.done }

func (c *sharedDeadlineCtx) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

// wheel holds one channel per future tick, in a ring; its goroutine closes
// each as its tick passes and puts a fresh one in its place.
type wheel struct {
	slots [deadlineSlots]atomic.Pointer[wheelSlot]
	// last is the last tick run has seen pass: a clock of deadlineTick's
	// resolution that costs one atomic load to read.
	last atomic.Int64
}

type wheelSlot struct {
	tick int64
	done chan struct{}
}

var (
	theWheel     *wheel
	theWheelOnce sync.Once
)

func startWheel() *wheel {
	theWheelOnce.Do(func() {
		w := &wheel{}
		now := time.Now().UnixNano() / int64(deadlineTick)
		for t := now + 1; t <= now+deadlineSlots; t++ {
			w.slots[t%deadlineSlots].Store(&wheelSlot{tick: t, done: make(chan struct{})})
		}
		w.last.Store(now)
		theWheel = w
		go w.run(now)
	})
	return theWheel
}

// channel is the channel of tick, or nil when the ring does not hold it.
func (w *wheel) channel(tick int64) chan struct{} {
	s := w.slots[tick%deadlineSlots].Load()
	if s == nil || s.tick != tick {
		return nil
	}
	return s.done
}

// run closes the channels of the ticks that have passed, for the life of
// the process (one goroutine, one ticker).
func (w *wheel) run(last int64) {
	ticker := time.NewTicker(deadlineTick)
	defer ticker.Stop()
	for range ticker.C {
		now := time.Now().UnixNano() / int64(deadlineTick)
		for t := last + 1; t <= now; t++ {
			i := t % deadlineSlots
			if s := w.slots[i].Load(); s != nil && s.tick == t {
				close(s.done)
			}
			w.slots[i].Store(&wheelSlot{tick: t + deadlineSlots, done: make(chan struct{})})
		}
		last = now
		w.last.Store(now)
	}
}

// coarseNow is the time, to deadlineTick, by the wheel's clock: what a
// breaker needs, without a system call per request.
func coarseNow() time.Duration {
	return time.Duration(startWheel().last.Load()) * deadlineTick
}
