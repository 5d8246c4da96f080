package httpapi

import (
	"bytes"
	"html/template"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/shortlink/shortlink/domain"
)

var previewTemplate = template.Must(template.ParseFS(pages, "pages/preview.html"))

type previewPage struct {
	Title     string
	Link      *domain.ShortLink
	Target    previewTarget
	ShortURL  string
	ExpiresAt string
	Style     template.CSS
	// Rules are the link's redirect rules, each with its target cut up
	// as Target is: every host the link can send people to.
	Rules []previewRule
}

// preview answers GET /{code}+: a page that shows where a live link goes
// without going there. A disabled or deleted link gets a 410 page that does
// not show its target: a takedown must stop publishing it. The link is
// resolved as a redirect is (caches, miss limit). Errors are decided (and
// logged) as the API's are, and shown as a page (failPage).
func (h *Handler) preview(c *gin.Context, code string) {
	link, err := h.Resolver.Resolve(c.Request.Context(), code, (*requester)(c))
	if err != nil {
		h.failPage(c, err)
		return
	}
	if link.Protected() { // the form, which never shows the target
		h.passwordForm(c, link, http.StatusOK, "")
		return
	}
	page := previewPage{Style: pageStyle, Title: "Preview", Link: &link, ShortURL: h.shortURL(link.Code())}
	page.Target = newPreviewTarget(link.URL())
	for _, r := range link.Rules().InWords() {
		page.Rules = append(page.Rules, previewRule{When: r.When, Target: newPreviewTarget(r.URL)})
	}
	if !link.Permanent() { // a permanent link's page says "never"
		page.ExpiresAt = link.ExpiresAt().Format(time.RFC3339)
	}
	var body bytes.Buffer
	if err := previewTemplate.Execute(&body, page); err != nil {
		h.fail(c, err)
		return
	}
	hdr := c.Writer.Header()
	hdr["Content-Type"] = htmlType
	hdr["Cache-Control"] = noStore
	securityHeaders(hdr, messagePageCSP)
	c.Status(http.StatusOK)
	_, _ = c.Writer.Write(body.Bytes())
}
