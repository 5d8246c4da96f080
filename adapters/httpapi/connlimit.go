package httpapi

import (
	"net"
	"net/http"
	"sync"
)

// connLimiter is a listener that keeps at most max connections open. When
// they are all open and another client connects, it closes the connection
// that has been idle the longest (a keep-alive connection between
// requests) to serve the newcomer; when none is idle, the newcomer waits
// until one is, or until one closes. Active requests are never cut, and
// an idle connection otherwise lives its whole IdleTimeout, as before.
//
// Without this, a few sockets that each send one keep-alive request and
// then stay silent would hold every slot for the idle timeout, and every
// other client would wait in the listen backlog. Further connections still
// wait there, not in memory: one accepted connection at most is held while
// a slot is made free.
//
// It learns which connections are idle from http.Server.ConnState (Track),
// which net/http calls anyway on each request's start and end; the cost
// is a mutex and two list links per request.
type connLimiter struct {
	net.Listener
	max int

	mu      sync.Mutex
	open    int // accepted and not yet closed
	idle    idleConns
	waiting bool          // an Accept waits for a slot: tell it of one
	room    chan struct{} // that news, buffered (1)

	closeOnce sync.Once
	closed    chan struct{}
}

func newConnLimiter(ln net.Listener, max int) *connLimiter {
	return &connLimiter{Listener: ln, max: max, room: make(chan struct{}, 1), closed: make(chan struct{})}
}

// Accept accepts the next connection and then, when max are open, makes
// room for it: by closing the longest-idle connection, or by waiting.
func (l *connLimiter) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if err := l.admit(); err != nil {
		_ = conn.Close()
		return nil, err
	}
	return &limitedConn{Conn: conn, l: l}, nil
}

func (l *connLimiter) admit() error {
	for {
		l.mu.Lock()
		if l.open < l.max {
			l.open++
			l.waiting = false
			l.mu.Unlock()
			return nil
		}
		victim := l.idle.popOldest()
		l.waiting = victim == nil
		l.mu.Unlock()
		if victim != nil {
			_ = victim.Close() // frees its slot; its server goroutine ends on the read error
			continue
		}
		select {
		case <-l.room:
		case <-l.closed:
			return net.ErrClosed
		}
	}
}

// Close stops accepting, also in an Accept that waits for room.
func (l *connLimiter) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

// Track is the server's ConnState hook: a connection between requests
// joins the idle list, newest last; one whose next request has begun
// leaves it. Closing is counted by the connection's Close.
func (l *connLimiter) Track(c net.Conn, state http.ConnState) {
	lc, ok := c.(*limitedConn)
	if !ok {
		return
	}
	switch state {
	case http.StateIdle:
		l.mu.Lock()
		if !lc.closed {
			l.idle.push(lc)
		}
		wake := l.waiting
		l.mu.Unlock()
		if wake {
			l.wake()
		}
	case http.StateActive:
		l.mu.Lock()
		l.idle.remove(lc)
		l.mu.Unlock()
	}
}

func (l *connLimiter) wake() {
	select {
	case l.room <- struct{}{}:
	default:
	}
}

// limitedConn is a connection the limiter counts until it closes.
type limitedConn struct {
	net.Conn
	l *connLimiter
	// under l.mu:
	closed     bool
	inIdle     bool
	prev, next *limitedConn
}

// Close closes the connection and frees its slot, once: the server closes
// a connection the limiter has already closed for room.
func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	l := c.l
	l.mu.Lock()
	if c.closed {
		l.mu.Unlock()
		return err
	}
	c.closed = true
	l.idle.remove(c)
	l.open--
	wake := l.waiting
	l.mu.Unlock()
	if wake {
		l.wake()
	}
	return err
}

// idleConns is a doubly linked list of idle connections, the longest idle
// first, threaded through the connections themselves (no allocation).
type idleConns struct{ head, tail *limitedConn }

func (q *idleConns) push(c *limitedConn) {
	if c.inIdle {
		q.remove(c)
	}
	c.inIdle, c.prev, c.next = true, q.tail, nil
	if q.tail != nil {
		q.tail.next = c
	} else {
		q.head = c
	}
	q.tail = c
}

func (q *idleConns) remove(c *limitedConn) {
	if !c.inIdle {
		return
	}
	if c.prev != nil {
		c.prev.next = c.next
	} else {
		q.head = c.next
	}
	if c.next != nil {
		c.next.prev = c.prev
	} else {
		q.tail = c.prev
	}
	c.inIdle, c.prev, c.next = false, nil, nil
}

func (q *idleConns) popOldest() *limitedConn {
	c := q.head
	if c != nil {
		q.remove(c)
	}
	return c
}
