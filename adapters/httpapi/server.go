package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"golang.org/x/net/netutil"
)

// Server is the HTTP server with timeouts against slow clients and a
// graceful stop that lets in-flight requests finish.
type Server struct {
	srv      *http.Server
	maxConns int
	log      *slog.Logger
	ln       net.Listener
}

// NewServer serves handler on addr once started, to at most maxConns
// connections at once (0: no cap); further connections wait in the
// listen backlog rather than use up file descriptors.
func NewServer(addr string, maxConns int, handler http.Handler, log *slog.Logger) *Server {
	return &Server{
		log:      log,
		maxConns: maxConns,
		srv: &http.Server{
			Addr:              addr,
			Handler:           handler,
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       10 * time.Second,
			WriteTimeout:      15 * time.Second,
			// Longer than nginx's upstream keep-alive (30 s), so the proxy
			// never reuses a connection the server is closing.
			IdleTimeout:    75 * time.Second,
			MaxHeaderBytes: 16 << 10,
			ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		},
	}
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
		ln = netutil.LimitListener(ln, s.maxConns)
	}
	s.log.Info("api listening", "addr", ln.Addr().String())
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("server stopped", "error", err)
		}
	}()
	return nil
}

// Addr is the address the server listens on once started.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Stop stops accepting connections and waits, until ctx ends, for in-flight
// requests to finish.
func (s *Server) Stop(ctx context.Context) error {
	s.log.Info("api shutting down; draining in-flight requests")
	return s.srv.Shutdown(ctx)
}
