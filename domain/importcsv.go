package domain

import (
	"net/url"
	"strings"
)

// ImportColumn is a column an import reads.
type ImportColumn int

// The columns an import reads; any other column is ignored.
const (
	ImportURL ImportColumn = iota
	ImportCode
	ImportTitle
	ImportTags
	ImportCreatedAt
	ImportExpiresAt
	ImportDomain
	importColumns
)

// importHeaders are the header names of each column as the common exports
// spell them, normalized (importHeaderKey): SPEC §17's names, and the few
// the exporters of YOURLS (timestamp), Kutt (target, address), Shlink
// (shortUrl) and Bitly (link) add. docs/import.md lists them.
var importHeaders = map[string]ImportColumn{
	"url": ImportURL, "longurl": ImportURL, "originalurl": ImportURL, "target": ImportURL,
	"code": ImportCode, "alias": ImportCode, "keyword": ImportCode, "shortcode": ImportCode, "address": ImportCode,
	"shorturl": ImportCode, "link": ImportCode,
	"title": ImportTitle, "description": ImportTitle,
	"tags":      ImportTags,
	"createdat": ImportCreatedAt, "timestamp": ImportCreatedAt, "datecreated": ImportCreatedAt,
	"expiresat": ImportExpiresAt,
	"domain":    ImportDomain,
}

// shortURLHeaders name columns that hold a whole short URL
// (https://sho.rt/abc, bit.ly/abc) rather than the code: the code is its
// last path segment.
var shortURLHeaders = map[string]bool{"shorturl": true, "link": true}

// importHeaderKey normalizes a header name: lower case, letters and digits
// only, so long_url, longUrl and "Long URL" are one name.
func importHeaderKey(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimPrefix(name, "\ufeff")) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ImportLayout says where an import's columns are in its rows.
type ImportLayout struct {
	index    [importColumns]int // -1: absent
	shortURL bool               // the code column holds whole short URLs
}

// ParseImportHeader reads a CSV header: which column holds what. The first
// of two columns for the same thing wins, except that a code column beats a
// short URL column. A header without a long URL column is refused.
func ParseImportHeader(header []string) (ImportLayout, error) {
	var l ImportLayout
	for i := range l.index {
		l.index[i] = -1
	}
	for i, name := range header {
		key := importHeaderKey(name)
		col, ok := importHeaders[key]
		if !ok {
			continue
		}
		switch {
		case l.index[col] < 0:
			l.index[col], l.shortURL = i, l.shortURL || (col == ImportCode && shortURLHeaders[key])
		case col == ImportCode && l.shortURL && !shortURLHeaders[key]:
			l.index[col], l.shortURL = i, false
		}
	}
	if l.index[ImportURL] < 0 {
		return ImportLayout{}, InvalidCSV("the header names no long URL column (url, long_url, longUrl or original_url)")
	}
	return l, nil
}

// ImportRow is one row of an import as its source wrote it; Line is its
// line in the file (the header is line 1).
type ImportRow struct {
	Line      int
	URL       string
	Code      string
	Title     string
	Tags      []string
	CreatedAt string
	ExpiresAt string
	// Domain is the short domain the link goes on, as an export writes it
	// (empty: the default one).
	Domain string
}

// Row reads record, a row of the file at line, by the layout.
func (l ImportLayout) Row(line int, record []string) ImportRow {
	cell := func(c ImportColumn) string {
		if i := l.index[c]; i >= 0 && i < len(record) {
			return strings.TrimSpace(record[i])
		}
		return ""
	}
	row := ImportRow{Line: line, URL: cell(ImportURL), Code: cell(ImportCode), Title: cell(ImportTitle),
		CreatedAt: cell(ImportCreatedAt), ExpiresAt: cell(ImportExpiresAt), Domain: cell(ImportDomain)}
	if l.shortURL && row.Code != "" {
		row.Code = codeOfShortURL(row.Code)
	}
	row.Tags = splitImportTags(cell(ImportTags))
	return row
}

// codeOfShortURL is the last path segment of a short URL, with or without
// its scheme (bit.ly/abc).
func codeOfShortURL(raw string) string {
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	path := strings.Trim(u.Path, "/")
	return path[strings.LastIndexByte(path, '/')+1:]
}

// splitImportTags splits a tags cell: exporters separate tags with commas
// (Shlink, Kutt), pipes or semicolons (Bitly); empty pieces are dropped.
func splitImportTags(cell string) []string {
	if cell == "" {
		return nil
	}
	fields := strings.FieldsFunc(cell, func(r rune) bool { return r == ',' || r == '|' || r == ';' })
	tags := make([]string, 0, len(fields))
	for _, f := range fields {
		if f = strings.TrimSpace(f); f != "" {
			tags = append(tags, f)
		}
	}
	return tags
}
