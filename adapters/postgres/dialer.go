package postgres

import (
	"context"
	"errors"
	"net"
	"time"
)

// ioTimeoutDialer dials connections whose every read and write fails once
// it has blocked for timeout. lib/pq does not abort a query when its
// context ends: it sends Postgres a cancel request and goes on waiting for
// the reply, so against a server that has stopped answering (a network
// partition, a frozen host) a request would hang until TCP gave up. With
// the deadline the wait ends, the connection is discarded and the caller
// gets domain.ErrUnavailable. Every statement of the service takes
// milliseconds, so timeout never cuts a healthy one short.
type ioTimeoutDialer struct {
	net.Dialer
	timeout time.Duration
}

func (d ioTimeoutDialer) Dial(network, address string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, address)
}

func (d ioTimeoutDialer) DialTimeout(network, address string, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return d.DialContext(ctx, network, address)
}

func (d ioTimeoutDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	conn, err := d.Dialer.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	return &ioTimeoutConn{Conn: conn, timeout: d.timeout}, nil
}

// ioTimeoutConn fails a read or write that blocks past timeout, and once
// one has failed it closes the connection, so that nothing after it (lib/pq
// draining a reply, sending a terminate) can block for another timeout.
type ioTimeoutConn struct {
	net.Conn
	timeout time.Duration
}

func (c *ioTimeoutConn) Read(b []byte) (int, error) {
	if err := c.SetReadDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, err
	}
	n, err := c.Conn.Read(b)
	c.closeOnTimeout(err)
	return n, err
}

func (c *ioTimeoutConn) Write(b []byte) (int, error) {
	if err := c.SetWriteDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, err
	}
	n, err := c.Conn.Write(b)
	c.closeOnTimeout(err)
	return n, err
}

func (c *ioTimeoutConn) closeOnTimeout(err error) {
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		_ = c.Close()
	}
}
