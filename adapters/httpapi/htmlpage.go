package httpapi

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"html/template"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// The pages the API answers people with itself, beside the web page at /:
// the preview, the error pages of short URLs, and any page made like them.
// Each is one document with its style inline and no script, in the web
// page's colours (light and dark).
//
//go:embed pages
var pages embed.FS

var (
	// pageStyle is every such page's one inline style block.
	pageStyle = template.CSS(mustRead("pages/page.css")) //nolint:gosec // our own embedded stylesheet
	// messagePageCSP is the policy of a page with no form: pageCSP("'none'").
	messagePageCSP = pageCSP("'none'")
	htmlType       = []string{"text/html; charset=utf-8"}
)

// pageCSP is the Content-Security-Policy of a page of ours: its one inline
// style block, by its hash, the icon from this origin, forms that post to
// formAction only ('none' for a page without one, 'self' for one that
// posts back), and nothing else: no script, no frame.
func pageCSP(formAction string) []string {
	return []string{"default-src 'none'; style-src 'sha256-" + hashBase64(string(pageStyle)) + "'; img-src 'self'; " +
		"base-uri 'none'; form-action " + formAction + "; frame-ancestors 'none'"}
}

// pageFrame is what pages/layout.html needs of every page.
type pageFrame struct {
	Title string
	Style template.CSS
}

// parsePage is the page whose content is defined in file (as "content"),
// in the common layout; execute it as "layout".
func parsePage(file string) *template.Template {
	return template.Must(template.ParseFS(pages, "pages/layout.html", file))
}

// writePage answers status with page executed on data, as a document no
// one may cache, sniff, frame or refer on from, under csp. Nothing is
// written when the template fails.
func writePage(c *gin.Context, status int, page *template.Template, data any, csp []string) error {
	var body bytes.Buffer
	if err := page.ExecuteTemplate(&body, "layout", data); err != nil {
		return err
	}
	h := c.Writer.Header()
	h["Content-Type"] = htmlType
	h["Cache-Control"] = noStore
	securityHeaders(h, csp)
	c.Status(status)
	if c.Request.Method != http.MethodHead {
		_, _ = c.Writer.Write(body.Bytes())
	}
	return nil
}

func mustRead(name string) string {
	b, err := pages.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return strings.TrimSpace(string(b))
}

func hashBase64(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}
