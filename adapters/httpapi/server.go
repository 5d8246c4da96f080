package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Server is the HTTP server with timeouts against slow clients and a
// graceful stop: a drain, then the in-flight requests finish.
type Server struct {
	name     string // in log lines: "api", "metrics"
	srv      *http.Server
	handler  http.Handler
	maxConns int
	log      *slog.Logger
	ln       net.Listener  // the socket, for Addr
	serving  net.Listener  // what Serve accepts from (ln, maybe limited)
	served   chan struct{} // closed once Serve has returned

	drain    *Drain
	drainFor time.Duration

	onListening func(net.Addr) // nil: nothing
}

// NewServer serves handler on addr once started, to at most maxConns
// connections at once (0: no cap). At the cap, a new client is served in
// place of the connection idle the longest; when none is idle, further
// connections wait in the listen backlog rather than use up file
// descriptors (connLimiter).
func NewServer(addr string, maxConns int, handler http.Handler, log *slog.Logger) *Server {
	s := &Server{name: "api", log: log, maxConns: maxConns, handler: handler, drain: &Drain{}}
	s.srv = &http.Server{
		Addr:              addr,
		Handler:           s,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		// Longer than nginx's upstream keep-alive and the AWS load
		// balancer's 60 s, so a proxy never reuses a connection the server
		// is closing (a 502).
		IdleTimeout:    75 * time.Second,
		MaxHeaderBytes: 16 << 10,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return s
}

// DrainFirst makes Stop drain for period before it closes the connections
// left, with d as the drain's state (the one /v1/ready reports). Call it
// before Start.
func (s *Server) DrainFirst(period time.Duration, d *Drain) {
	s.drainFor, s.drain = period, d
}

// OnListening makes Start call f with the address it listens on, before
// it logs anything about it. Call it before Start.
func (s *Server) OnListening(f func(net.Addr)) { s.onListening = f }

// ServeHTTP serves the handler, asking the client to close its connection
// once the drain has begun (one atomic load a request until then).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.drain.Active() {
		w.Header()["Connection"] = []string{"close"}
	}
	s.handler.ServeHTTP(w, r)
}

// Start listens, failing at once if the address is taken, and serves in the
// background.
func (s *Server) Start(context.Context) error {
	ln, err := net.Listen("tcp", s.srv.Addr)
	if err != nil {
		return err
	}
	s.ln = ln
	if s.maxConns > 0 {
		limiter := newConnLimiter(ln, s.maxConns)
		s.srv.ConnState = limiter.Track
		ln = limiter
	}
	s.serving, s.served = ln, make(chan struct{})
	if s.onListening != nil {
		s.onListening(ln.Addr())
	}
	s.log.Info(s.name+" listening", "addr", ln.Addr().String())
	go func() {
		defer close(s.served)
		err := s.srv.Serve(ln)
		stopping := errors.Is(err, http.ErrServerClosed) || s.drain.Active() && errors.Is(err, net.ErrClosed)
		if err != nil && !stopping {
			s.log.Error("server stopped", "error", err)
		}
	}()
	return nil
}

// Addr is the address the server listens on once started.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Stop stops accepting connections at once (a proxy's next connect is
// refused, which it may retry on another replica whatever the method,
// since nothing was sent), then drains: for the DrainFirst period, cut
// short if ctx ends, it goes on serving the connections it has, answering
// /v1/ready with 503 and closing each connection after its response, so a
// proxy drops its keep-alive connections to this server itself and never
// sends a request on one the server is closing. Then it closes the idle
// connections left and waits, until ctx ends, for in-flight requests.
//
// Stopping to accept first, not last, matters behind nginx: a connection
// the kernel has completed but the server not yet accepted is reset when
// the listener closes, after the proxy has sent its request on it, and a
// POST cut so is not retried (a 502 to the client). Before the drain the
// proxy reuses its keep-alive connections and rarely opens one; during it,
// every request would open one.
func (s *Server) Stop(ctx context.Context) error {
	s.drain.Begin()
	if s.serving != nil {
		_ = s.serving.Close()
		<-s.served
	}
	if s.drainFor > 0 {
		s.log.Info(s.name+" draining: no new connections, not ready, closing each connection after its response", "for", s.drainFor.String())
		timer := time.NewTimer(s.drainFor)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
		}
	}
	s.log.Info(s.name + " shutting down; finishing in-flight requests")
	return s.srv.Shutdown(ctx)
}
