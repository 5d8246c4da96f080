package httpapi_test

import (
	"bufio"
	"context"
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

// TestServerCapsConnections: with a cap of 2, two idle keep-alive
// connections are all it serves; a third waits in the backlog, unanswered,
// instead of costing a file descriptor, and is served once one closes.
func TestServerCapsConnections(t *testing.T) {
	t.Parallel()
	srv := httpapi.NewServer("127.0.0.1:0", 2, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop(context.Background()) })
	addr := srv.Addr().String()
	request := func(conn net.Conn, wait time.Duration) error {
		if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			return err
		}
		_ = conn.SetReadDeadline(time.Now().Add(wait))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	var held []net.Conn
	for range 2 {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		if err := request(conn, 5*time.Second); err != nil {
			t.Fatalf("connection within the cap: %v", err)
		}
		held = append(held, conn) // idle keep-alive from now on
	}
	third, err := net.Dial("tcp", addr) // the kernel accepts it into the backlog
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	if err := request(third, 300*time.Millisecond); err == nil {
		t.Fatal("a third connection was served past a cap of 2")
	}
	held[0].Close()
	if err := request(third, 5*time.Second); err != nil {
		t.Fatalf("the waiting connection was not served once another closed: %v", err)
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
