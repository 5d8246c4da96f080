package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// maxPage is the API's largest page (limit up to 100).
const maxPage = 100

// paging is what ls and audit share: --limit (how many to print), --all
// (follow the cursors to the end) and --cursor (start where a previous
// listing stopped).
type paging struct {
	limit  int
	all    bool
	cursor string
	// next is, after collect, the cursor of the page after the items
	// shown ("" when there are no more).
	next string
}

func (p paging) check() error {
	if p.limit < 1 {
		return usageErrorf("--limit must be at least 1, not %d", p.limit)
	}
	return nil
}

// page is one page as the API sent it: its items, each exactly as sent
// (for --json), and the cursor of the next page, if any.
type page struct {
	Items      []json.RawMessage `json:"items"`
	NextCursor *string           `json:"next_cursor,omitempty"`
}

// collect calls fetch, a page of at most size items after cursor, until it
// has p.limit items (or, with --all, until the last page), and returns the
// items and whether more were left.
func (p *paging) collect(fetch func(size int, cursor *string) (json.RawMessage, error)) (items []json.RawMessage, more bool, err error) {
	var cursor *string
	if p.cursor != "" {
		cursor = &p.cursor
	}
	p.next = ""
	for {
		size := maxPage
		if !p.all {
			size = min(maxPage, p.limit-len(items))
		}
		data, err := fetch(size, cursor)
		if err != nil {
			return nil, false, err
		}
		var pg page
		if err := json.Unmarshal(data, &pg); err != nil {
			return nil, false, fmt.Errorf("the server's page does not match the API: %w", err)
		}
		items = append(items, pg.Items...)
		if pg.NextCursor == nil || *pg.NextCursor == "" {
			return items, false, nil
		}
		if !p.all && len(items) >= p.limit {
			p.next = *pg.NextCursor
			return items, true, nil
		}
		cursor = pg.NextCursor
	}
}

// printItems writes items as one JSON array, each item as the API sent it.
func (c *cli) printItems(items []json.RawMessage) error {
	parts := make([]string, len(items))
	for i, item := range items {
		parts[i] = string(item)
	}
	_, err := fmt.Fprintf(c.out, "[%s]\n", strings.Join(parts, ","))
	return err
}

// decodeItems decodes each item into a T.
func decodeItems[T any](items []json.RawMessage) ([]T, error) {
	out := make([]T, len(items))
	for i, item := range items {
		if err := json.Unmarshal(item, &out[i]); err != nil {
			return nil, fmt.Errorf("the server's answer does not match the API: %w", err)
		}
	}
	return out, nil
}

// moreNote tells, on stderr, that the listing went on, and the cursor
// that goes on after the last item shown (collect fetches no more than it
// shows).
func (c *cli) moreNote(more bool, shown int, next string) {
	if more {
		fmt.Fprintf(c.errOut, "(%d shown; there are more: --limit N, --all, or --cursor %s for the next page)\n", shown, next)
	}
}

// addCursorFlag adds --cursor to a listing's flags.
func (p *paging) addCursorFlag(cmd *cobra.Command) {
	cmd.Flags().StringVar(&p.cursor, "cursor", "", "start after this cursor (what the previous listing printed on stderr, or the API's next_cursor)")
}
