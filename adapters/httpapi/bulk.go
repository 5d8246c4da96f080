package httpapi

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// The limits of the bulk and import routes (SPEC §17), in place of
// MaxBodyBytes and the server's read and write timeouts; the shipped nginx
// has the same body limits for these routes.
const (
	BulkMaxBodyBytes   = 2 << 20
	ImportMaxBodyBytes = 32 << 20
	BulkTimeout        = time.Minute
	ImportTimeout      = 5 * time.Minute
)

// importChunk is how many rows of an import are created at once.
const importChunk = domain.MaxBulkItems

var (
	errNotCSV = &httpError{status: http.StatusUnsupportedMediaType, reason: "unsupported_media_type", message: "Content-Type must be text/csv"}
	errFormat = invalidRequest(reasonInvalidParam, "format", "format must be csv")
	errDryRun = invalidRequest(reasonInvalidParam, "dry_run", "dry_run must be true or false")
)

// longRequest gives the route's request timeout to its connection in
// place of the server's read and write timeouts.
func longRequest(d time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		rc := http.NewResponseController(c.Writer)
		deadline := time.Now().Add(d + 10*time.Second) // the body's transfer and the answer's
		_ = rc.SetReadDeadline(deadline)
		_ = rc.SetWriteDeadline(deadline)
		c.Next()
	}
}

// readBody reads the request body of media type want, at most limit bytes.
func readBody(c *gin.Context, limit int64, want ...string) ([]byte, error) {
	tooLarge := &httpError{status: http.StatusRequestEntityTooLarge, reason: "body_too_large",
		message: fmt.Sprintf("request body too large (limit %d MiB)", limit>>20)}
	if c.Request.ContentLength > limit {
		return nil, tooLarge
	}
	mediaType, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || !slices.Contains(want, mediaType) {
		if want[0] == "application/json" {
			return nil, errNotJSON
		}
		return nil, errNotCSV
	}
	raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, limit))
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return nil, tooLarge
		}
		return nil, invalidRequest(reasonBadRequest, "", "could not read the request body")
	}
	if !utf8.Valid(raw) {
		return nil, invalidRequest(reasonInvalidJSON, "", "request body must be valid UTF-8")
	}
	return raw, nil
}

// itemResult is one item of a bulk answer: what a single create answers.
type itemResult struct {
	Status int `json:"status"`
	Data   any `json:"data"`
}

type bulkBody struct {
	Results []itemResult `json:"results"`
	Created int          `json:"created"`
	Failed  int          `json:"failed"`
}

// bulkCreate is POST /v1/shortlinks/bulk: {"items": [create, …]}, each
// item answered, in order, as POST /v1/shortlink would answer it.
func (h *Handler) bulkCreate(c *gin.Context) {
	raw, err := readBody(c, BulkMaxBodyBytes, "application/json")
	if err != nil {
		h.fail(c, err)
		return
	}
	items, err := bulkItems(raw)
	if err != nil {
		h.fail(c, err)
		return
	}
	h.idempotent(c, BulkTimeout, "POST /v1/shortlinks/bulk", raw, func(ctx context.Context) app.IdempotentAnswer {
		return h.runBulk(ctx, c, items)
	})
}

// bulkItems reads the items of a bulk request: each an object, or the
// reason it is not one (that item's 400).
func bulkItems(raw []byte) ([]json.RawMessage, error) {
	body, err := parseJSONObject(raw)
	if err != nil {
		return nil, err
	}
	list, ok := body["items"]
	if !ok || string(list) == "null" {
		return nil, invalidRequest(domain.ReasonMissingField, "items", "items is required")
	}
	var items []json.RawMessage
	if err := json.Unmarshal(list, &items); err != nil {
		return nil, invalidRequest(reasonInvalidType, "items", "items must be an array of creates")
	}
	if len(items) > domain.MaxBulkItems {
		return nil, domain.TooManyItems("items", "items", domain.MaxBulkItems)
	}
	return items, nil
}

// idempotent answers by run within timeout (a context the client's going
// away does not end: what is created is answered to the retry), through
// app.Idempotency when the request has an Idempotency-Key.
func (h *Handler) idempotent(c *gin.Context, timeout time.Duration, route string, body []byte, run func(context.Context) app.IdempotentAnswer) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), timeout)
	defer cancel()
	header := c.GetHeader("Idempotency-Key")
	if header == "" {
		answer := run(ctx)
		writeJSONBytes(c, answer.Status, answer.Body)
		return
	}
	key, err := domain.ParseIdempotencyKey(header)
	if err != nil {
		h.fail(c, err)
		return
	}
	creator := c.GetString(creatorKey)
	answer, replayed, err := h.Idempotency.Do(ctx, creator, key, append([]byte(route+"\n"), body...), run)
	if err != nil {
		h.fail(c, err)
		return
	}
	if replayed {
		c.Writer.Header()["Idempotent-Replayed"] = []string{"true"}
	}
	writeJSONBytes(c, answer.Status, answer.Body)
}

// writeJSONBytes is writeJSON of a marshalled body.
func writeJSONBytes(c *gin.Context, status int, body []byte) {
	h := c.Writer.Header()
	h["Content-Type"] = jsonType
	h["Cache-Control"] = noStore
	securityHeaders(h, jsonCSPValue)
	c.Status(status)
	_, _ = c.Writer.Write(body)
}

// marshalAnswer is v as the JSON answer of status.
func marshalAnswer(status int, v any) app.IdempotentAnswer {
	body, err := json.Marshal(envelope{Status: status, Data: v})
	if err != nil {
		return app.IdempotentAnswer{Status: http.StatusInternalServerError,
			Body: []byte(`{"status":500,"data":{"error":"internal server error","reason":"internal"}}` + "\n")}
	}
	return app.IdempotentAnswer{Status: status, Body: append(body, '\n')}
}

// allowCreates counts n creates of the client against CREATE_RATE_LIMIT
// and says how many of them (the first) are within it.
func (h *Handler) allowCreates(ctx context.Context, c *gin.Context, n int) (int, time.Duration) {
	if h.opts.CreateRateLimit <= 0 || h.Limiter == nil || n == 0 {
		return n, 0
	}
	key, now := "create:"+clientKey(c.ClientIP()), h.Clock.Now()
	if bulk, ok := h.Limiter.(ports.BulkRateLimiter); ok {
		allowed, wait, err := bulk.AllowN(ctx, key, n, h.opts.CreateRateLimit, time.Minute, now)
		if err != nil {
			h.Log.DebugContext(ctx, "rate limiter unavailable; allowing the request", "error", err)
			return n, 0
		}
		return allowed, wait
	}
	for i := range n {
		ok, wait, err := h.Limiter.Allow(ctx, key, h.opts.CreateRateLimit, time.Minute, now)
		if err != nil {
			h.Log.DebugContext(ctx, "rate limiter unavailable; allowing the request", "error", err)
			return n, 0
		}
		if !ok {
			return i, wait
		}
	}
	return n, 0
}

// errorResult is err as the error envelope's data of a single answer.
func (h *Handler) errorResult(ctx context.Context, err error) itemResult {
	answer := answerOf(err)
	if answer.status >= 500 {
		h.Log.WarnContext(ctx, "bulk item failed", "error", err)
	}
	return itemResult{Status: answer.status, Data: errorBody{Error: answer.message, Reason: answer.reason, Field: answer.field}}
}

func (h *Handler) owner(c *gin.Context) domain.Ownership {
	owner, _ := c.Get(ownerKey)
	o, _ := owner.(domain.Ownership)
	return o
}

func (h *Handler) runBulk(ctx context.Context, c *gin.Context, items []json.RawMessage) app.IdempotentAnswer {
	results := make([]itemResult, len(items))
	allowed, wait := h.allowCreates(ctx, c, len(items))
	var (
		reqs []app.CreateRequest
		idx  []int
	)
	owner := h.owner(c)
	for i, raw := range items {
		if i >= allowed {
			results[i] = h.errorResult(ctx, errRateLimited("too many creates from this address; retry later", wait))
			continue
		}
		req, err := decodeItem(raw)
		if err != nil {
			results[i] = h.errorResult(ctx, err)
			continue
		}
		named := req.Owner.Workspace // as a single create: admins only
		req.Owner = owner
		if named != "" {
			if err := h.createIn(ctx, c, named, &req); err != nil {
				results[i] = h.errorResult(ctx, err)
				continue
			}
		}
		reqs, idx = append(reqs, req), append(idx, i)
	}
	for j, r := range h.Creator.CreateMany(ctx, reqs) {
		if r.Err != nil {
			results[idx[j]] = h.errorResult(ctx, r.Err)
			continue
		}
		results[idx[j]] = itemResult{Status: http.StatusCreated, Data: h.createdBodyOf(r.Created)}
	}
	body := bulkBody{Results: results}
	for _, r := range results {
		if r.Status == http.StatusCreated {
			body.Created++
		} else {
			body.Failed++
		}
	}
	return marshalAnswer(http.StatusOK, body)
}

// decodeItem reads one item of a bulk create as decodeCreate reads a body.
func decodeItem(raw json.RawMessage) (app.CreateRequest, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return app.CreateRequest{}, invalidRequest(reasonInvalidJSON, "", "each item must be a JSON object")
	}
	obj, err := parseJSONObject(raw)
	if err != nil {
		return app.CreateRequest{}, err
	}
	return createRequestOf(obj)
}

// importedLink is a created row of an import.
type importedLink struct {
	Line        int    `json:"line"`
	Code        string `json:"code"`
	ShortURL    string `json:"short_url"`
	ManageToken string `json:"manage_token,omitempty"`
}

// refusedRow is a refused row of an import: its line, and why.
type refusedRow struct {
	Line   int           `json:"line"`
	Error  string        `json:"error"`
	Reason domain.Reason `json:"reason"`
	Field  string        `json:"field,omitempty"`
}

type importBody struct {
	DryRun bool `json:"dry_run"`
	Rows   int  `json:"rows"`
	// Imported is how many rows were created (a dry run: would be).
	Imported int            `json:"imported"`
	Created  []importedLink `json:"created"`
	Refused  []refusedRow   `json:"refused"`
}

// importLinks is POST /v1/shortlinks/import?format=csv[&dry_run=true].
func (h *Handler) importLinks(c *gin.Context) {
	q := c.Request.URL.Query()
	if f := q["format"]; len(f) != 1 || f[0] != "csv" {
		h.fail(c, errFormat)
		return
	}
	dryRun := false
	if d := q["dry_run"]; len(d) > 0 {
		switch {
		case len(d) == 1 && (d[0] == "true" || d[0] == "1"):
			dryRun = true
		case len(d) == 1 && (d[0] == "false" || d[0] == "0" || d[0] == ""):
		default:
			h.fail(c, errDryRun)
			return
		}
	}
	raw, err := readBody(c, ImportMaxBodyBytes, "text/csv", "application/csv")
	if err != nil {
		h.fail(c, err)
		return
	}
	rows, err := importRows(raw)
	if err != nil {
		h.fail(c, err)
		return
	}
	route := fmt.Sprintf("POST /v1/shortlinks/import?format=csv&dry_run=%t", dryRun)
	h.idempotent(c, ImportTimeout, route, raw, func(ctx context.Context) app.IdempotentAnswer {
		return h.runImport(ctx, c, rows, dryRun)
	})
}

// importRows reads an import's CSV: its header, then at most
// domain.MaxImportRows rows.
func importRows(raw []byte) ([]domain.ImportRow, error) {
	r := csv.NewReader(bytes.NewReader(raw))
	r.FieldsPerRecord, r.LazyQuotes, r.ReuseRecord = -1, true, true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, domain.InvalidCSV("the CSV is empty: it needs a header")
	}
	if err != nil {
		return nil, domain.InvalidCSV("the CSV cannot be read: " + err.Error())
	}
	layout, err := domain.ParseImportHeader(header)
	if err != nil {
		return nil, err
	}
	var rows []domain.ImportRow
	for {
		record, err := r.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, domain.InvalidCSV("the CSV cannot be read: " + err.Error())
		}
		if len(record) == 1 && strings.TrimSpace(record[0]) == "" {
			continue // a blank line
		}
		if len(rows) == domain.MaxImportRows {
			return nil, domain.TooManyItems("", "rows", domain.MaxImportRows)
		}
		line, _ := r.FieldPos(0)
		rows = append(rows, layout.Row(line, record))
	}
}

func (h *Handler) runImport(ctx context.Context, c *gin.Context, rows []domain.ImportRow, dryRun bool) app.IdempotentAnswer {
	body := importBody{DryRun: dryRun, Rows: len(rows), Created: []importedLink{}, Refused: []refusedRow{}}
	refuse := func(line int, err error) {
		r := h.errorResult(ctx, err)
		e, _ := r.Data.(errorBody)
		body.Refused = append(body.Refused, refusedRow{Line: line, Error: e.Error, Reason: e.Reason, Field: e.Field})
	}
	allowed, wait := h.allowCreates(ctx, c, len(rows))
	owner := h.owner(c)
	var (
		reqs  []app.CreateRequest
		lines []int
	)
	seen := map[string]bool{} // the file's own aliases, by domain: a second use is taken
	flush := func() {
		if dryRun {
			for j, err := range h.Creator.CheckMany(ctx, reqs) {
				if err != nil {
					refuse(lines[j], err)
				} else {
					body.Imported++
				}
			}
		} else {
			for j, r := range h.Creator.CreateMany(ctx, reqs) {
				if r.Err != nil {
					refuse(lines[j], r.Err)
					continue
				}
				body.Imported++
				body.Created = append(body.Created, importedLink{Line: lines[j], Code: r.Created.Link.ShortCode().String(),
					ShortURL: h.shortURL(r.Created.Link.Code()), ManageToken: r.Created.ManageToken})
			}
		}
		reqs, lines = reqs[:0], lines[:0]
	}
	for i, row := range rows {
		if i >= allowed {
			refuse(row.Line, errRateLimited("too many creates from this address; retry later", wait))
			continue
		}
		if row.URL == "" {
			refuse(row.Line, invalidRequest(domain.ReasonMissingField, "url", "url is required"))
			continue
		}
		original, err := domain.ParseOriginalCreatedAt(row.CreatedAt)
		if err != nil {
			refuse(row.Line, err)
			continue
		}
		if row.Code != "" {
			key := h.importDomainKey(row.Domain) + "/" + row.Code
			if seen[key] {
				refuse(row.Line, domain.ErrAliasTaken)
				continue
			}
			seen[key] = true
		}
		reqs = append(reqs, app.CreateRequest{URL: row.URL, Alias: row.Code, Title: row.Title, Tags: row.Tags,
			ExpiresAt: row.ExpiresAt, Owner: owner, OriginalCreatedAt: original, Domain: row.Domain})
		lines = append(lines, row.Line)
		if len(reqs) == importChunk {
			flush()
		}
	}
	flush()
	sortRefused(body.Refused)
	if !dryRun {
		h.Audit.RecordImport(ctx, owner.Workspace, whoOf(c.GetString(creatorKey)), body.Imported)
	}
	return marshalAnswer(http.StatusOK, body)
}

// importDomainKey is the domain of an import row's domain cell as the
// file's own aliases are told apart by: the normalised host, "" for the
// default domain (empty, or its host in any spelling). A cell that is no
// host is kept as written: the create refuses it.
func (h *Handler) importDomainKey(cell string) string {
	if cell == "" || h.Domains != nil && domain.RequestHost(cell) == h.Domains.Set().Default().Host {
		return ""
	}
	host, err := domain.ParseDomainHost(cell)
	if err != nil {
		return cell
	}
	return string(host)
}

// whoOf is the audit log's name of a creator (creatorKey), "" for one it
// does not name (an anonymous client, an API_KEYS key).
func whoOf(creator string) domain.Who {
	switch {
	case creator == "admin":
		return domain.WhoAdmin
	case strings.HasPrefix(creator, "key:"):
		return domain.WhoKey(domain.KeyID(strings.TrimPrefix(creator, "key:")))
	}
	return ""
}

// sortRefused orders refused rows by line (rows refused before the
// creates come first otherwise).
func sortRefused(rows []refusedRow) {
	slices.SortStableFunc(rows, func(a, b refusedRow) int { return cmp.Compare(a.Line, b.Line) })
}
