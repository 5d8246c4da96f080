package httpclient

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/shortlink/shortlink/adapters/httpclient/oapi"
)

// Export streams every link matching params (GET /v1/shortlinks/export)
// to w as the API sends it, CSV or NDJSON, and returns the bytes written.
// Only the wait for the answer is bounded by Options.Timeout: the body
// streams for as long as it lasts. A body the server cut short (it ends
// without the final chunk) is an error: the export is incomplete.
func (c *Client) Export(ctx context.Context, params oapi.ExportShortLinksParams, w io.Writer) (int64, error) {
	req, err := oapi.NewExportShortLinksRequest(c.base, &params)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req = req.WithContext(ctx)
	if err := c.edit(ctx, req); err != nil {
		return 0, err
	}
	req.Header.Set("Accept", "text/csv, application/x-ndjson, application/json")
	waiting := time.AfterFunc(c.timeout, cancel)
	resp, err := c.streaming.Do(req)
	if !waiting.Stop() && err == nil {
		resp.Body.Close()
		err = fmt.Errorf("no answer within %s: %w", c.timeout, context.DeadlineExceeded)
	}
	if err != nil {
		return 0, c.unreachable(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
		if err != nil {
			return 0, c.unreachable(err)
		}
		return 0, c.refusal(resp, body)
	}
	n, err := io.Copy(w, readErrors{resp.Body})
	if err != nil {
		if re, ok := err.(readError); ok { //nolint:errorlint // io.Copy returns the reader's error as it is
			return n, fmt.Errorf("the export was cut short after %d bytes: %w", n, c.unreachable(re.err))
		}
		return n, err
	}
	return n, nil
}

// readErrors marks its reader's errors, so a failed read (the server's
// side) is told from a failed write (the file's).
type readErrors struct{ r io.Reader }

type readError struct{ err error }

func (e readError) Error() string { return e.err.Error() }
func (e readError) Unwrap() error { return e.err }

func (r readErrors) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF { // io.Reader returns io.EOF itself, unwrapped
		err = readError{err}
	}
	return n, err
}
