package httpapi

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
)

// httpError is an error answer: its status, the reason a client branches
// on, the request field at fault (if one is) and the message for people.
// The HTTP layer makes some on its own, before or beside any use case (a
// problem with the request itself, a missing route, a service that is not
// ready); answerOf makes the others from the errors of the use cases.
type httpError struct {
	status  int
	reason  domain.Reason
	field   string
	message string
	// header holds headers the answer needs (Retry-After, WWW-Authenticate).
	header map[string]string
	// down names the dependencies that are down (/v1/ready).
	down []string
	// codes are links that stand in the way of a domain change.
	codes []string
}

func (e *httpError) Error() string { return e.message }

// errorBody is data of the error envelope.
type errorBody struct {
	Error  string        `json:"error"`
	Reason domain.Reason `json:"reason"`
	Field  string        `json:"field,omitempty"`
	Down   []string      `json:"down,omitempty"`
	Codes  []string      `json:"codes,omitempty"`
}

// The reasons of the HTTP layer's own answers. Every reason the service
// can answer is listed in openapi.yaml and docs/reasons.md (a test checks).
const (
	reasonBadRequest    domain.Reason = "bad_request"
	reasonInvalidJSON   domain.Reason = "invalid_json"
	reasonInvalidType   domain.Reason = "invalid_type"
	reasonDuplicate     domain.Reason = "duplicate_field"
	reasonUnknownField  domain.Reason = "unknown_field"
	reasonReadOnlyField domain.Reason = "read_only_field"
	reasonInvalidParam  domain.Reason = "invalid_parameter"
	reasonRateLimited   domain.Reason = "rate_limited"
	reasonUnauthorized  domain.Reason = "unauthorized"
	reasonNotFound      domain.Reason = "not_found"
	reasonUnavailable   domain.Reason = "unavailable"
	reasonInternal      domain.Reason = "internal"
)

// invalidRequest is a 400 the HTTP layer decides: the request's shape, not
// its values, is wrong. field is "" when no one field is at fault.
func invalidRequest(reason domain.Reason, field, message string) error {
	return &httpError{status: http.StatusBadRequest, reason: reason, field: field, message: message}
}

var bearerChallenge = map[string]string{"WWW-Authenticate": `Bearer realm="shortlink"`}

var (
	errNoRoute          = &httpError{status: http.StatusNotFound, reason: "no_route", message: "no such route"}
	errBodyTooLarge     = &httpError{status: http.StatusRequestEntityTooLarge, reason: "body_too_large", message: fmt.Sprintf("request body too large (limit %d KiB)", MaxBodyBytes>>10)}
	errNotJSON          = &httpError{status: http.StatusUnsupportedMediaType, reason: "unsupported_media_type", message: "Content-Type must be application/json"}
	errBodyNotReceived  = &httpError{status: http.StatusRequestTimeout, reason: "request_timeout", message: "the request body did not arrive in time"}
	errAPIKeyRequired   = &httpError{status: http.StatusUnauthorized, reason: reasonUnauthorized, message: "a valid API key is required to create links", header: bearerChallenge}
	errInternal         = &httpError{status: http.StatusInternalServerError, reason: reasonInternal, message: "internal server error"}
	errUnavailable      = &httpError{status: http.StatusServiceUnavailable, reason: reasonUnavailable, message: "service temporarily unavailable, please retry"}
	errMethodNotAllowed = &httpError{status: http.StatusMethodNotAllowed, reason: "method_not_allowed",
		message: "method not allowed on this route (see the Allow header)"}
)

// sentinelAnswers are the answers to the domain's sentinel errors, tried in
// order: the first that err wraps wins (ErrTakenDown wraps ErrForbidden).
var sentinelAnswers = []struct {
	err    error
	answer *httpError
}{
	{domain.ErrNotFound, &httpError{status: http.StatusNotFound, reason: reasonNotFound, message: "short link not found"}},
	{domain.ErrGone, &httpError{status: http.StatusGone, reason: "gone", message: "short link is gone: it was disabled or deleted"}},
	{domain.ErrAliasTaken, &httpError{status: http.StatusConflict, reason: "alias_taken", field: "alias", message: "alias is already taken"}},
	{domain.ErrLinkExpired, &httpError{status: http.StatusConflict, reason: "link_expired", message: domain.ErrLinkExpired.Error()}},
	{domain.ErrUnauthenticated, &httpError{status: http.StatusUnauthorized, reason: reasonUnauthorized, header: bearerChallenge,
		message: "credentials required: Authorization: Bearer <manage token or admin key>"}},
	{domain.ErrTakenDown, &httpError{status: http.StatusForbidden, reason: "taken_down", message: "an administrator took this link down; only an administrator can change or delete it"}},
	{domain.ErrRulesAdminOnly, &httpError{status: http.StatusForbidden, reason: "rules_admin_only",
		message: "only an administrator can change a link's redirect rules: like its target, they are fixed at create"}},
	{domain.ErrForbidden, &httpError{status: http.StatusForbidden, reason: "forbidden", message: "these credentials do not grant this link"}},
	{domain.ErrPasswordRequired, &httpError{status: http.StatusUnauthorized, reason: "password_required",
		message: "this link is protected by a password: POST it to /v1/shortlink/{code}/unlock as {\"password\": …}"}},
	{domain.ErrWrongPassword, &httpError{status: http.StatusForbidden, reason: "wrong_password", message: "wrong password"}},
	{domain.ErrFeatureNotEnabled, &httpError{status: http.StatusConflict, reason: "feature_not_enabled",
		message: "this feature is not enabled yet: the operator turns it on with `migrate contract` once the deploy is complete"}},
	{domain.ErrIdempotencyInProgress, &httpError{status: http.StatusConflict, reason: "idempotency_in_progress",
		message: domain.ErrIdempotencyInProgress.Error()}},
	{domain.ErrIdempotencyKeyReused, &httpError{status: http.StatusUnprocessableEntity, reason: "idempotency_key_reused",
		field: "Idempotency-Key", message: domain.ErrIdempotencyKeyReused.Error()}},
	{domain.ErrUnavailable, errUnavailable},
}

// retryAfter is the Retry-After header for a wait of d: whole seconds,
// rounded up, at least one.
func retryAfter(d time.Duration) map[string]string {
	return map[string]string{"Retry-After": strconv.Itoa(max(1, int(math.Ceil(d.Seconds()))))}
}

func errRateLimited(message string, wait time.Duration) error {
	return &httpError{status: http.StatusTooManyRequests, reason: reasonRateLimited, message: message, header: retryAfter(wait)}
}

func errNotReady(down []string) error {
	msg := "not ready: "
	for i, name := range down {
		if i > 0 {
			msg += ", "
		}
		msg += name
	}
	return &httpError{status: http.StatusServiceUnavailable, reason: "not_ready", message: msg + " unavailable", down: down}
}

// answerOf is the one table from errors to HTTP answers. Anything it does
// not know is a 500 with a generic message.
func answerOf(err error) *httpError {
	var (
		httpErr *httpError
		valErr  *domain.ValidationError
		missErr *app.TooManyMissesError
		tryErr  *app.TooManyAttemptsError
	)
	switch {
	case errors.As(err, &httpErr):
		return httpErr
	case errors.As(err, &valErr):
		return &httpError{status: http.StatusBadRequest, reason: valErr.Reason, field: valErr.Field, message: valErr.Message}
	case errors.As(err, &missErr):
		return &httpError{status: http.StatusTooManyRequests, reason: reasonRateLimited, message: missErr.Error(), header: retryAfter(missErr.RetryAfter)}
	case errors.As(err, &tryErr):
		return &httpError{status: http.StatusTooManyRequests, reason: reasonRateLimited, message: tryErr.Error(), header: retryAfter(tryErr.RetryAfter)}
	}
	for _, s := range sentinelAnswers {
		if errors.Is(err, s.err) {
			return s.answer
		}
	}
	return errInternal
}

// statusClientClosedRequest is nginx's code for a client that hung up
// before its answer. It is a metrics label only: nothing failed on our
// side, so it must not count as a 5xx, and it is never sent to a client.
const statusClientClosedRequest = 499

// clientGoneKey marks a request whose client went away before its answer.
const clientGoneKey = "shortlink.client_gone"

// answerFor is where every error answer is decided: it maps err to its
// answer (answerOf), logs what the client is not told, and sets the
// answer's headers. When the client has gone, it marks the request for the
// metrics as 499 and still answers with a standard status.
func answerFor(c *gin.Context, log *slog.Logger, err error) *httpError {
	if c.Request.Context().Err() != nil {
		c.Set(clientGoneKey, true)
		err = errBodyNotReceived
	}
	answer := answerOf(err)
	var decidedHere *httpError // answers of the HTTP layer's own making need no log line
	switch {
	case errors.As(err, &decidedHere):
	case answer.status == http.StatusServiceUnavailable:
		log.WarnContext(c, "dependency unavailable", "route", c.FullPath(), "error", err)
	case answer.status >= 500:
		log.ErrorContext(c, "request failed", "route", c.FullPath(), "error", err)
	}
	for name, value := range answer.header {
		c.Writer.Header()[name] = []string{value}
	}
	return answer
}

// writeError answers err with the error envelope (answerFor).
func writeError(c *gin.Context, log *slog.Logger, err error) {
	answer := answerFor(c, log, err)
	writeJSON(c, answer.status, envelope{Status: answer.status, Data: errorBody{
		Error: answer.message, Reason: answer.reason, Field: answer.field, Down: answer.down, Codes: answer.codes,
	}})
	c.Abort()
}

// fail answers err with the error envelope, or, to a browser following a
// short URL, with a page for people (wantsPage, failPage). Every error
// answer of the API goes through here or writeError.
func (h *Handler) fail(c *gin.Context, err error) {
	if wantsPage(c) {
		h.failPage(c, err)
		return
	}
	writeError(c, h.Log, err)
}
