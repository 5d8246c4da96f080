package httpapi

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/shortlink/shortlink/domain"
)

//go:embed pages/preview.html pages/preview.css
var pages embed.FS

var (
	previewTemplate = template.Must(template.ParseFS(pages, "pages/preview.html"))
	previewStyle    = mustRead("pages/preview.css")
	// previewCSP allows the page's one inline style block, by its hash, and
	// nothing else: no script, no image, no frame, no form.
	previewCSP = []string{"default-src 'none'; style-src 'sha256-" + hashBase64(previewStyle) + "'; " +
		"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"}
	htmlType = []string{"text/html; charset=utf-8"}
)

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

type previewPage struct {
	Title     string
	Message   string
	Link      *domain.ShortLink
	ShortURL  string
	ExpiresAt string
	Style     template.CSS
}

// preview answers GET /{code}+: a page that shows where a live link goes
// without going there. A disabled or deleted link gets a 410 page that does
// not show its target: a takedown must stop publishing it. The link is
// resolved as a redirect is (caches, miss limit). Errors are decided (and
// logged) as the API's are, and shown as a page.
func (h *Handler) preview(c *gin.Context, code string) {
	page := previewPage{Style: template.CSS(previewStyle)} //nolint:gosec // our own embedded stylesheet
	status := http.StatusOK
	link, err := h.Resolver.Resolve(c.Request.Context(), code, (*requester)(c))
	if err == nil {
		page.Title, page.Link, page.ShortURL = "Preview", &link, h.shortURL(link.Code())
		page.ExpiresAt = link.ExpiresAt().Format(time.RFC3339)
	} else {
		answer := answerFor(c, h.Log, err)
		status = answer.status
		page.Title, page.Message = http.StatusText(status), answer.message
		if status == http.StatusGone {
			page.Message = "This short link was disabled or removed. Where it pointed is no longer shown."
		}
	}
	var body bytes.Buffer
	if err := previewTemplate.Execute(&body, page); err != nil {
		h.fail(c, err)
		return
	}
	hdr := c.Writer.Header()
	hdr["Content-Type"] = htmlType
	hdr["Cache-Control"] = noStore
	securityHeaders(hdr, previewCSP)
	c.Status(status)
	_, _ = c.Writer.Write(body.Bytes())
}
