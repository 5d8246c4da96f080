package httpapi

import (
	_ "embed" // the OpenAPI document ships inside the binary
	"net/http"

	"github.com/gin-gonic/gin"
)

// openAPIDocument is the API's OpenAPI 3.1 contract. openapi_test.go
// replays every route and status against it, so it cannot drift from the code.
//
//go:embed openapi.yaml
var openAPIDocument []byte

// serveOpenAPI answers GET /v1/openapi.yaml with the document.
func serveOpenAPI(c *gin.Context) {
	h := c.Writer.Header()
	h["Content-Type"] = []string{"application/yaml"}
	h["Cache-Control"] = []string{"no-cache"}
	h["X-Content-Type-Options"] = []string{"nosniff"}
	c.Status(http.StatusOK)
	_, _ = c.Writer.Write(openAPIDocument)
}
