package httpapi

import (
	"encoding/json"

	"github.com/gin-gonic/gin"
)

// envelope is the shape of every JSON response but /v1/health.
type envelope struct {
	Status int `json:"status"`
	Data   any `json:"data"`
}

type errorBody struct {
	Error string `json:"error"`
}

// writeJSON writes v with the headers every JSON response carries: nothing
// in it may be cached, sniffed as HTML, framed or allowed to load anything.
func writeJSON(c *gin.Context, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil { // only our own response types reach here, and they marshal
		body, status = []byte(`{"status":500,"data":{"error":"internal server error"}}`), 500
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
