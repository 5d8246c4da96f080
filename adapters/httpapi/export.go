package httpapi

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
)

// exportChunkWindow is how long the writes of one page of an export may
// take: the server's usual write timeout, renewed per page rather than
// spent on the whole export.
const exportChunkWindow = 15 * time.Second

// exportColumn is a column of an export: its name (the CSV header, the
// NDJSON member) and its value, one of string, nil (no value: an empty
// CSV cell, JSON null), []string or int64.
type exportColumn struct {
	name  string
	value func(h *Handler, r *app.ExportRow) any
}

// exportColumns are the columns of both formats, in order. A column added
// here is in both.
var exportColumns = []exportColumn{
	{"code", func(_ *Handler, r *app.ExportRow) any { return r.Link.ShortCode().String() }},
	{"short_url", func(h *Handler, r *app.ExportRow) any { return h.shortURL(r.Link.Code()) }},
	{"url", func(_ *Handler, r *app.ExportRow) any { return r.Link.URL() }},
	{"title", func(_ *Handler, r *app.ExportRow) any { return nullIfEmpty(r.Link.Labels().Title) }},
	{"tags", func(_ *Handler, r *app.ExportRow) any {
		if tags := r.Link.Labels().Tags; len(tags) > 0 {
			return tags
		}
		return []string{}
	}},
	{"created_at", func(_ *Handler, r *app.ExportRow) any { return r.Link.CreatedAt().Format(time.RFC3339Nano) }},
	{"expires_at", func(_ *Handler, r *app.ExportRow) any {
		if at := expiresAt(r.Link); at != nil {
			return *at
		}
		return nil
	}},
	{"state", func(_ *Handler, r *app.ExportRow) any { return string(r.Status) }},
	{"visits", func(_ *Handler, r *app.ExportRow) any { return r.Visits }},
	{"domain", func(_ *Handler, r *app.ExportRow) any { return nullIfEmpty(string(r.Link.Domain())) }},
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// exportEncoder writes the rows of one format to a response.
type exportEncoder interface {
	header() error
	row(r *app.ExportRow) error
	// flush writes out what the encoder holds.
	flush() error
}

// exportFormat is a format of the export.
type exportFormat struct {
	contentType string
	extension   string
	encoder     func(h *Handler, w io.Writer) exportEncoder
}

var exportFormats = map[string]exportFormat{
	"csv": {"text/csv; charset=utf-8", "csv", func(h *Handler, w io.Writer) exportEncoder {
		return &csvEncoder{h: h, w: csv.NewWriter(w), cells: make([]string, len(exportColumns))}
	}},
	"ndjson": {"application/x-ndjson", "ndjson", func(h *Handler, w io.Writer) exportEncoder {
		return &ndjsonEncoder{h: h, w: bufio.NewWriterSize(w, 32<<10)}
	}},
}

type csvEncoder struct {
	h     *Handler
	w     *csv.Writer
	cells []string
}

func (e *csvEncoder) header() error {
	for i, col := range exportColumns {
		e.cells[i] = col.name
	}
	return e.w.Write(e.cells)
}

func (e *csvEncoder) row(r *app.ExportRow) error {
	for i, col := range exportColumns {
		var cell string
		switch v := col.value(e.h, r).(type) {
		case string:
			cell = v
		case []string:
			cell = strings.Join(v, ",")
		case int64:
			cell = strconv.FormatInt(v, 10)
		}
		e.cells[i] = neutralizeFormula(cell)
	}
	return e.w.Write(e.cells)
}

func (e *csvEncoder) flush() error {
	e.w.Flush()
	return e.w.Error()
}

// neutralizeFormula prefixes with ' a cell a spreadsheet would take for a
// formula: one starting with =, +, -, @ (and tab or carriage return, which
// some spreadsheets skip before one).
func neutralizeFormula(cell string) string {
	if cell != "" && strings.IndexByte("=+-@\t\r", cell[0]) >= 0 {
		return "'" + cell
	}
	return cell
}

type ndjsonEncoder struct {
	h *Handler
	w *bufio.Writer
}

func (e *ndjsonEncoder) header() error { return nil }

func (e *ndjsonEncoder) flush() error { return e.w.Flush() }

func (e *ndjsonEncoder) row(r *app.ExportRow) error {
	w := e.w
	_ = w.WriteByte('{')
	for i, col := range exportColumns {
		if i > 0 {
			_ = w.WriteByte(',')
		}
		_, _ = w.WriteString(strconv.Quote(col.name)) // names are plain ASCII: Go and JSON quote them alike
		_ = w.WriteByte(':')
		value, err := json.Marshal(col.value(e.h, r))
		if err != nil {
			return err
		}
		_, _ = w.Write(value)
	}
	_, err := w.WriteString("}\n")
	return err
}

// errExportFormat refuses a format other than csv and ndjson.
var errExportFormat = invalidRequest(reasonInvalidParam, "format", "format must be csv or ndjson")

// errHeadersOnly ends the export of a HEAD request after its headers.
var errHeadersOnly = errors.New("headers only")

// exportLinks answers GET /v1/shortlinks/export: every link the caller may
// list (the listing's filters apply, not its paging), streamed a page at a
// time, each page flushed with its write deadline renewed, so neither the
// api nor the proxy (X-Accel-Buffering: no) holds more than a page and the
// server's write timeout bounds a page, not the export. An error after the
// first page has gone out cuts the connection: a truncated body must not
// end like a whole one.
func (h *Handler) exportLinks(c *gin.Context) {
	caller, err := h.caller(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	format, ok := exportFormats[c.DefaultQuery("format", "csv")]
	if !ok {
		h.fail(c, errExportFormat)
		return
	}
	q, err := linkFilters(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	if h.Exporter == nil {
		h.fail(c, domain.ErrUnavailable)
		return
	}
	// net/http lifts the read deadline once the request is read; the write
	// deadline is renewed per page below.
	rc := http.NewResponseController(c.Writer)
	enc := format.encoder(h, c.Writer)
	started := false
	err = h.Exporter.Export(c.Request.Context(), caller, q, func(rows []app.ExportRow) error {
		// The network's clock, not the app's: a deadline is a socket's.
		_ = rc.SetWriteDeadline(time.Now().Add(exportChunkWindow))
		if !started {
			started = true
			header := c.Writer.Header()
			header["Content-Type"] = []string{format.contentType}
			header["Content-Disposition"] = []string{`attachment; filename="shortlinks-` + h.Clock.Now().UTC().Format("20060102T150405Z") + "." + format.extension + `"`}
			header["Cache-Control"] = noStore
			header["X-Accel-Buffering"] = []string{"no"}
			securityHeaders(header, jsonCSPValue)
			c.Status(http.StatusOK)
			if c.Request.Method == http.MethodHead {
				return errHeadersOnly
			}
			if err := enc.header(); err != nil {
				return err
			}
		}
		for i := range rows {
			if err := enc.row(&rows[i]); err != nil {
				return err
			}
		}
		if err := enc.flush(); err != nil {
			return err
		}
		return rc.Flush()
	})
	switch {
	case err == nil, errors.Is(err, errHeadersOnly):
		c.Writer.WriteHeaderNow()
	case !started:
		h.fail(c, err)
	default:
		h.Log.WarnContext(c, "export cut short", "error", err)
		panic(http.ErrAbortHandler) // net/http closes the connection without ending the body
	}
}
