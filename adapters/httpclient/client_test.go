package httpclient_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/httpclient"
	"github.com/shortlink/shortlink/adapters/httpclient/oapi"
	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
)

// secretKey is the admin key of the in-process api: distinctive, so a test
// can tell it never shows in an error.
const secretKey = "cli-secret-admin-key-7f3a9c"

func startAPI(t *testing.T) httpsuite.Env {
	t.Helper()
	store := memory.NewLinkStore()
	return httpsuite.StartInProcess(t, httpsuite.Parts{
		Store: store, Counter: store, Cache: testenv.MemoryCache(t, time.Hour, 10*time.Second),
		Configure: func(cfg *config.Config) { cfg.AdminKeys = []string{secretKey} },
	})
}

func newClient(t *testing.T, baseURL, key string, transport http.RoundTripper) *httpclient.Client {
	t.Helper()
	c, err := httpclient.New(httpclient.Options{BaseURL: baseURL, Key: key, UserAgent: "shortlink-test", Transport: transport})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ptr[T any](v T) *T { return &v }

// wantRefusal checks err is an APIError with status and reason, and that
// the key shows nowhere in it.
func wantRefusal(t *testing.T, err error, status int, reason string) {
	t.Helper()
	var apiErr *httpclient.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != status || apiErr.Reason != reason {
		t.Fatalf("error %v (%T), want an APIError %d %s", err, err, status, reason)
	}
	if strings.Contains(err.Error(), secretKey) {
		t.Fatalf("the error shows the key: %v", err)
	}
}

// TestClientAgainstTheDocument calls every operation of the client
// against the real HTTP adapter (in-memory ports), through a transport
// that validates every request and answer against openapi.yaml, and
// requires each exchange the command line relies on to have happened.
func TestClientAgainstTheDocument(t *testing.T) {
	t.Parallel()
	env := startAPI(t)
	v := &validatingTransport{t: t, contract: loadContract(t), seen: map[string]bool{}}
	admin := newClient(t, env.BaseURL, secretKey, v)
	anonymous := newClient(t, env.BaseURL, "", v)
	ctx := context.Background()

	created, err := anonymous.Create(ctx, oapi.CreateRequest{Url: "https://example.com/a?b=c", Alias: ptr("client-doc")})
	if err != nil {
		t.Fatal(err)
	}
	if created.Value.Code != "client-doc" || created.Value.ManageToken == "" || !strings.Contains(string(created.Data), `"manage_token"`) {
		t.Fatalf("create = %+v, data %s", created.Value, created.Data)
	}
	_, err = anonymous.Create(ctx, oapi.CreateRequest{Url: "https://example.com", Alias: ptr("client-doc")})
	wantRefusal(t, err, http.StatusConflict, "alias_taken")
	_, err = anonymous.Create(ctx, oapi.CreateRequest{Url: "ftp://example.com"})
	wantRefusal(t, err, http.StatusBadRequest, "invalid_url")
	expires := time.Now().Add(48 * time.Hour).Truncate(time.Second).UTC()
	later, err := admin.Create(ctx, oapi.CreateRequest{Url: "https://example.com/later", ExpiresAt: ptr(expires.Format(time.RFC3339))})
	if err != nil || later.Value.ExpiresAt == nil || !later.Value.ExpiresAt.Equal(expires) {
		t.Fatalf("create with expires_at %v = %+v, %v", expires, later.Value, err)
	}

	public, err := anonymous.Info(ctx, "client-doc")
	if err != nil || public.Value.State != oapi.InfoStateActive || public.Value.Url == nil {
		t.Fatalf("public info = %+v, %v", public.Value, err)
	}
	_, err = anonymous.Info(ctx, "no-such-link")
	wantRefusal(t, err, http.StatusNotFound, "not_found")
	_, err = anonymous.Info(ctx, "bad_code")
	wantRefusal(t, err, http.StatusBadRequest, "invalid_code")

	disabled, err := admin.Change(ctx, "client-doc", oapi.ChangeRequest{Disabled: ptr(true)})
	if err != nil || disabled.Value.State != oapi.InfoStateDisabled {
		t.Fatalf("disable = %+v, %v", disabled.Value, err)
	}
	_, err = anonymous.Info(ctx, "client-doc")
	wantRefusal(t, err, http.StatusGone, "gone")
	_, err = anonymous.Change(ctx, "client-doc", oapi.ChangeRequest{Disabled: ptr(false)})
	wantRefusal(t, err, http.StatusUnauthorized, "unauthorized")
	_, err = newClient(t, env.BaseURL, "not-a-key-of-this-api", v).Change(ctx, "client-doc", oapi.ChangeRequest{Disabled: ptr(false)})
	wantRefusal(t, err, http.StatusForbidden, "forbidden")
	owner := newClient(t, env.BaseURL, created.Value.ManageToken, v)
	_, err = owner.Change(ctx, "client-doc", oapi.ChangeRequest{Disabled: ptr(false)})
	wantRefusal(t, err, http.StatusForbidden, "taken_down")
	newExpiry := time.Now().Add(30 * 24 * time.Hour).Truncate(time.Second).UTC()
	enabled, err := admin.Change(ctx, "client-doc", oapi.ChangeRequest{Disabled: ptr(false), ExpiresAt: ptr(newExpiry.Format(time.RFC3339))})
	if err != nil || enabled.Value.State != oapi.InfoStateActive || enabled.Value.ExpiresAt == nil || !enabled.Value.ExpiresAt.Equal(newExpiry) {
		t.Fatalf("enable and extend = %+v, %v", enabled.Value, err)
	}
	_, err = admin.Change(ctx, "client-doc", oapi.ChangeRequest{ExpiresAt: ptr(time.Now().Add(-time.Hour).UTC().Format(time.RFC3339))})
	wantRefusal(t, err, http.StatusBadRequest, "expires_at_in_past")
	_, err = admin.Change(ctx, "client-doc", oapi.ChangeRequest{ExpiresAt: ptr("never")})
	wantRefusal(t, err, http.StatusBadRequest, "expires_at_too_far") // MAX_TTL is not never here

	from := time.Now().Add(-72 * time.Hour)
	stats, err := owner.Stats(ctx, "client-doc", oapi.ShortLinkStatsParams{From: &from, Interval: ptr(oapi.ShortLinkStatsParamsIntervalHour)})
	if err != nil || stats.Value.Code != "client-doc" || len(stats.Value.Series) < 72 {
		t.Fatalf("stats = %+v, %v", stats.Value, err)
	}
	_, err = anonymous.Stats(ctx, "client-doc", oapi.ShortLinkStatsParams{})
	wantRefusal(t, err, http.StatusUnauthorized, "unauthorized")
	_, err = admin.Stats(ctx, "client-doc", oapi.ShortLinkStatsParams{From: ptr(time.Now()), To: ptr(time.Now().Add(-time.Hour))})
	wantRefusal(t, err, http.StatusBadRequest, "invalid_window")

	for _, format := range []oapi.ShortLinkQRCodeParamsFormat{oapi.Png, oapi.Svg} {
		image, err := anonymous.QRCode(ctx, "client-doc", oapi.ShortLinkQRCodeParams{Format: &format, Size: ptr(128)})
		if err != nil || len(image) == 0 {
			t.Fatalf("QR %s = %d bytes, %v", format, len(image), err)
		}
	}
	_, err = anonymous.QRCode(ctx, "client-doc", oapi.ShortLinkQRCodeParams{Size: ptr(8)})
	wantRefusal(t, err, http.StatusBadRequest, "invalid_parameter")

	if err := owner.Delete(ctx, "client-doc"); err != nil {
		t.Fatal(err)
	}
	err = owner.Delete(ctx, "client-doc")
	wantRefusal(t, err, http.StatusGone, "gone")
	_, err = admin.Info(ctx, "no-such-link")
	wantRefusal(t, err, http.StatusNotFound, "not_found")

	for _, exchange := range []string{
		"POST /v1/shortlink 201", "POST /v1/shortlink 409", "POST /v1/shortlink 400",
		"GET /v1/shortlink/{code}/info 200", "GET /v1/shortlink/{code}/info 404", "GET /v1/shortlink/{code}/info 410",
		"PATCH /v1/shortlink/{code} 200", "PATCH /v1/shortlink/{code} 401", "PATCH /v1/shortlink/{code} 403", "PATCH /v1/shortlink/{code} 400",
		"GET /v1/shortlink/{code}/stats 200", "GET /v1/shortlink/{code}/stats 401", "GET /v1/shortlink/{code}/stats 400",
		"GET /v1/shortlink/{code}/qr 200", "GET /v1/shortlink/{code}/qr 400",
		"DELETE /v1/shortlink/{code} 204", "DELETE /v1/shortlink/{code} 410",
	} {
		if !v.seen[exchange] {
			t.Errorf("never exchanged (so never validated): %s", exchange)
		}
	}
}

// TestClientErrors: no answer is an UnreachableError, an answer that is
// not the API's envelope (a proxy's page) an APIError with the status, and
// neither shows the key.
func TestClientErrors(t *testing.T) {
	t.Parallel()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + listener.Addr().String()
	listener.Close()
	_, err = newClient(t, closed, secretKey, nil).Info(context.Background(), "abc")
	var unreachable *httpclient.UnreachableError
	if !errors.As(err, &unreachable) || strings.Contains(err.Error(), secretKey) || !strings.Contains(err.Error(), closed) {
		t.Fatalf("a closed port = %v (%T), want an UnreachableError naming %s", err, err, closed)
	}

	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprintf(w, "<h1>502 Bad Gateway</h1>%s", r.Header.Get("Authorization"))
	}))
	t.Cleanup(proxy.Close)
	_, err = newClient(t, proxy.URL, secretKey, nil).Info(context.Background(), "abc")
	var apiErr *httpclient.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadGateway || apiErr.Reason != "" || strings.Contains(err.Error(), secretKey) {
		t.Fatalf("a proxy's 502 page = %v, want an APIError 502 without a reason", err)
	}

	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `{"status":403,"data":{"error":"key %s is not allowed","reason":"forbidden"}}`, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	}))
	t.Cleanup(echo.Close)
	_, err = newClient(t, echo.URL, secretKey, nil).Info(context.Background(), "abc")
	if !errors.As(err, &apiErr) || apiErr.Reason != "forbidden" || strings.Contains(err.Error(), secretKey) {
		t.Fatalf("a server that echoes the key = %v, want the key redacted", err)
	}

	for _, bad := range []string{"", "localhost:8000", "ftp://example.com", "http://user:pw@example.com", "http://example.com/?q=1"} {
		if _, err := httpclient.New(httpclient.Options{BaseURL: bad}); err == nil {
			t.Errorf("New(%q) accepted the URL", bad)
		}
	}
}

// TestClientWorkspacesAgainstTheDocument calls the listing, key,
// workspace, audit and unlock operations through the validating transport.
func TestClientWorkspacesAgainstTheDocument(t *testing.T) {
	t.Parallel()
	env := startAPI(t)
	v := &validatingTransport{t: t, contract: loadContract(t), seen: map[string]bool{}}
	admin := newClient(t, env.BaseURL, secretKey, v)
	anonymous := newClient(t, env.BaseURL, "", v)
	ctx := context.Background()

	ws, err := admin.CreateWorkspace(ctx, oapi.WorkspaceRequest{Name: "Marketing"})
	if err != nil || ws.Value.Key.Key == nil || ws.Value.Workspace.Id == "" {
		t.Fatalf("create workspace = %+v, %v", ws.Value, err)
	}
	_, err = anonymous.CreateWorkspace(ctx, oapi.WorkspaceRequest{Name: "Nobody"})
	wantRefusal(t, err, http.StatusUnauthorized, "unauthorized")
	owner := newClient(t, env.BaseURL, *ws.Value.Key.Key, v)
	editorKey, err := owner.CreateKey(ctx, oapi.KeyRequest{Name: "CI", Role: oapi.KeyRequestRoleEditor})
	if err != nil || editorKey.Value.Key == nil {
		t.Fatalf("create key = %+v, %v", editorKey.Value, err)
	}
	_, err = owner.CreateKey(ctx, oapi.KeyRequest{Name: "CI", Role: "boss"})
	wantRefusal(t, err, http.StatusBadRequest, "invalid_role")
	editor := newClient(t, env.BaseURL, *editorKey.Value.Key, v)
	for i := range 3 {
		if _, err := editor.Create(ctx, oapi.CreateRequest{Url: "https://example.com/" + strconv.Itoa(i), Title: ptr("Page"), Tags: &[]string{"sale"}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := anonymous.Create(ctx, oapi.CreateRequest{Url: "https://example.com/locked", Alias: ptr("locked"), Password: ptr("correct horse battery"), ForwardQuery: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	page, err := owner.List(ctx, oapi.ListShortLinksParams{Tag: &[]string{"sale"}, Limit: ptr(2)})
	if err != nil || len(page.Value.Items) != 2 || page.Value.NextCursor == nil {
		t.Fatalf("list = %+v, %v", page.Value, err)
	}
	last, err := owner.List(ctx, oapi.ListShortLinksParams{Tag: &[]string{"sale"}, Limit: ptr(2), Cursor: page.Value.NextCursor})
	if err != nil || len(last.Value.Items) != 1 || last.Value.NextCursor != nil {
		t.Fatalf("the list's last page = %+v, %v", last.Value, err)
	}
	_, err = owner.List(ctx, oapi.ListShortLinksParams{State: ptr(oapi.ListShortLinksParamsState("sleeping"))})
	wantRefusal(t, err, http.StatusBadRequest, "invalid_filter")
	tags, err := owner.Tags(ctx, oapi.ListTagsParams{})
	if err != nil || len(tags.Value.Items) != 1 || tags.Value.Items[0].Tag != "sale" || tags.Value.Items[0].Links != 3 {
		t.Fatalf("tags = %+v, %v", tags.Value, err)
	}
	visits, err := owner.WorkspaceStats(ctx, oapi.WorkspaceStatsParams{})
	if err != nil || visits.Value.Workspace == nil || *visits.Value.Workspace != ws.Value.Workspace.Id || len(visits.Value.Series) != 7 || visits.Value.Total != 0 {
		t.Fatalf("workspace stats = %+v, %v", visits.Value, err)
	}
	_, err = anonymous.WorkspaceStats(ctx, oapi.WorkspaceStatsParams{})
	wantRefusal(t, err, http.StatusUnauthorized, "unauthorized")
	keys, err := owner.Keys(ctx, oapi.ListKeysParams{})
	if err != nil || len(keys.Value.Items) != 2 {
		t.Fatalf("keys = %+v, %v", keys.Value, err)
	}
	if err := owner.RevokeKey(ctx, editorKey.Value.Id); err != nil {
		t.Fatal(err)
	}
	_, err = editor.List(ctx, oapi.ListShortLinksParams{})
	wantRefusal(t, err, http.StatusUnauthorized, "unauthorized")
	audit, err := owner.Audit(ctx, oapi.ListAuditParams{Limit: ptr(1)})
	if err != nil || len(audit.Value.Items) != 1 || audit.Value.Items[0].Action != "key.revoke" {
		t.Fatalf("audit = %+v, %v", audit.Value, err)
	}
	unlocked, err := anonymous.Unlock(ctx, "locked", "correct horse battery")
	if err != nil || unlocked.Value.URL != "https://example.com/locked" {
		t.Fatalf("unlock = %+v, %v", unlocked.Value, err)
	}
	_, err = anonymous.Unlock(ctx, "locked", "not the password")
	wantRefusal(t, err, http.StatusForbidden, "wrong_password")

	for _, exchange := range []string{
		"POST /v1/workspaces 201", "POST /v1/workspaces 401", "POST /v1/keys 201", "POST /v1/keys 400",
		"GET /v1/shortlinks 200", "GET /v1/shortlinks 400", "GET /v1/shortlinks 401",
		"GET /v1/keys 200", "GET /v1/tags 200", "DELETE /v1/keys/{id} 204", "GET /v1/audit 200", "GET /v1/stats 200", "GET /v1/stats 401",
		"POST /v1/shortlink/{code}/unlock 200", "POST /v1/shortlink/{code}/unlock 403",
	} {
		if !v.seen[exchange] {
			t.Errorf("never exchanged (so never validated): %s", exchange)
		}
	}
}
