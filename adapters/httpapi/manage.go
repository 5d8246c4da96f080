package httpapi

import (
	"context"
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
}

func (h *Handler) infoBody(info app.LinkInfo) infoBody {
	link := info.Link
	return infoBody{
		Code: link.Code().String(), ShortURL: h.shortURL(link.Code()), URL: link.URL(),
		CreatedAt: link.CreatedAt().Format(time.RFC3339Nano), ExpiresAt: expiresAt(link),
		State: string(info.Status),
	}
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
	if token := bearer(c); token == "" {
		info.Link, err = h.Resolver.Resolve(c.Request.Context(), c.Param("code"), (*requester)(c))
		info.Status = domain.StatusActive
	} else {
		ctx, cancel := h.manageContext(c)
		defer cancel()
		info, err = h.Manager.Info(ctx, c.Param("code"), token, (*requester)(c))
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, envelope{Status: http.StatusOK, Data: h.infoBody(info)})
}

// patch answers PATCH /v1/shortlink/{code}: expires_at and disabled. The
// precedence of answers (unknown, no credentials, not granted, taken down)
// comes before the body is even looked at, so a bad body never tells a
// stranger anything.
func (h *Handler) patch(c *gin.Context) {
	ctx, cancel := h.manageContext(c)
	defer cancel()
	if err := h.Manager.AuthorizeChange(ctx, c.Param("code"), bearer(c), (*requester)(c)); err != nil {
		h.fail(c, err)
		return
	}
	p, err := decodePatch(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	info, err := h.Manager.Update(ctx, c.Param("code"), bearer(c), (*requester)(c), p)
	if err != nil {
		h.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, envelope{Status: http.StatusOK, Data: h.infoBody(info)})
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
		case "expires_at", "disabled":
		case "url":
			return app.Patch{}, invalidRequest(reasonReadOnlyField, name, "url, the target of a link, cannot be changed; delete the link and create another")
		case "state":
			return app.Patch{}, invalidRequest(reasonReadOnlyField, name, "state cannot be set; send disabled: true or false, or DELETE the link")
		default:
			name = shortFieldName(name)
			return app.Patch{}, invalidRequest(reasonUnknownField, name, strconv.Quote(name)+" is an unknown field; a change may set expires_at and disabled only")
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
	if p.ExpiresAt == nil && p.Disabled == nil {
		return app.Patch{}, invalidRequest(domain.ReasonMissingField, "", "request body must name expires_at or disabled")
	}
	return p, nil
}

// remove answers DELETE /v1/shortlink/{code} with 204.
func (h *Handler) remove(c *gin.Context) {
	ctx, cancel := h.manageContext(c)
	defer cancel()
	if err := h.Manager.Delete(ctx, c.Param("code"), bearer(c), (*requester)(c)); err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusNoContent)
}
