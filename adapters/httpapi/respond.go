package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"
)

// envelope is the shape of every JSON response but /v1/health.
type envelope struct {
	Status int `json:"status"`
	Data   any `json:"data"`
}

// jsonCSP lets a JSON answer load nothing and be framed nowhere.
const jsonCSP = "default-src 'none'; frame-ancestors 'none'"

// Header values shared by every answer; header maps keep them as they are,
// and a handler that changes one replaces the slice.
var (
	noSniff      = []string{"nosniff"}
	denyFraming  = []string{"DENY"}
	noReferrer   = []string{"no-referrer"}
	noStore      = []string{"no-store"}
	jsonType     = []string{"application/json; charset=utf-8"}
	jsonCSPValue = []string{jsonCSP}
)

// securityHeaders sets what every document we answer carries: it may not be
// sniffed as another type, framed, or send a referrer on, and csp is its
// Content-Security-Policy.
func securityHeaders(h http.Header, csp []string) {
	h["X-Content-Type-Options"] = noSniff
	h["X-Frame-Options"] = denyFraming
	h["Content-Security-Policy"] = csp
	h["Referrer-Policy"] = noReferrer
}

// writeJSON writes v with the headers every JSON response carries: nothing
// in it may be cached, sniffed as HTML, framed or allowed to load anything.
func writeJSON(c *gin.Context, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil { // only our own response types reach here, and they marshal
		body, status = []byte(`{"status":500,"data":{"error":"internal server error","reason":"internal"}}`), http.StatusInternalServerError
	}
	h := c.Writer.Header()
	h["Content-Type"] = jsonType
	h["Cache-Control"] = noStore
	securityHeaders(h, jsonCSPValue)
	c.Status(status)
	_, _ = c.Writer.Write(append(body, '\n'))
}
