// Package httpclient is the command line's way to the API: the client
// oapi-codegen generates from the API's document (package oapi), with the
// base URL, the credentials, the envelope and the errors handled once.
// It knows the service only through its HTTP API.
package httpclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/shortlink/shortlink/adapters/httpclient/oapi"
)

// maxAnswer bounds what is read of one answer (a QR image is at most a few
// hundred KiB; a JSON answer far less).
const maxAnswer = 32 << 20

// Options configure a Client.
type Options struct {
	// BaseURL is where the API is, e.g. http://localhost:8000 (a path
	// prefix is kept: https://example.com/shortlink).
	BaseURL string
	// Key is sent as `Authorization: Bearer <Key>` when not empty: an admin
	// key, an API key or a link's manage token. It never appears in an
	// error this package returns.
	Key string
	// UserAgent names the client in the server's logs.
	UserAgent string
	// Timeout bounds each request, answer included; 0 means 30 s.
	Timeout time.Duration
	// Transport carries the requests; nil means http.DefaultTransport.
	Transport http.RoundTripper
	// Domain, when set, is the short domain the codes this client names
	// are on: sent as ?domain= on every route under /v1/shortlink/{code}.
	Domain string
}

// Client calls the API. Safe for concurrent use.
type Client struct {
	api  *oapi.Client
	base string
	key  string
	// streaming carries answers read for as long as they last (an export)
	// and requests that take longer than Options.Timeout (an import): no
	// overall timeout; each bounds its own wait.
	streaming *http.Client
	edit      oapi.RequestEditorFn
	timeout   time.Duration
}

// New checks the base URL and returns a client of the API there.
func New(o Options) (*Client, error) {
	u, err := url.Parse(o.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("the API's URL %q must be http:// or https:// with a host (and no user, query or fragment)", o.BaseURL)
	}
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
	httpClient := &http.Client{Timeout: o.Timeout, Transport: o.Transport}
	editor := func(_ context.Context, req *http.Request) error {
		if o.Key != "" {
			req.Header.Set("Authorization", "Bearer "+o.Key)
		}
		if o.UserAgent != "" {
			req.Header.Set("User-Agent", o.UserAgent)
		}
		req.Header.Set("Accept", "application/json")
		if o.Domain != "" && strings.Contains(req.URL.Path, "/v1/shortlink/") {
			q := req.URL.Query()
			q.Set("domain", o.Domain)
			req.URL.RawQuery = q.Encode()
		}
		return nil
	}
	base := strings.TrimSuffix(u.String(), "/")
	api, err := oapi.NewClient(base, oapi.WithHTTPClient(httpClient), oapi.WithRequestEditorFn(editor))
	if err != nil {
		return nil, err
	}
	return &Client{api: api, base: base, key: o.Key, streaming: &http.Client{Transport: o.Transport}, edit: editor, timeout: o.Timeout}, nil
}

// BaseURL is the API's URL, as the client calls it.
func (c *Client) BaseURL() string { return c.base }

// Answer is a successful JSON answer: its data decoded, and the data member
// exactly as the server sent it (what --json prints).
type Answer[T any] struct {
	Value T
	Data  json.RawMessage
}

// Create creates a short link.
func (c *Client) Create(ctx context.Context, req oapi.CreateRequest) (Answer[oapi.Created], error) {
	resp, err := c.api.CreateShortLink(ctx, req)
	body, err := c.read(resp, err)
	return decode[oapi.Created](body, err)
}

// Info is a link's info: every state with credentials that manage it, the
// public view without.
func (c *Client) Info(ctx context.Context, code string) (Answer[oapi.Info], error) {
	resp, err := c.api.ShortLinkInfo(ctx, code, nil)
	body, err := c.read(resp, err)
	return decode[oapi.Info](body, err)
}

// Change disables, enables, or moves the expiry of a link, and answers its info.
func (c *Client) Change(ctx context.Context, code string, req oapi.ChangeRequest) (Answer[oapi.Info], error) {
	resp, err := c.api.ChangeShortLink(ctx, code, nil, req)
	body, err := c.read(resp, err)
	return decode[oapi.Info](body, err)
}

// Delete deletes a link for good.
func (c *Client) Delete(ctx context.Context, code string) error {
	resp, err := c.api.DeleteShortLink(ctx, code, nil)
	_, err = c.read(resp, err)
	return err
}

// Stats is a link's visits over a window.
func (c *Client) Stats(ctx context.Context, code string, params oapi.ShortLinkStatsParams) (Answer[oapi.Stats], error) {
	resp, err := c.api.ShortLinkStats(ctx, code, &params)
	body, err := c.read(resp, err)
	return decode[oapi.Stats](body, err)
}

// QRCode is the image of a link's QR code, as the server draws it.
func (c *Client) QRCode(ctx context.Context, code string, params oapi.ShortLinkQRCodeParams) ([]byte, error) {
	resp, err := c.api.ShortLinkQRCode(ctx, code, &params)
	return c.read(resp, err)
}

// decode reads the data of a 2xx JSON answer's envelope.
func decode[T any](body []byte, err error) (Answer[T], error) {
	var a Answer[T]
	if err != nil {
		return a, err
	}
	var envelope struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &envelope); err != nil || len(envelope.Data) == 0 {
		return a, fmt.Errorf("the server's answer is not the API's envelope: %.80q", body)
	}
	if err := json.Unmarshal(envelope.Data, &a.Value); err != nil {
		return a, fmt.Errorf("the server's answer does not match the API: %w", err)
	}
	a.Data = envelope.Data
	return a, nil
}

// read is the body of a 2xx answer, or the error the request met: an
// *UnreachableError when no answer came, an *APIError for any other status.
func (c *Client) read(resp *http.Response, err error) ([]byte, error) {
	if err != nil {
		return nil, c.unreachable(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, c.unreachable(err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return body, nil
	}
	return nil, c.refusal(resp, body)
}

// refusal is the APIError of a non-2xx answer: the envelope's message,
// reason and field when the body is the error envelope (as the api and the
// shipped nginx answer), else the HTTP status.
func (c *Client) refusal(resp *http.Response, body []byte) error {
	e := &APIError{Status: resp.StatusCode}
	var envelope oapi.ErrorEnvelope
	if json.Unmarshal(body, &envelope) == nil && envelope.Data.Error != "" {
		e.Message, e.Reason = c.redact(envelope.Data.Error), string(envelope.Data.Reason)
		if envelope.Data.Field != nil {
			e.Field = *envelope.Data.Field
		}
	} else {
		e.Message = fmt.Sprintf("the server answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	if retry := resp.Header.Get("Retry-After"); retry != "" {
		e.RetryAfter = retry
	}
	return e
}

// unreachable wraps an error of the transport (dial, TLS, timeout, a
// connection closed mid-answer): no answer of the API came.
func (c *Client) unreachable(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its text repeats the method and URL, said once below
	}
	return &UnreachableError{URL: c.base, Err: errors.New(c.redact(err.Error()))}
}

// redact removes the key from text that came from elsewhere (a server's
// message, a transport error), so no error can show it.
func (c *Client) redact(text string) string {
	if c.key == "" {
		return text
	}
	return strings.ReplaceAll(text, c.key, "[key]")
}

// List is one page of links matching params (GET /v1/shortlinks).
func (c *Client) List(ctx context.Context, params oapi.ListShortLinksParams) (Answer[LinkPage], error) {
	resp, err := c.api.ListShortLinks(ctx, &params)
	body, err := c.read(resp, err)
	return decode[LinkPage](body, err)
}

// LinkPage is a page of the link listing.
type LinkPage struct {
	Items      []oapi.Info `json:"items"`
	NextCursor *string     `json:"next_cursor,omitempty"`
}

// Keys lists a workspace's keys (never the keys themselves).
func (c *Client) Keys(ctx context.Context, params oapi.ListKeysParams) (Answer[KeyList], error) {
	resp, err := c.api.ListKeys(ctx, &params)
	body, err := c.read(resp, err)
	return decode[KeyList](body, err)
}

// KeyList is the answer of GET /v1/keys.
type KeyList struct {
	Items []oapi.Key `json:"items"`
}

// CreateKey creates a workspace key; its answer holds the key, shown once.
func (c *Client) CreateKey(ctx context.Context, req oapi.KeyRequest) (Answer[oapi.Key], error) {
	resp, err := c.api.CreateKey(ctx, req)
	body, err := c.read(resp, err)
	return decode[oapi.Key](body, err)
}

// RevokeKey revokes the key of id (the part after slk_).
func (c *Client) RevokeKey(ctx context.Context, id string) error {
	resp, err := c.api.RevokeKey(ctx, id)
	_, err = c.read(resp, err)
	return err
}

// CreateWorkspace creates a workspace and its first owner key (shown once).
func (c *Client) CreateWorkspace(ctx context.Context, req oapi.WorkspaceRequest) (Answer[WorkspaceCreated], error) {
	resp, err := c.api.CreateWorkspace(ctx, req)
	body, err := c.read(resp, err)
	return decode[WorkspaceCreated](body, err)
}

// WorkspaceCreated is the answer of POST /v1/workspaces.
type WorkspaceCreated struct {
	Key       oapi.Key       `json:"key"`
	Workspace oapi.Workspace `json:"workspace"`
}

// Audit is one page of the audit log.
func (c *Client) Audit(ctx context.Context, params oapi.ListAuditParams) (Answer[AuditPage], error) {
	resp, err := c.api.ListAudit(ctx, &params)
	body, err := c.read(resp, err)
	return decode[AuditPage](body, err)
}

// AuditPage is a page of the audit log.
type AuditPage struct {
	Items []struct {
		Action    string    `json:"action"`
		At        time.Time `json:"at"`
		ID        int       `json:"id"`
		Target    string    `json:"target"`
		Who       string    `json:"who"`
		Workspace string    `json:"workspace"`
	} `json:"items"`
	NextCursor *string `json:"next_cursor,omitempty"`
}

// Unlock gives a protected link's password and answers its target.
func (c *Client) Unlock(ctx context.Context, code, password string) (Answer[Unlocked], error) {
	resp, err := c.api.UnlockShortLink(ctx, code, nil, oapi.UnlockShortLinkJSONRequestBody{Password: password})
	body, err := c.read(resp, err)
	return decode[Unlocked](body, err)
}

// Unlocked is the answer of POST /v1/shortlink/{code}/unlock.
type Unlocked struct {
	URL string `json:"url"`
}

// Tags counts the tags of the caller's workspace (an admin names one).
func (c *Client) Tags(ctx context.Context, params oapi.ListTagsParams) (Answer[TagList], error) {
	resp, err := c.api.ListTags(ctx, &params)
	body, err := c.read(resp, err)
	return decode[TagList](body, err)
}

// TagList is the answer of GET /v1/tags.
type TagList struct {
	Items []struct {
		Tag   string `json:"tag"`
		Links int    `json:"links"`
	} `json:"items"`
}

// WorkspaceStats answers the visits of a workspace's links together.
func (c *Client) WorkspaceStats(ctx context.Context, params oapi.WorkspaceStatsParams) (Answer[WorkspaceVisits], error) {
	resp, err := c.api.WorkspaceStats(ctx, &params)
	body, err := c.read(resp, err)
	return decode[WorkspaceVisits](body, err)
}

// WorkspaceVisits is the answer of GET /v1/stats.
type WorkspaceVisits struct {
	Workspace    *string   `json:"workspace"`
	From         time.Time `json:"from"`
	To           time.Time `json:"to"`
	Interval     string    `json:"interval"`
	Total        int64     `json:"total"`
	Humans       int64     `json:"humans"`
	Bots         int64     `json:"bots"`
	LinksVisited int64     `json:"links_visited"`
	Series       []struct {
		Start  time.Time `json:"start"`
		Humans int64     `json:"humans"`
		Bots   int64     `json:"bots"`
	} `json:"series"`
	TopLinks []struct {
		Code   string `json:"code"`
		Humans int64  `json:"humans"`
		Bots   int64  `json:"bots"`
		Total  int64  `json:"total"`
	} `json:"top_links"`
}

// ImportResult is the answer of an import (POST /v1/shortlinks/import).
type ImportResult struct {
	DryRun   bool `json:"dry_run"`
	Rows     int  `json:"rows"`
	Imported int  `json:"imported"`
	Created  []struct {
		Line        int    `json:"line"`
		Code        string `json:"code"`
		ShortURL    string `json:"short_url"`
		ManageToken string `json:"manage_token,omitempty"`
	} `json:"created"`
	Refused []struct {
		Line   int    `json:"line"`
		Error  string `json:"error"`
		Reason string `json:"reason"`
		Field  string `json:"field,omitempty"`
	} `json:"refused"`
}

// ImportTimeout bounds an import, answer included: the api's own limit
// (five minutes) and some.
const ImportTimeout = 6 * time.Minute

// Import sends csv, a CSV export, to POST /v1/shortlinks/import, with
// idempotencyKey (when not empty) so that a retry imports nothing twice.
func (c *Client) Import(ctx context.Context, csv io.Reader, dryRun bool, idempotencyKey string) (Answer[ImportResult], error) {
	ctx, cancel := context.WithTimeout(ctx, ImportTimeout)
	defer cancel()
	params := &oapi.ImportShortLinksParams{Format: oapi.ImportShortLinksParamsFormat("csv"), DryRun: &dryRun}
	if idempotencyKey != "" {
		params.IdempotencyKey = &idempotencyKey
	}
	req, err := oapi.NewImportShortLinksRequestWithBody(c.base, params, "text/csv", csv)
	if err != nil {
		return Answer[ImportResult]{}, err
	}
	req = req.WithContext(ctx)
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	req.Header.Set("Accept", "application/json")
	body, err := c.read(c.streaming.Do(req))
	return decode[ImportResult](body, err)
}

// Domains lists the short domains the caller may use (GET /v1/domains).
func (c *Client) Domains(ctx context.Context) (Answer[DomainList], error) {
	resp, err := c.api.ListDomains(ctx)
	body, err := c.read(resp, err)
	return decode[DomainList](body, err)
}

// DomainList is the answer of GET /v1/domains.
type DomainList struct {
	Items []oapi.Domain `json:"items"`
}

// CreateDomain registers a short domain (admin keys).
func (c *Client) CreateDomain(ctx context.Context, req oapi.DomainRequest) (Answer[oapi.Domain], error) {
	resp, err := c.api.CreateDomain(ctx, req)
	body, err := c.read(resp, err)
	return decode[oapi.Domain](body, err)
}

// DeleteDomain removes a registered short domain (admin keys).
func (c *Client) DeleteDomain(ctx context.Context, host string) error {
	resp, err := c.api.DeleteDomain(ctx, host)
	_, err = c.read(resp, err)
	return err
}
