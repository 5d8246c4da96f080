package httpapi_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/shortlink/shortlink/adapters/httpapi"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/ports"
)

// keptAlive is a client connection the server has accepted, for requests
// one after another as a proxy's keep-alive connection sends them.
type keptAlive struct {
	conn net.Conn
	r    *bufio.Reader
}

func dialKeptAlive(t *testing.T, addr string) *keptAlive {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &keptAlive{conn: conn, r: bufio.NewReader(conn)}
}

// answer is what get read: the status, whether the server asked to close
// the connection (net/http reads Connection: close into Close) and the body.
type answer struct {
	status int
	close  bool
	body   string
}

// get sends GET path and reads the whole answer.
func (k *keptAlive) get(t *testing.T, path string) answer {
	t.Helper()
	if _, err := io.WriteString(k.conn, "GET "+path+" HTTP/1.1\r\nHost: test\r\n\r\n"); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	resp, err := http.ReadResponse(k.r, nil)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: body: %v", path, err)
	}
	return answer{status: resp.StatusCode, close: resp.Close, body: string(body)}
}

// TestStopRefusesNewConnectionsThenDrainsTheOpenOnes is SIGTERM behind a
// proxy: the server stops accepting at once, then for the drain period
// serves the connections it has, with /v1/ready at 503 and every response
// closing its connection; when the drain ends it closes the idle ones left.
// The drain here lasts until the test cancels Stop's context.
func TestStopRefusesNewConnectionsThenDrainsTheOpenOnes(t *testing.T) {
	t.Parallel()
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	drain := &httpapi.Drain{}
	up := func(context.Context) error { return nil }
	handler := httpapi.NewHandler(httpapi.Deps{
		Readiness: app.NewReadiness(time.Second, ports.DependencyCheck{Name: "store", Ping: up}),
		Log:       log, Drain: drain,
	}, httpapi.Options{PublicBaseURL: "https://sho.rt"})
	engine, err := httpapi.NewRouter(handler, prometheus.NewRegistry(), nil)
	if err != nil {
		t.Fatal(err)
	}
	server := httpapi.NewServer("127.0.0.1:0", 0, engine, log)
	server.DrainFirst(time.Hour, drain)
	if err := server.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	addr := server.Addr().String()

	conns := make([]*keptAlive, 3)
	for i := range conns {
		conns[i] = dialKeptAlive(t, addr)
		if a := conns[i].get(t, "/v1/ready"); a.status != http.StatusOK || a.close {
			t.Fatalf("ready before SIGTERM = %d (close %v), want 200 on a kept-alive connection", a.status, a.close)
		}
	}

	stopCtx, endDrain := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- server.Stop(stopCtx) }()
	for !drain.Active() {
		runtime.Gosched()
	}
	for { // the listener closes right after the drain begins
		conn, err := net.Dial("tcp", addr)
		if errors.Is(err, syscall.ECONNRESET) {
			continue // a connect that raced the close of the listener: try again
		}
		if err != nil {
			if !errors.Is(err, syscall.ECONNREFUSED) {
				t.Fatalf("dial while draining: %v, want connection refused", err)
			}
			break
		}
		conn.Close()
		runtime.Gosched()
	}

	if a := conns[0].get(t, "/v1/ready"); a.status != http.StatusServiceUnavailable || !strings.Contains(a.body, `"reason":"draining"`) || !strings.Contains(a.body, "not ready: shutting down") || !a.close {
		t.Errorf("ready while draining = %d %s (close %v), want 503 not ready: shutting down, closing", a.status, a.body, a.close)
	}
	if a := conns[1].get(t, "/v1/health"); a.status != http.StatusOK || !a.close {
		t.Errorf("health while draining = %d (close %v), want 200 on a connection the server then closes", a.status, a.close)
	}

	endDrain()
	if err := <-stopped; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("Stop = %v", err)
	}
	if _, err := conns[2].r.ReadByte(); !errors.Is(err, io.EOF) {
		t.Fatalf("the connection left idle through the drain: read = %v, want EOF (closed by the server)", err)
	}
}
