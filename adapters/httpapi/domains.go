package httpapi

import (
	"errors"
	"net/http"
	"net/netip"
	"strings"

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
		codes := make([]string, len(conflict.Codes))
		for i, code := range conflict.Codes {
			codes[i] = string(code)
		}
		if conflict.InUse {
			return &httpError{status: http.StatusConflict, reason: "domain_in_use", message: conflict.Error(), codes: codes}
		}
		return &httpError{status: http.StatusConflict, reason: "domain_targeted", field: "host", message: conflict.Error(), codes: codes}
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
	caller, err := h.admin(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	fields, err := readStrings(c, "host", "workspace", "not_found_url")
	if err != nil {
		h.fail(c, err)
		return
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

// requestHost is the domain a short URL was asked on: the Host header, or
// X-Forwarded-Host when the peer is a trusted proxy (TRUSTED_PROXIES),
// normalised and without its port.
func (h *Handler) requestHost(r *http.Request) domain.DomainHost {
	if fwd := r.Header["X-Forwarded-Host"]; len(fwd) > 0 && fwd[0] != "" {
		if peer, err := netip.ParseAddrPort(r.RemoteAddr); err == nil && h.trustedProxy(peer.Addr().Unmap()) {
			first := fwd[0]
			if i := strings.IndexByte(first, ','); i >= 0 {
				first = strings.TrimSpace(first[:i])
			}
			return domain.RequestHost(first)
		}
	}
	return domain.RequestHost(r.Host)
}

// codeOnHost is the key of code on the domain the request's Host names,
// once domains other than the default exist; false when the Host is no
// domain (every code is then unknown). While the default domain is the
// only one, every Host resolves to it, as before domains: the snapshot's
// one check is all the redirect path pays.
func (h *Handler) codeOnHost(c *gin.Context, code string) (string, bool) {
	if h.Domains == nil {
		return code, true
	}
	set := h.Domains.Set()
	if set.OnlyDefault() {
		return code, true
	}
	host := h.requestHost(c.Request)
	if host == set.Default().Host {
		return code, true
	}
	if _, ok := set.Lookup(host); !ok {
		return "", false
	}
	return string(host) + "/" + code, true
}

// codeKey is the route's code on the domain ?domain= names (the default
// without it), as the use cases take it (domain.CodeOn).
func (h *Handler) codeKey(c *gin.Context) (string, error) {
	code := c.Param("code")
	raw := c.Query("domain")
	if raw == "" || h.Domains == nil {
		return code, nil
	}
	host := domain.RequestHost(raw)
	if host == "" {
		return "", invalidRequest(domain.ReasonInvalidDomain, "domain", "domain must be a domain name (GET /v1/domains lists them)")
	}
	return string(domain.CodeOn(host, h.Domains.Set().Default().Host, domain.Code(code))), nil
}

// shortURL is the short URL of a code key: PUBLIC_BASE_URL and the code,
// or, on a registered domain, PUBLIC_BASE_URL's scheme, the domain and
// the code.
func (h *Handler) shortURL(code domain.Code) string {
	host, bare := code.Split()
	if host == "" {
		return h.opts.PublicBaseURL + "/" + code.String()
	}
	scheme, _, _ := strings.Cut(h.opts.PublicBaseURL, "://")
	return scheme + "://" + string(host) + "/" + bare.String()
}

// domainFilter is the listing's ?domain=: whether one was given, and the
// registered domain it names ("" for the default one).
func (h *Handler) domainFilter(c *gin.Context) (bool, domain.DomainHost, error) {
	raw := c.Query("domain")
	if raw == "" || h.Domains == nil {
		return false, "", nil
	}
	host := domain.RequestHost(raw)
	if host == "" {
		return false, "", invalidRequest(domain.ReasonInvalidDomain, "domain", "domain must be a domain name (GET /v1/domains lists them)")
	}
	if host == h.Domains.Set().Default().Host {
		host = ""
	}
	return true, host, nil
}
