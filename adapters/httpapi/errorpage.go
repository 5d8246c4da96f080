package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// errorPage is what pages/error.html shows: an error answer in words, for
// people who followed a short URL in a browser.
type errorPage struct {
	pageFrame
	Heading    string
	Paragraphs []string
	// ShortURL is the address asked for, when it helps to see it again.
	ShortURL string
	// MakeLink offers a link to the page at /, to make a link.
	MakeLink bool
}

var errorPageTemplate = parsePage("pages/error.html")

// wantsPage reports whether an error answer to c is a page for people
// rather than the JSON envelope: a GET or HEAD of a short URL from a
// client that prefers HTML (a browser). API clients, and every other
// route, keep the envelope.
func wantsPage(c *gin.Context) bool {
	m := c.Request.Method
	return (m == http.MethodGet || m == http.MethodHead) && c.FullPath() == "/:code" &&
		prefersHTML(c.Request.Header["Accept"])
}

// failPage answers err as a page for people with the answer's status (and
// its headers, such as Retry-After), decided and logged as every error
// answer is (answerFor). A browser asking for a code that does not resolve
// is sent to NOT_FOUND_URL instead, when one is set.
func (h *Handler) failPage(c *gin.Context, err error) {
	defer c.Abort()
	answer := answerFor(c, h.Log, err)
	if answer.status == http.StatusNotFound && prefersHTML(c.Request.Header["Accept"]) {
		if to := h.notFoundURL(c); to != "" {
			hdr := c.Writer.Header()
			setLocation(hdr, to)
			hdr["Cache-Control"] = noStore
			c.Status(http.StatusFound)
			return
		}
	}
	page := errorPageOf(answer)
	page.Style = pageStyle
	if answer.status == http.StatusNotFound || answer.status == http.StatusGone {
		page.ShortURL = h.opts.PublicBaseURL + c.Request.URL.EscapedPath()
	}
	if err := writePage(c, answer.status, errorPageTemplate, page, messagePageCSP); err != nil {
		writeError(c, h.Log, err)
	}
}

// notFoundURL is where a browser asking for an unknown or expired code is
// sent, "" for the 404 page: NOT_FOUND_URL, or on a registered domain (by
// the request's host) that domain's not_found_url.
func (h *Handler) notFoundURL(c *gin.Context) string {
	if h.Domains == nil {
		return h.opts.NotFoundURL
	}
	set := h.Domains.Set()
	if set.OnlyDefault() {
		return h.opts.NotFoundURL
	}
	if d, ok := set.Lookup(h.requestHost(c.Request)); ok && !d.Default {
		return d.NotFoundURL
	}
	return h.opts.NotFoundURL
}

// errorPageOf says an error answer in words for someone who followed a
// short URL: what happened, and what they can do.
func errorPageOf(answer *httpError) errorPage {
	switch answer.status {
	case http.StatusNotFound:
		return errorPage{pageFrame: pageFrame{Title: "Link not found"}, Heading: "This short link does not exist",
			Paragraphs: []string{"No link answers at this address. It may have expired, or a character may be missing or wrong: " +
				"check it against where you found it."},
			MakeLink: true}
	case http.StatusGone:
		return errorPage{pageFrame: pageFrame{Title: "Link turned off"}, Heading: "This short link no longer works",
			Paragraphs: []string{"Its owner or an administrator disabled or deleted it. Where it used to lead is no longer shown."},
			MakeLink:   true}
	case http.StatusBadRequest:
		return errorPage{pageFrame: pageFrame{Title: "Not a short link"}, Heading: "This is not a short link",
			Paragraphs: []string{"A short link of this service ends in 1 to 32 letters, digits and hyphens; this address has " +
				"other characters there, or too many. Check it against where you found it."},
			MakeLink: true}
	case http.StatusTooManyRequests:
		return errorPage{pageFrame: pageFrame{Title: "Too many requests"}, Heading: "Please wait a moment",
			Paragraphs: []string{"Too many addresses that lead nowhere were asked for from your network in a short time. " +
				"Try again in " + waitWords(answer) + "."}}
	case http.StatusServiceUnavailable:
		return errorPage{pageFrame: pageFrame{Title: "Unavailable"}, Heading: "Please try again in a moment",
			Paragraphs: []string{"The service could not look this link up just now. Reload the page in a few seconds."}}
	case http.StatusInternalServerError:
		return errorPage{pageFrame: pageFrame{Title: "Something went wrong"}, Heading: "Something went wrong",
			Paragraphs: []string{"The service failed to look this link up. Reload the page in a little while."}}
	}
	return errorPage{pageFrame: pageFrame{Title: http.StatusText(answer.status)}, Heading: http.StatusText(answer.status),
		Paragraphs: []string{answer.message}}
}

// waitWords is an answer's Retry-After in words: "a second", "N seconds",
// or "a minute" when it has none.
func waitWords(answer *httpError) string {
	switch s := answer.header["Retry-After"]; s {
	case "":
		return "a minute"
	case "1":
		return "a second"
	default:
		return s + " seconds"
	}
}
