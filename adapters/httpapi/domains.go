package httpapi

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
)

// domainBody is a short domain as the domain routes show it.
type domainBody struct {
	Host        string  `json:"host"`
	Default     bool    `json:"default"`
	Workspace   *string `json:"workspace"`
	NotFoundURL *string `json:"not_found_url"`
	CreatedAt   *string `json:"created_at"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func newDomainBody(d domain.ShortDomain) domainBody {
	return domainBody{
		Host: string(d.Host), Default: d.Default, Workspace: optional(string(d.Workspace)),
		NotFoundURL: optional(d.NotFoundURL), CreatedAt: instant(d.CreatedAt),
	}
}

// The answers of the domain routes.
var (
	errDomainTaken = &httpError{status: http.StatusConflict, reason: "domain_taken", field: "host", message: "a domain with this host is registered already"}
	errNoDomain    = &httpError{status: http.StatusNotFound, reason: reasonNotFound, message: "domain not found"}
	errDefaultDom  = &httpError{status: http.StatusConflict, reason: "default_domain", message: domain.ErrDefaultDomain.Error()}
)

// domainAnswer maps the domain use case's own errors to their answers.
func domainAnswer(err error) error {
	var conflict *domain.DomainConflictError
	switch {
	case errors.Is(err, domain.ErrDomainTaken):
		return errDomainTaken
	case errors.Is(err, domain.ErrDomainNotFound):
		return errNoDomain
	case errors.Is(err, domain.ErrDefaultDomain):
		return errDefaultDom
	case errors.As(err, &conflict):
		reason := domain.Reason("domain_targeted")
		if conflict.InUse {
			reason = "domain_in_use"
		}
		codes := make([]string, len(conflict.Codes))
		for i, code := range conflict.Codes {
			codes[i] = string(code)
		}
		return &httpError{status: http.StatusConflict, reason: reason, field: "host", message: conflict.Error(), codes: codes}
	}
	return err
}

// listDomains answers GET /v1/domains: the domains the caller may put
// links on (the default and the shared ones to anyone, those of its
// workspace to a workspace key, all to an administrator).
func (h *Handler) listDomains(c *gin.Context) {
	if h.Domains == nil { // assembled without domains
		h.fail(c, domain.ErrUnavailable)
		return
	}
	var caller app.Caller
	if token := bearer(c); token != "" && h.Keys != nil {
		var err error
		if caller, err = h.Keys.Identify(c.Request.Context(), token, (*requester)(c)); err != nil {
			h.fail(c, err)
			return
		}
	}
	list := h.Domains.List(caller)
	items := make([]domainBody, len(list))
	for i, d := range list {
		items[i] = newDomainBody(d)
	}
	writeJSON(c, http.StatusOK, envelope{Status: http.StatusOK, Data: itemsBody[domainBody]{Items: items}})
}

// createDomain answers POST /v1/domains (admin keys).
func (h *Handler) createDomain(c *gin.Context) {
	if h.Domains == nil { // assembled without domains
		h.fail(c, domain.ErrUnavailable)
		return
	}
	caller, err := h.caller(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	if !caller.Admin {
		h.fail(c, domain.ErrForbidden)
		return
	}
	body, err := readJSONObject(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	var fields [3]string
	for i, name := range []string{"host", "workspace", "not_found_url"} {
		if fields[i], _, err = body.str(name); err != nil {
			h.fail(c, err)
			return
		}
	}
	ctx, cancel := h.manageContext(c)
	defer cancel()
	d, err := h.Domains.Register(ctx, caller, fields[0], domain.WorkspaceID(fields[1]), fields[2])
	if err != nil {
		h.fail(c, domainAnswer(err))
		return
	}
	writeJSON(c, http.StatusCreated, envelope{Status: http.StatusCreated, Data: newDomainBody(d)})
}

// removeDomain answers DELETE /v1/domains/{host} (admin keys).
func (h *Handler) removeDomain(c *gin.Context) {
	if h.Domains == nil { // assembled without domains
		h.fail(c, domain.ErrUnavailable)
		return
	}
	caller, err := h.caller(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	ctx, cancel := h.manageContext(c)
	defer cancel()
	if err := h.Domains.Remove(ctx, caller, c.Param("host")); err != nil {
		h.fail(c, domainAnswer(err))
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusNoContent)
}
