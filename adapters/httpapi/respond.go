package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
)

// envelope is the shape of every JSON response but /v1/health.
type envelope struct {
	Status int `json:"status"`
	Data   any `json:"data"`
}

// writeJSON writes v with the headers every JSON response carries: nothing
// in it may be cached, sniffed as HTML, framed or allowed to load anything.
func writeJSON(c *gin.Context, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil { // only our own response types reach here, and they marshal
		body, status = []byte(`{"status":500,"data":{"error":"internal server error"}}`), http.StatusInternalServerError
	}
	h := c.Writer.Header()
	h["Content-Type"] = []string{"application/json; charset=utf-8"}
	h["Cache-Control"] = []string{"no-store"}
	h["X-Content-Type-Options"] = []string{"nosniff"}
	h["X-Frame-Options"] = []string{"DENY"}
	h["Content-Security-Policy"] = []string{"default-src 'none'; frame-ancestors 'none'"}
	h["Referrer-Policy"] = []string{"no-referrer"}
	c.Status(status)
	_, _ = c.Writer.Write(append(body, '\n'))
}

// writeError is the one place an error answer is written: it maps err to
// its status and message (answerOf), logs what the client is not told, and
// writes the error envelope. When the client has gone, it marks the request
// for the metrics as 499 and still answers with a standard status.
func writeError(c *gin.Context, log *slog.Logger, err error) {
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
	data := map[string]any{"error": answer.message}
	for k, v := range answer.extra {
		data[k] = v
	}
	writeJSON(c, answer.status, envelope{Status: answer.status, Data: data})
	c.Abort()
}
