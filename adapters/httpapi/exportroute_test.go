package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/shortlink/shortlink/adapters/httpapi"
	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports/porttest"
)

const exportAdmin = "export-admin-key-0123456789"

// slowLister lists links from memory, taking pause for each page and
// failing the page failAt (1-based; 0: none).
type slowLister struct {
	links  []domain.ShortLink
	pause  time.Duration
	failAt int
	pages  int
}

func (l *slowLister) ListLinks(ctx context.Context, q domain.LinkQuery) ([]domain.ShortLink, error) {
	l.pages++
	if l.pages == l.failAt {
		return nil, fmt.Errorf("list links: %w", domain.ErrUnavailable)
	}
	select {
	case <-time.After(l.pause):
	case <-ctx.Done(): // a connection cut under the export cancels it
		return nil, ctx.Err()
	}
	return domain.ListPage(l.links, q), nil
}

func (l *slowLister) TagCounts(context.Context, domain.WorkspaceID) ([]domain.TagCount, error) {
	return nil, nil
}

// exportServer serves the export of n links from lister on a server whose
// write timeout is timeout.
func exportServer(t *testing.T, lister *slowLister, n int, timeout time.Duration) *httptest.Server {
	t.Helper()
	now := time.Now().UTC()
	for i := range n {
		lister.links = append(lister.links, porttest.Link(domain.Code(fmt.Sprintf("exp%05d", i))).ID(domain.LinkID(i+1)).URL("https://example.com/").Created(now.Add(time.Duration(i)*time.Millisecond)).Build())
	}
	clock := app.SystemClock{}
	log := slog.New(slog.DiscardHandler)
	h := httpapi.NewHandler(httpapi.Deps{
		Clock: clock, Log: log,
		Keys:     app.NewKeyRing(nil, nil, clock, app.KeyRingOptions{AdminKeys: []string{exportAdmin}}, log),
		Exporter: app.NewExporter(app.NewLister(lister, clock), memory.NewLinkStore(), clock),
	}, httpapi.Options{PublicBaseURL: "https://sho.rt", RequestTimeout: time.Second})
	router, err := httpapi.NewRouter(h, prometheus.NewRegistry(), nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(router)
	srv.Config.WriteTimeout = timeout
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// getExport exports as the admin: the status, headers, body and the error
// that ended the body's reading.
func getExport(t *testing.T, srv *httptest.Server) (int, http.Header, []byte, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/v1/shortlinks/export?format=csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+exportAdmin)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, body, err
}

// TestExportOutlivesTheWriteTimeout: an export of several pages, slower
// than the server's write timeout, arrives whole, because each page renews
// the write deadline.
func TestExportOutlivesTheWriteTimeout(t *testing.T) {
	t.Parallel()
	const pages = 4
	lister := &slowLister{pause: 300 * time.Millisecond}
	srv := exportServer(t, lister, pages*app.ExportPage-1, 600*time.Millisecond)
	status, header, body, err := getExport(t, srv)
	if err != nil || status != http.StatusOK {
		t.Fatalf("export = %d after %d bytes, %v; want 200 and the whole body", status, len(body), err)
	}
	if rows := bytes.Count(body, []byte("\n")); rows != pages*app.ExportPage {
		t.Fatalf("export has %d lines, want the header and %d links", rows, pages*app.ExportPage-1)
	}
	if got := header.Get("X-Accel-Buffering"); got != "no" {
		t.Errorf("X-Accel-Buffering = %q, want no: a proxy must pass the pages on as they come", got)
	}
}

// TestExportCutShort: a store failing on the first page is answered as an
// error; failing on a later one, after the first has gone out, the
// connection is cut, so the client cannot take the body for a whole export.
func TestExportCutShort(t *testing.T) {
	t.Parallel()
	first := exportServer(t, &slowLister{failAt: 1}, 10, time.Minute)
	if status, _, body, _ := getExport(t, first); status != http.StatusServiceUnavailable {
		t.Errorf("export failing at once = %d %s, want 503", status, body)
	}
	later := exportServer(t, &slowLister{failAt: 2}, 2*app.ExportPage, time.Minute)
	status, _, body, err := getExport(t, later)
	if status != http.StatusOK || err == nil {
		t.Fatalf("export failing on its second page = %d, %d bytes, read error %v; want 200 and a cut body", status, len(body), err)
	}
	if rows := bytes.Count(body, []byte("\n")); rows != app.ExportPage+1 {
		t.Errorf("cut export has %d lines, want the header and the first page's %d", rows, app.ExportPage)
	}
}
