package httpapi

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/shortlink/shortlink/domain"
)

// requestError is a problem with the HTTP request itself (its size, type or
// syntax), found before any use case runs.
type requestError struct {
	status  int
	message string
}

func (e *requestError) Error() string { return e.message }

func badRequest(format string, args ...any) error {
	return &requestError{status: http.StatusBadRequest, message: fmt.Sprintf(format, args...)}
}

// statusOf is the one table from errors to HTTP statuses and client-facing
// messages. Anything it does not know is a 500 with a generic message.
func statusOf(err error) (int, string) {
	var (
		reqErr *requestError
		valErr *domain.ValidationError
	)
	switch {
	case errors.As(err, &reqErr):
		return reqErr.status, reqErr.message
	case errors.As(err, &valErr):
		return http.StatusBadRequest, valErr.Error()
	case errors.Is(err, domain.ErrNotFound):
		return http.StatusNotFound, "short link not found"
	case errors.Is(err, domain.ErrAliasTaken):
		return http.StatusConflict, "alias is already taken"
	case errors.Is(err, domain.ErrUnavailable):
		return http.StatusServiceUnavailable, "service temporarily unavailable, please retry"
	default:
		return http.StatusInternalServerError, "internal server error"
	}
}

// statusClientClosedRequest is nginx's code for a client that hung up
// before its answer: nothing failed on our side, so it must not count as a 5xx.
const statusClientClosedRequest = 499

// fail writes err as the error envelope, logging what the client is not told.
func (h *Handler) fail(c *gin.Context, err error) {
	if c.Request.Context().Err() != nil { // the client is gone; the answer is for the logs and metrics
		c.Status(statusClientClosedRequest)
		return
	}
	status, message := statusOf(err)
	switch {
	case status >= 500 && status != http.StatusServiceUnavailable:
		h.log.ErrorContext(c, "request failed", "route", c.FullPath(), "error", err)
	case status == http.StatusServiceUnavailable:
		h.log.WarnContext(c, "dependency unavailable", "route", c.FullPath(), "error", err)
	}
	writeJSON(c, status, envelope{Status: status, Data: errorBody{Error: message}})
}
