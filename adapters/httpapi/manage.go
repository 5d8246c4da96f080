package httpapi

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
)

// infoBody is a link's info: url is left out once the link is deleted.
type infoBody struct {
	Code      string  `json:"code"`
	ShortURL  string  `json:"short_url"`
	URL       string  `json:"url,omitempty"`
	CreatedAt string  `json:"created_at"`
	ExpiresAt *string `json:"expires_at"` // null: permanent
	State     string  `json:"state"`
	// The private side, for those who may read the link's statistics.
	Title     *string   `json:"title,omitempty"`
	Tags      *[]string `json:"tags,omitempty"`
	Workspace *string   `json:"workspace,omitempty"`
	// ForwardQuery is shown, when on, to the link's owner and
	// administrators only.
	ForwardQuery bool `json:"forward_query,omitempty"`
	// Protected is shown to everyone; a protected link's public info
	// leaves its url out.
	Protected bool `json:"protected,omitempty"`
	// Rules and Targets are a link's redirect rules and every target in
	// words, for anyone but a protected link's public info.
	Rules   json.RawMessage `json:"rules,omitempty"`
	Targets []targetBody    `json:"targets,omitempty"`
	// OriginalCreatedAt is an imported link's date at its source.
	OriginalCreatedAt *string `json:"original_created_at,omitempty"`
	// Domain is the registered domain the link is on; absent on the default one.
	Domain string `json:"domain,omitempty"`
}

func (h *Handler) infoBody(info app.LinkInfo) infoBody {
	link := info.Link
	rules, targets := rulesBodies(link)
	return infoBody{
		Code: link.ShortCode().String(), ShortURL: h.shortURL(link.Code()), URL: link.URL(),
		CreatedAt: link.CreatedAt().Format(time.RFC3339Nano), ExpiresAt: expiresAt(link),
		State: string(info.Status), Protected: link.Protected(), Rules: rules, Targets: targets,
		OriginalCreatedAt: originalCreatedAt(link), Domain: string(link.Domain()),
	}
}

// originalCreatedAt is an imported link's source date as answers show it,
// nil for none.
func originalCreatedAt(link domain.ShortLink) *string {
	if link.OriginalCreatedAt().IsZero() {
		return nil
	}
	at := link.OriginalCreatedAt().Format(time.RFC3339Nano)
	return &at
}

// publicInfoBody is infoBody as anyone may see it: without the target of
// a protected link.
func (h *Handler) publicInfoBody(info app.LinkInfo) infoBody {
	body := h.infoBody(info)
	if body.Protected {
		body.URL, body.Rules, body.Targets = "", nil, nil
	}
	return body
}

// privateInfoBody is infoBody with what only credentials that grant the
// link see: its labels and workspace, each when it has one, and
// forward_query.
func (h *Handler) privateInfoBody(info app.LinkInfo) infoBody {
	b := h.infoBody(info)
	labels := info.Link.Labels()
	if labels.Title != "" {
		b.Title = &labels.Title
	}
	if len(labels.Tags) > 0 {
		b.Tags = &labels.Tags
	}
	if ws := string(info.Link.Ownership().Workspace); ws != "" {
		b.Workspace = &ws
	}
	b.ForwardQuery = info.Link.ForwardQuery()
	return b
}

// bearer is the token or key of "Authorization: Bearer <x>", or "" when the
// request carries none (or another scheme).
func bearer(c *gin.Context) string {
	auth := c.GetHeader("Authorization")
	if len(auth) > 7 && strings.EqualFold(auth[:7], "bearer ") {
		return strings.TrimSpace(auth[7:])
	}
	return ""
}

func (h *Handler) manageContext(c *gin.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.Request.Context(), h.opts.RequestTimeout)
}

// info answers GET /v1/shortlink/{code}/info: without credentials, the
// public side of a live link, resolved as a redirect is (caches, miss
// limit); with them, the link in any state, from the store.
func (h *Handler) info(c *gin.Context) {
	var (
		info app.LinkInfo
		err  error
	)
	code, err := h.codeKey(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	token := bearer(c)
	if token == "" {
		info.Link, err = h.Resolver.Resolve(c.Request.Context(), code, (*requester)(c))
		info.Status = domain.StatusActive
	} else {
		ctx, cancel := h.manageContext(c)
		defer cancel()
		info, err = h.Manager.Info(ctx, code, token, (*requester)(c))
		if err == nil {
			writeJSON(c, http.StatusOK, envelope{Status: http.StatusOK, Data: h.privateInfoBody(info)})
			return
		}
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, envelope{Status: http.StatusOK, Data: h.publicInfoBody(info)})
}

// patch answers PATCH /v1/shortlink/{code}: expires_at and disabled. The
// precedence of answers (unknown, no credentials, not granted, taken down)
// comes before the body is even looked at, so a bad body never tells a
// stranger anything.
func (h *Handler) patch(c *gin.Context) {
	code, err := h.codeKey(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	ctx, cancel := h.manageContext(c)
	defer cancel()
	if err := h.Manager.AuthorizeChange(ctx, code, bearer(c), (*requester)(c)); err != nil {
		h.fail(c, err)
		return
	}
	p, err := decodePatch(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	info, err := h.Manager.Update(ctx, code, bearer(c), (*requester)(c), p)
	if err != nil {
		h.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, envelope{Status: http.StatusOK, Data: h.privateInfoBody(info)})
}

// decodePatch reads a PATCH body. Unlike a create, a change refuses members
// it does not know: a client that sends {"url": …} or {"state": …} expects a
// change the service will not make, and must hear so rather than get a 200.
func decodePatch(c *gin.Context) (app.Patch, error) {
	body, err := readJSONObject(c)
	if err != nil {
		return app.Patch{}, err
	}
	names := slices.Sorted(maps.Keys(body))
	for _, name := range names {
		switch name {
		case "expires_at", "disabled", "forward_query", "password", "title", "tags", "rules":
		case "url":
			return app.Patch{}, invalidRequest(reasonReadOnlyField, name, "url, the target of a link, cannot be changed; delete the link and create another")
		case "state":
			return app.Patch{}, invalidRequest(reasonReadOnlyField, name, "state cannot be set; send disabled: true or false, or DELETE the link")
		default:
			name = shortFieldName(name)
			return app.Patch{}, invalidRequest(reasonUnknownField, name, strconv.Quote(name)+" is an unknown field; a change may set expires_at, disabled, forward_query, password, title, tags and rules only")
		}
	}
	var p app.Patch
	raw, given, err := body.str("expires_at")
	if err != nil {
		return app.Patch{}, err
	}
	if given {
		t, err := domain.ParseExpiry(raw) // "never": PermanentExpiry
		if err != nil {
			return app.Patch{}, err
		}
		p.ExpiresAt = &t
	}
	disabled, given, err := body.boolean("disabled")
	if err != nil {
		return app.Patch{}, err
	}
	if given {
		p.Disabled = &disabled
	}
	forward, given, err := body.boolean("forward_query")
	if err != nil {
		return app.Patch{}, err
	}
	if given {
		p.ForwardQuery = &forward
	}
	password, given, err := body.str("password")
	if err != nil {
		return app.Patch{}, err
	}
	if given {
		p.Password = &password
	}
	title, given, err := body.str("title")
	if err != nil {
		return app.Patch{}, err
	}
	if given {
		if title, err = domain.ParseTitle(title); err != nil {
			return app.Patch{}, err
		}
		p.Title = &title
	}
	tags, given, err := body.strList("tags")
	if err != nil {
		return app.Patch{}, err
	}
	if given {
		if p.Tags, err = domain.ParseTags(tags); err != nil {
			return app.Patch{}, err
		}
		p.SetTags = true
	}
	if p.Rules, p.SetRules, err = body.rules(); err != nil {
		return app.Patch{}, err
	}
	if p.ExpiresAt == nil && p.Disabled == nil && p.ForwardQuery == nil && p.Password == nil && p.Title == nil && !p.SetTags && !p.SetRules {
		return app.Patch{}, invalidRequest(domain.ReasonMissingField, "", "request body must name expires_at, disabled, forward_query, password, title, tags or rules")
	}
	return p, nil
}

// remove answers DELETE /v1/shortlink/{code} with 204.
func (h *Handler) remove(c *gin.Context) {
	code, err := h.codeKey(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	ctx, cancel := h.manageContext(c)
	defer cancel()
	if err := h.Manager.Delete(ctx, code, bearer(c), (*requester)(c)); err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusNoContent)
}
