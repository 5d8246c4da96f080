package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
)

// defaultPage is how many items a page lists when the client names no limit.
const defaultPage = 20

type workspaceBody struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	CreatedAt string `json:"created_at"`
}

// keyBody is a key as listed; Key, the key itself, only when just created.
type keyBody struct {
	ID         string  `json:"id"`
	Workspace  string  `json:"workspace"`
	Role       string  `json:"role"`
	Name       string  `json:"name"`
	CreatedAt  string  `json:"created_at"`
	LastUsedAt *string `json:"last_used_at"`
	RevokedAt  *string `json:"revoked_at"`
	Key        string  `json:"key,omitempty"`
}

func instant(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339Nano)
	return &s
}

func newKeyBody(k domain.APIKey, secret string) keyBody {
	return keyBody{
		ID: string(k.ID), Workspace: string(k.Workspace), Role: string(k.Role), Name: k.Name,
		CreatedAt: k.CreatedAt.UTC().Format(time.RFC3339Nano), LastUsedAt: instant(k.LastUsedAt), RevokedAt: instant(k.RevokedAt), Key: secret,
	}
}

type itemsBody[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor,omitempty"`
}

// caller tells who the request's credential is, for the workspace routes (keys, listing, tags, audit): a
// credential that is neither an admin key nor a workspace key counts as
// none (401), as does a missing one.
func (h *Handler) caller(c *gin.Context) (app.Caller, error) {
	if h.Keys == nil { // assembled without workspaces
		return app.Caller{}, domain.ErrUnavailable
	}
	caller, err := h.Keys.Identify(c.Request.Context(), bearer(c), (*requester)(c))
	if err != nil {
		return app.Caller{}, err
	}
	if !caller.Admin && !caller.HasKey() {
		return app.Caller{}, domain.ErrUnauthenticated
	}
	return caller, nil
}

// admin is the caller when an admin key signed the request, and
// ErrForbidden for any other key.
func (h *Handler) admin(c *gin.Context) (app.Caller, error) {
	caller, err := h.caller(c)
	if err == nil && !caller.Admin {
		err = domain.ErrForbidden
	}
	return caller, err
}

// createWorkspace answers POST /v1/workspaces (admin keys): the workspace
// and its first owner key, shown once.
func (h *Handler) createWorkspace(c *gin.Context) {
	caller, err := h.admin(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	fields, err := readStrings(c, "name", "key_name")
	if err != nil {
		h.fail(c, err)
		return
	}
	name, keyName := fields[0], fields[1]
	ctx, cancel := h.manageContext(c)
	defer cancel()
	ws, key, err := h.Workspaces.CreateWorkspace(ctx, caller, name, keyName)
	if err != nil {
		h.fail(c, err)
		return
	}
	writeJSON(c, http.StatusCreated, envelope{Status: http.StatusCreated, Data: struct {
		Workspace workspaceBody `json:"workspace"`
		Key       keyBody       `json:"key"`
	}{
		workspaceBody{ID: string(ws.ID), Name: ws.Name, CreatedAt: ws.CreatedAt.UTC().Format(time.RFC3339Nano)},
		newKeyBody(key.Key, key.Secret),
	}})
}

// createKey answers POST /v1/keys: an owner's key for its workspace, or an
// admin's for the workspace it names.
func (h *Handler) createKey(c *gin.Context) {
	caller, err := h.caller(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	if !caller.Admin && caller.Key.Role != domain.RoleOwner {
		h.fail(c, domain.ErrForbidden)
		return
	}
	fields, err := readStrings(c, "name", "role", "workspace")
	if err != nil {
		h.fail(c, err)
		return
	}
	role, err := domain.ParseRole(fields[1])
	if err != nil {
		h.fail(c, err)
		return
	}
	ctx, cancel := h.manageContext(c)
	defer cancel()
	key, err := h.Workspaces.CreateKey(ctx, caller, domain.WorkspaceID(fields[2]), role, fields[0])
	if err != nil {
		h.fail(c, err)
		return
	}
	writeJSON(c, http.StatusCreated, envelope{Status: http.StatusCreated, Data: newKeyBody(key.Key, key.Secret)})
}

// listKeys answers GET /v1/keys: an owner's workspace's keys, or for an
// admin those of ?workspace= (all without it).
func (h *Handler) listKeys(c *gin.Context) {
	caller, err := h.caller(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	ctx, cancel := h.manageContext(c)
	defer cancel()
	keys, err := h.Workspaces.ListKeys(ctx, caller, domain.WorkspaceID(c.Query("workspace")))
	if err != nil {
		h.fail(c, err)
		return
	}
	items := make([]keyBody, len(keys))
	for i, k := range keys {
		items[i] = newKeyBody(k, "")
	}
	writeJSON(c, http.StatusOK, envelope{Status: http.StatusOK, Data: itemsBody[keyBody]{Items: items}})
}

// revokeKey answers DELETE /v1/keys/{id} with 204.
func (h *Handler) revokeKey(c *gin.Context) {
	caller, err := h.caller(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	ctx, cancel := h.manageContext(c)
	defer cancel()
	if err := h.Workspaces.RevokeKey(ctx, caller, domain.KeyID(c.Param("id"))); err != nil {
		h.fail(c, errKeyAnswer(err))
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusNoContent)
}

// errKeyNotFound is the 404 of a key route.
var errKeyNotFound = &httpError{status: http.StatusNotFound, reason: reasonNotFound, message: "key not found"}

func errKeyAnswer(err error) error {
	if answerOf(err) == answerOf(domain.ErrNotFound) {
		return errKeyNotFound
	}
	return err
}

// scopeOf is the workspace scope an admin asks for with ?workspace=:
// every link without it, the anonymous ones with "none".
func scopeOf(c *gin.Context) domain.WorkspaceScope {
	ws, given := c.GetQuery("workspace")
	switch {
	case !given || ws == "":
		return domain.WorkspaceScope{All: true}
	case ws == "none":
		return domain.WorkspaceScope{}
	}
	return domain.WorkspaceScope{Workspace: domain.WorkspaceID(ws)}
}

func pageLimit(c *gin.Context) (int, error) {
	raw, given := c.GetQuery("limit")
	if !given {
		return defaultPage, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > domain.MaxPage {
		return 0, invalidRequest(reasonInvalidParam, "limit", "limit must be a whole number from 1 to 100")
	}
	return n, nil
}

func timeParam(c *gin.Context, name string) (time.Time, error) {
	raw := c.Query(name)
	if raw == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, raw)
	if err != nil {
		return time.Time{}, invalidRequest(reasonInvalidParam, name, name+" must be an RFC 3339 timestamp with a time zone")
	}
	return t, nil
}

// linkQuery reads the listing's filters and page.
func linkQuery(c *gin.Context) (domain.LinkQuery, error) {
	var q domain.LinkQuery
	var err error
	if q.Limit, err = pageLimit(c); err != nil {
		return q, err
	}
	if q.After, err = domain.ParseCursor(c.Query("cursor")); err != nil {
		return q, err
	}
	filters, err := linkFilters(c)
	filters.Limit, filters.After = q.Limit, q.After
	return filters, err
}

// linkFilters reads the listing's filters (what the export takes too).
func linkFilters(c *gin.Context) (domain.LinkQuery, error) {
	q := domain.LinkQuery{Scope: scopeOf(c), Q: c.Query("q")}
	var err error
	for _, raw := range c.QueryArray("tag") {
		tag, err := domain.ParseTag(raw)
		if err != nil {
			return q, err
		}
		q.Tags = append(q.Tags, tag)
	}
	if raw := c.Query("state"); raw != "" {
		if q.Status, err = domain.ParseStatus(raw); err != nil {
			return q, err
		}
	}
	if q.CreatedAfter, err = timeParam(c, "created_after"); err != nil {
		return q, err
	}
	if q.CreatedBefore, err = timeParam(c, "created_before"); err != nil {
		return q, err
	}
	if len(q.Q) > 200 {
		return q, invalidRequest(reasonInvalidParam, "q", "q must be at most 200 characters")
	}
	return q, nil
}

// listLinks answers GET /v1/shortlinks: newest first, keyset-paged.
func (h *Handler) listLinks(c *gin.Context) {
	caller, err := h.caller(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	q, err := linkQuery(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	if q.OnDomain, q.Domain, err = h.domainFilter(c); err != nil {
		h.fail(c, err)
		return
	}
	ctx, cancel := h.manageContext(c)
	defer cancel()
	links, next, err := h.Lister.List(ctx, caller, q)
	if err != nil {
		h.fail(c, err)
		return
	}
	now := h.Clock.Now()
	items := make([]infoBody, len(links))
	for i, l := range links {
		items[i] = h.privateInfoBody(app.LinkInfo{Link: l, Status: l.Status(now)})
	}
	page := itemsBody[infoBody]{Items: items}
	if !next.IsZero() {
		cursor := next.String()
		page.NextCursor = &cursor
	}
	writeJSON(c, http.StatusOK, envelope{Status: http.StatusOK, Data: page})
}

type tagBody struct {
	Tag   string `json:"tag"`
	Links int64  `json:"links"`
}

// listTags answers GET /v1/tags: the workspace's tags with link counts.
func (h *Handler) listTags(c *gin.Context) {
	caller, err := h.caller(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	ctx, cancel := h.manageContext(c)
	defer cancel()
	tags, err := h.Lister.Tags(ctx, caller, domain.WorkspaceID(c.Query("workspace")))
	if err != nil {
		h.fail(c, err)
		return
	}
	items := make([]tagBody, len(tags))
	for i, t := range tags {
		items[i] = tagBody{Tag: t.Tag, Links: t.Links}
	}
	writeJSON(c, http.StatusOK, envelope{Status: http.StatusOK, Data: itemsBody[tagBody]{Items: items}})
}

type auditBody struct {
	ID        int64  `json:"id"`
	At        string `json:"at"`
	Workspace string `json:"workspace"`
	Who       string `json:"who"`
	Action    string `json:"action"`
	Target    string `json:"target"`
}

// listAudit answers GET /v1/audit: newest first, paged by entry id.
func (h *Handler) listAudit(c *gin.Context) {
	caller, err := h.caller(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	limit, err := pageLimit(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	var before int64
	if raw := c.Query("cursor"); raw != "" {
		if before, err = strconv.ParseInt(raw, 10, 64); err != nil || before < 1 {
			h.fail(c, invalidRequest(domain.ReasonInvalidCursor, "cursor", "cursor must be a next_cursor the service returned"))
			return
		}
	}
	ctx, cancel := h.manageContext(c)
	defer cancel()
	entries, err := h.Audit.List(ctx, caller, scopeOf(c), before, limit+1)
	if err != nil {
		h.fail(c, err)
		return
	}
	page := itemsBody[auditBody]{Items: []auditBody{}}
	for i, e := range entries {
		if i == limit {
			cursor := strconv.FormatInt(entries[i-1].ID, 10)
			page.NextCursor = &cursor
			break
		}
		page.Items = append(page.Items, auditBody{
			ID: e.ID, At: e.At.UTC().Format(time.RFC3339Nano), Workspace: string(e.Workspace),
			Who: string(e.Who), Action: string(e.Action), Target: e.Target,
		})
	}
	writeJSON(c, http.StatusOK, envelope{Status: http.StatusOK, Data: page})
}

// strList returns member name as a list of strings; absent and null are
// "not given".
func (o jsonObject) strList(name string) (values []string, given bool, err error) {
	raw, ok := o[name]
	if !ok || string(raw) == "null" {
		return nil, false, nil
	}
	if err := json.Unmarshal(raw, &values); err != nil {
		return nil, false, invalidRequest(reasonInvalidType, name, name+" must be a list of strings")
	}
	if values == nil {
		values = []string{}
	}
	return values, true, nil
}
