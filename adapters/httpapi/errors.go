package httpapi

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
)

// httpError is an answer the HTTP layer decides on its own, before or
// beside any use case: a problem with the request itself (size, type,
// syntax, credentials, rate), a missing route, a service that is not ready.
type httpError struct {
	status  int
	message string
	// header holds headers the answer needs (Retry-After, WWW-Authenticate).
	header map[string]string
	// extra holds data fields beside "error" (the dependencies that are down).
	extra map[string]any
}

func (e *httpError) Error() string { return e.message }

func badRequest(format string, args ...any) error {
	return &httpError{status: http.StatusBadRequest, message: fmt.Sprintf(format, args...)}
}

var (
	errNoRoute         = &httpError{status: http.StatusNotFound, message: "no such route"}
	errPanic           = &httpError{status: http.StatusInternalServerError, message: "internal server error"}
	errBodyTooLarge    = &httpError{status: http.StatusRequestEntityTooLarge, message: fmt.Sprintf("request body too large (limit %d KiB)", MaxBodyBytes>>10)}
	errNotJSON         = &httpError{status: http.StatusUnsupportedMediaType, message: "Content-Type must be application/json"}
	errBodyNotReceived = &httpError{status: http.StatusRequestTimeout, message: "the request body did not arrive in time"}
	errAPIKeyRequired  = &httpError{status: http.StatusUnauthorized, message: "a valid API key is required to create links", header: map[string]string{"WWW-Authenticate": `Bearer realm="shortlink"`}}
	errInternal        = &httpError{status: http.StatusInternalServerError, message: "internal server error"}
	errUnavailable     = &httpError{status: http.StatusServiceUnavailable, message: "service temporarily unavailable, please retry"}

	errMethodNotAllowed    = &httpError{status: http.StatusMethodNotAllowed, message: "method not allowed on this route (see the Allow header)"}
	errLinkNotFound        = &httpError{status: http.StatusNotFound, message: "short link not found"}
	errLinkGone            = &httpError{status: http.StatusGone, message: "short link is gone: it was disabled or deleted"}
	errCredentialsRequired = &httpError{status: http.StatusUnauthorized, message: "credentials required: Authorization: Bearer <manage token or admin key>",
		header: map[string]string{"WWW-Authenticate": `Bearer realm="shortlink"`}}
)

func errRateLimited(message string, retryAfterSeconds int) error {
	return &httpError{status: http.StatusTooManyRequests, message: message,
		header: map[string]string{"Retry-After": strconv.Itoa(retryAfterSeconds)}}
}

func errNotReady(down []string) error {
	msg := "not ready: "
	for i, name := range down {
		if i > 0 {
			msg += ", "
		}
		msg += name
	}
	return &httpError{status: http.StatusServiceUnavailable, message: msg + " unavailable", extra: map[string]any{"down": down}}
}

// answerOf is the one table from errors to HTTP answers. Anything it does
// not know is a 500 with a generic message.
func answerOf(err error) *httpError {
	var (
		httpErr *httpError
		valErr  *domain.ValidationError
		missErr *app.TooManyMissesError
	)
	switch {
	case errors.As(err, &httpErr):
		return httpErr
	case errors.As(err, &valErr):
		return &httpError{status: http.StatusBadRequest, message: valErr.Error()}
	case errors.As(err, &missErr):
		return &httpError{status: http.StatusTooManyRequests, message: missErr.Error(),
			header: map[string]string{"Retry-After": strconv.Itoa(max(1, int(math.Ceil(missErr.RetryAfter.Seconds()))))}}
	case errors.Is(err, domain.ErrNotFound):
		return errLinkNotFound
	case errors.Is(err, domain.ErrGone):
		return errLinkGone
	case errors.Is(err, domain.ErrAliasTaken):
		return &httpError{status: http.StatusConflict, message: "alias is already taken"}
	case errors.Is(err, domain.ErrLinkExpired):
		return &httpError{status: http.StatusConflict, message: domain.ErrLinkExpired.Error()}
	case errors.Is(err, domain.ErrUnauthenticated):
		return errCredentialsRequired
	case errors.Is(err, domain.ErrAdminOnly):
		return &httpError{status: http.StatusForbidden, message: domain.ErrAdminOnly.Error()}
	case errors.Is(err, domain.ErrForbidden):
		return &httpError{status: http.StatusForbidden, message: "these credentials do not grant this link"}
	case errors.Is(err, domain.ErrUnavailable):
		return errUnavailable
	default:
		return errInternal
	}
}

// statusClientClosedRequest is nginx's code for a client that hung up
// before its answer. It is a metrics label only: nothing failed on our
// side, so it must not count as a 5xx, and it is never sent to a client.
const statusClientClosedRequest = 499

// clientGoneKey marks a request whose client went away before its answer.
const clientGoneKey = "shortlink.client_gone"

// fail answers err with the error envelope, logging what the client is not
// told. Every error answer of the API goes through here.
func (h *Handler) fail(c *gin.Context, err error) {
	writeError(c, h.Log, err)
}
