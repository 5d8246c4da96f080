package httpapi_test

import (
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
)

// TestStopDrainsBeforeItStopsAccepting is SIGTERM behind a proxy: for the
// drain period the server still accepts and serves, /v1/ready says 503 and
// every response closes its connection (so the proxy drops its keep-alive
// connections to this server itself); only then does it stop accepting.
// The drain here lasts until the test cancels Stop's context.
func TestStopDrainsBeforeItStopsAccepting(t *testing.T) {
	t.Parallel()
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	drain := &httpapi.Drain{}
	up := func(context.Context) error { return nil }
	handler := httpapi.NewHandler(httpapi.Deps{
		Readiness: app.NewReadiness(time.Second, app.DependencyCheck{Name: "store", Ping: up}),
		Log:       log, Drain: drain,
	}, httpapi.Options{PublicBaseURL: "https://sho.rt"})
	engine, err := httpapi.NewRouter(handler, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	server := httpapi.NewServer("127.0.0.1:0", 0, engine, log)
	server.DrainFirst(time.Hour, drain)
	if err := server.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	base := "http://" + server.Addr().String()
	client := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(client.CloseIdleConnections)

	get := func(path string) *http.Response {
		t.Helper()
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Header.Set("X-Test-Body", string(body))
		return resp
	}
	if r := get("/v1/ready"); r.StatusCode != http.StatusOK || r.Close {
		t.Fatalf("ready before SIGTERM = %d (close %v), want 200 on a kept-alive connection", r.StatusCode, r.Close)
	}

	stopCtx, endDrain := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- server.Stop(stopCtx) }()
	for !drain.Active() {
		runtime.Gosched()
	}

	r := get("/v1/ready")
	if r.StatusCode != http.StatusServiceUnavailable || !strings.Contains(r.Header.Get("X-Test-Body"), "not ready: shutting down") {
		t.Errorf("ready while draining = %d %s, want 503 not ready: shutting down", r.StatusCode, r.Header.Get("X-Test-Body"))
	}
	for _, path := range []string{"/v1/ready", "/v1/health"} {
		client.CloseIdleConnections() // a connection made while draining: still accepted
		if r := get(path); !r.Close { // net/http reads Connection: close into Close
			t.Errorf("GET %s while draining kept the connection open, want Connection: close", path)
		}
	}
	if r := get("/v1/health"); r.StatusCode != http.StatusOK {
		t.Errorf("health while draining = %d, want 200: the server still serves", r.StatusCode)
	}

	endDrain()
	if err := <-stopped; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("Stop = %v", err)
	}
	if conn, err := net.Dial("tcp", server.Addr().String()); err == nil {
		conn.Close()
		t.Fatal("the server still accepts connections after Stop")
	} else if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial after Stop: %v, want connection refused", err)
	}
}
