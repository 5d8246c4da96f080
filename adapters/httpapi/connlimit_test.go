package httpapi

import (
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
)

// TestIdleConnectionsLeaveOldestFirst drives the limiter's bookkeeping
// directly, in an order no scheduler can shuffle: at the cap, the
// connection idle the longest is closed for a newcomer; a connection whose
// next request has begun is not idle, and one idle again is the newest.
func TestIdleConnectionsLeaveOldestFirst(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := newConnLimiter(ln, 3)
	defer l.Close()
	conns := make([]*limitedConn, 3)
	peers := make([]net.Conn, 3)
	for i := range conns {
		if err := l.admit(); err != nil {
			t.Fatal(err)
		}
		var server net.Conn
		server, peers[i] = net.Pipe()
		conns[i] = &limitedConn{Conn: server, l: l}
	}
	for _, c := range conns {
		l.Track(c, http.StateIdle) // idle in the order 0, 1, 2
	}
	l.Track(conns[0], http.StateActive) // 0 has a request in progress
	l.Track(conns[0], http.StateIdle)   // and is the newest idle one: 1, 2, 0

	for _, want := range []int{1, 2, 0} {
		if err := l.admit(); err != nil { // a newcomer, at the cap
			t.Fatal(err)
		}
		if _, err := peers[want].Read(make([]byte, 1)); !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrClosedPipe) {
			t.Fatalf("connection %d was not the one closed: read = %v", want, err)
		}
		if l.open != 3 {
			t.Fatalf("%d connections counted open after one was closed for a newcomer, want 3", l.open)
		}
	}
}
