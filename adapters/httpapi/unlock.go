package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
)

// passwordPage is what pages/password.html shows: the form that asks for
// a protected link's password. It never holds the target.
type passwordPage struct {
	pageFrame
	Heading string
	// Action is where the form posts: the short URL, with its query
	// string (which a link that forwards queries passes on).
	Action string
	// ShortURL is the short URL, shown.
	ShortURL string
	// Problem says why the last attempt failed, if it did.
	Problem string
}

var (
	passwordPageTemplate = parsePage("pages/password.html")
	// formPageCSP lets the password form post back to this origin, and
	// the 303 that answers the right password lead on to the target:
	// browsers hold a form's submission, redirects included, to
	// form-action, and the target's origin cannot be named before the
	// password (it would show where the link goes), so any http(s) origin
	// may be the end of it. The page has no script and nothing of a
	// visitor's in its markup to forge another form with.
	formPageCSP = pageCSP("'self' http: https:")
)

// passwordWall answers a redirect of a protected link: the password form
// (200) to a browser following the short URL, 401 password_required to
// anyone else. Neither carries the target or a Location, HEAD included,
// and no visit is counted.
func (h *Handler) passwordWall(c *gin.Context, link domain.ShortLink) {
	if wantsPage(c) {
		h.passwordForm(c, link, http.StatusOK, "")
		return
	}
	writeError(c, h.Log, domain.ErrPasswordRequired)
}

// passwordForm answers status with the password form of link, saying
// problem above it when not empty. The form posts to the short URL, with
// the query string the request carried (but the preview's, which has none
// to pass on).
func (h *Handler) passwordForm(c *gin.Context, link domain.ShortLink, status int, problem string) {
	action := "/" + link.ShortCode().String()
	if q := c.Request.URL.RawQuery; q != "" && !strings.HasSuffix(c.Request.URL.Path, "+") {
		action += "?" + q
	}
	page := passwordPage{pageFrame: pageFrame{Title: "Password required", Style: pageStyle},
		Heading: "This link asks for a password", Action: action, ShortURL: h.shortURL(link.Code()), Problem: problem}
	if err := writePage(c, status, passwordPageTemplate, page, formPageCSP); err != nil {
		writeError(c, h.Log, err)
	}
	c.Abort()
}

// unlockForm answers the password form's POST to /{code} of a live
// protected link: on the right password a 303 to the target (its query
// forwarded when the link says so), counted as a visit; otherwise the form
// again, saying why, with the answer's status (403 wrong password, 429
// with Retry-After). It is no route of its own, so that a POST to any
// other short URL stays the 405 it always was: it reports false, having
// answered nothing, when the path is not a live protected link's.
func (h *Handler) unlockForm(c *gin.Context) bool {
	code, ok := strings.CutPrefix(c.Request.URL.Path, "/")
	if !ok || code == "" || strings.ContainsAny(code, "/+") || h.Unlocker == nil {
		return false
	}
	if code, ok = h.codeOnHost(c, code); !ok {
		return false
	}
	if link, err := h.Resolver.Resolve(c.Request.Context(), code, (*requester)(c)); err != nil || !link.Protected() {
		return false
	}
	password := ""
	if ct := c.ContentType(); ct == "application/x-www-form-urlencoded" || ct == "multipart/form-data" {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, MaxBodyBytes)
		password = c.PostForm("password")
	}
	link, err := h.unlockLink(c, code, password)
	var tooMany *app.TooManyAttemptsError
	switch {
	case err == nil:
		to := link.URL()
		if link.ForwardQuery() && c.Request.URL.RawQuery != "" {
			to = h.forwarded(to, c.Request.URL.RawQuery)
		}
		var hit app.Hit
		if link.HasRules() {
			to, hit = h.ruleTarget(c, link)
		}
		hdr := c.Writer.Header()
		setLocation(hdr, to)
		hdr["Cache-Control"] = noStore
		c.Status(http.StatusSeeOther)
		c.Abort()
		if link.HasRules() && h.Visits != nil {
			h.Visits.RecordVisit(link.ID(), link.CreatedAt(), hit)
		} else {
			h.countVisit(c, link)
		}
	case errors.Is(err, domain.ErrWrongPassword):
		h.passwordForm(c, link, http.StatusForbidden, "That is not the password of this link. Check it and try again.")
	case errors.As(err, &tooMany):
		answer := answerFor(c, h.Log, err) // sets Retry-After
		h.passwordForm(c, link, answer.status, "Too many attempts to open this link. Try again in "+waitWords(answer)+".")
	default:
		h.failPage(c, err)
	}
	return true
}

// unlock answers POST /v1/shortlink/{code}/unlock, JSON {"password"}: on
// the right password {"url"}, the target (its query not forwarded: the
// client holds it), counted as a visit.
func (h *Handler) unlock(c *gin.Context) {
	body, err := readJSONObject(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	password, given, err := body.str("password")
	if err != nil {
		h.fail(c, err)
		return
	}
	if !given {
		h.fail(c, invalidRequest(domain.ReasonMissingField, "password", "password is required"))
		return
	}
	code, err := h.codeKey(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	link, err := h.unlockLink(c, code, password)
	if err != nil {
		h.fail(c, err)
		return
	}
	if !link.HasRules() {
		writeJSON(c, http.StatusOK, envelope{Status: http.StatusOK, Data: map[string]string{"url": link.URL()}})
		h.countVisit(c, link)
		return
	}
	// Unlocked, the link's rules are shown, like its target; the url is
	// the one the rules choose for this client, its query not forwarded.
	rules, targets := rulesBodies(link)
	u := link.URL()
	v := domain.RuleVisitor{RawQuery: c.Request.URL.RawQuery}
	hit := h.hit(c)
	hit.Agent, hit.AgentKnown = h.Targets.Agent(hit.UserAgent), true
	hit.Country = h.Targets.Country(hit.Addr)
	v.Agent, v.Country = hit.Agent, hit.Country
	if al := c.Request.Header["Accept-Language"]; len(al) > 0 {
		v.Language = domain.PreferredLanguage(al[0])
	}
	i, to := link.Rules().Match(&v)
	if i >= 0 {
		u = to
	}
	hit.Rule = app.RuleValue(i)
	writeJSON(c, http.StatusOK, envelope{Status: http.StatusOK, Data: unlockedBody{URL: u, Rules: rules, Targets: targets}})
	if h.Visits != nil {
		h.Visits.RecordVisit(link.ID(), link.CreatedAt(), hit)
	}
}

// unlockLink runs the unlock use case for the request's code, returning
// the link (without its target) also when the password is wrong or the
// attempt refused, for the form.
func (h *Handler) unlockLink(c *gin.Context, code, password string) (domain.ShortLink, error) {
	if h.Unlocker == nil {
		return domain.ShortLink{}, domain.ErrUnavailable
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), h.opts.RequestTimeout)
	defer cancel()
	link, err := h.Unlocker.Unlock(ctx, code, password, (*requester)(c))
	var tooMany *app.TooManyAttemptsError
	if errors.Is(err, domain.ErrWrongPassword) || errors.As(err, &tooMany) {
		if parsed, perr := domain.ParseCodeKey(code); perr == nil {
			return domain.RestoreShortLink(domain.LinkRecord{Code: parsed, Protected: true}), err
		}
	}
	return link, err
}

// unlockedBody answers the unlock of a link with rules.
type unlockedBody struct {
	URL     string          `json:"url"`
	Rules   json.RawMessage `json:"rules"`
	Targets []targetBody    `json:"targets"`
}
