package httpapi_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/shortlink/shortlink/adapters/httpapi"
)

// capClient is a raw client connection for the connection-cap tests: it
// sends one keep-alive request at a time and reads its answer.
type capClient struct {
	conn net.Conn
	r    *bufio.Reader
}

func dialCap(t *testing.T, addr string) *capClient {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &capClient{conn: conn, r: bufio.NewReader(conn)}
}

func (c *capClient) send(t *testing.T, path string) {
	t.Helper()
	if _, err := io.WriteString(c.conn, "GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatalf("send %s: %v", path, err)
	}
}

// answer reads one response within wait; an error when none came.
func (c *capClient) answer(wait time.Duration) (int, error) {
	_ = c.conn.SetReadDeadline(time.Now().Add(wait))
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}

// capServer serves 204 at once, and at /slow only once release is closed.
func capServer(t *testing.T, maxConns int, release <-chan struct{}) string {
	t.Helper()
	srv := httpapi.NewServer("127.0.0.1:0", maxConns, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			<-release
		}
		w.WriteHeader(http.StatusNoContent)
	}), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop(context.Background()) })
	return srv.Addr().String()
}

// TestIdleConnectionsCannotLockOutNewClients is the lock-out attack: eight
// sockets each send one keep-alive request and go silent, filling a cap of
// 8 for the whole idle timeout (75 s). A new client is now served within a
// second, in place of the socket idle the longest, which the server
// closes; the other idle sockets are left alone and still served.
func TestIdleConnectionsCannotLockOutNewClients(t *testing.T) {
	t.Parallel()
	const maxConns = 8
	addr := capServer(t, maxConns, nil)
	idle := make([]*capClient, maxConns)
	for i := range idle {
		idle[i] = dialCap(t, addr)
		idle[i].send(t, "/")
		if _, err := idle[i].answer(5 * time.Second); err != nil {
			t.Fatalf("connection %d within the cap: %v", i, err)
		}
	}
	newcomer := dialCap(t, addr)
	newcomer.send(t, "/")
	if status, err := newcomer.answer(time.Second); err != nil || status != http.StatusNoContent {
		t.Fatalf("a new client with the cap filled by idle keep-alive sockets: %d, %v; want 204 within a second", status, err)
	}
	// One idle socket was closed for it, the one idle the longest by the
	// server's clock (TestIdleConnectionsLeaveOldestFirst holds the order:
	// here a socket's turn to go idle may come after the next one's); the
	// others are still served.
	closed := -1
	for i, c := range idle {
		_ = c.conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		if _, err := c.r.ReadByte(); errors.Is(err, io.EOF) {
			if closed >= 0 {
				t.Fatalf("idle sockets %d and %d were both closed for one newcomer", closed, i)
			}
			closed = i
		}
	}
	if closed < 0 {
		t.Fatal("no idle socket was closed, yet the newcomer was served past the cap")
	}
	for i, c := range idle {
		if i == closed {
			continue
		}
		c.send(t, "/")
		if _, err := c.answer(5 * time.Second); err != nil {
			t.Fatalf("idle socket %d, not the one closed, was cut too: %v", i, err)
		}
	}
}

// TestActiveRequestsKeepTheirConnections: a cap filled by requests in
// progress is not made room in: a newcomer waits, unanswered and not
// refused, and is served once a request ends (its connection, idle then,
// is the one closed). No request in progress is cut.
func TestActiveRequestsKeepTheirConnections(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	addr := capServer(t, 2, release)
	slow := []*capClient{dialCap(t, addr), dialCap(t, addr)}
	for _, c := range slow {
		c.send(t, "/slow")
	}
	newcomer := dialCap(t, addr)
	newcomer.send(t, "/")
	if _, err := newcomer.answer(300 * time.Millisecond); err == nil {
		t.Fatal("a newcomer was served while both slots held requests in progress")
	}
	close(release)
	for i, c := range slow {
		if status, err := c.answer(5 * time.Second); err != nil || status != http.StatusNoContent {
			t.Fatalf("request in progress %d: %d, %v; want its 204", i, status, err)
		}
	}
	// The newcomer's read deadline passed: wait again for the same answer.
	if status, err := newcomer.answer(5 * time.Second); err != nil || status != http.StatusNoContent {
		t.Fatalf("the newcomer once a request ended: %d, %v; want 204", status, err)
	}
}

// TestConnectionCapServesNewcomersInTurn: with one slot, newcomers are
// served one after another, each in place of the idle one before it.
func TestConnectionCapServesNewcomersInTurn(t *testing.T) {
	t.Parallel()
	addr := capServer(t, 1, nil)
	var prev *capClient
	for i := range 5 {
		c := dialCap(t, addr)
		c.send(t, "/")
		if status, err := c.answer(2 * time.Second); err != nil || status != http.StatusNoContent {
			t.Fatalf("client %d: %d, %v", i, status, err)
		}
		if prev != nil {
			_ = prev.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := prev.r.ReadByte(); !errors.Is(err, io.EOF) {
				t.Fatalf("client %d's idle connection was not closed for client %d: %v", i-1, i, err)
			}
		}
		prev = c
	}
}

// stalledBody is a request body whose client stopped sending: the read
// fails the way it does when the server's read deadline passes.
type stalledBody struct{}

func (stalledBody) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// TestStalledClientGetsAStandardStatus: a client that stalls mid-body and
// is gone gets 408 written (never the non-standard 499, which gin used to
// send as "HTTP/1.1 499 status code 499"), and the metrics count a 499,
// not a 5xx or a 4xx of the client's making.
func TestStalledClientGetsAStandardStatus(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	router, err := httpapi.NewRouter(httpapi.NewHandler(httpapi.Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil))},
		httpapi.Options{PublicBaseURL: "https://sho.rt"}), reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the connection is gone
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/v1/shortlink", stalledBody{})
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	router.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestTimeout {
		t.Fatalf("status written = %d, want 408", rec.Code)
	}
	metrics := httptest.NewRecorder()
	router.ServeHTTP(metrics, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if want := `shortlink_http_requests_total{method="POST",route="/v1/shortlink",status="499"} 1`; !strings.Contains(metrics.Body.String(), want) {
		t.Fatalf("metrics lack %s:\n%s", want, metrics.Body)
	}
}
