package httpapi

import (
	"net/http"
	"sync/atomic"
)

// Drain marks the server's last phase, from SIGTERM to exit: /v1/ready
// answers 503 and every response carries Connection: close, so that a proxy
// stops reusing its keep-alive connections to this process and never sends
// a request on one the server is about to close. The zero value (and a nil
// *Drain) is not draining.
type Drain struct{ on atomic.Bool }

// Begin starts the drain; it cannot be undone.
func (d *Drain) Begin() { d.on.Store(true) }

// Active reports whether the drain has begun.
func (d *Drain) Active() bool { return d != nil && d.on.Load() }

// errDraining is /v1/ready's answer once the drain has begun: the api
// itself is going away, whatever its dependencies say.
var errDraining = &httpError{status: http.StatusServiceUnavailable, reason: "draining", message: "not ready: shutting down",
	down: []string{"api"}}
