package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/shortlink/shortlink/adapters/httpclient/oapi"
)

func (c *cli) exportCommand() *cobra.Command {
	var (
		format, output, q, state, after, before, workspace string
		tags                                               []string
	)
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export every link the key may list, with its visits, as CSV or NDJSON",
		Long: `Export every link ls would list to the key (the same filters, every page),
newest first, with each link's visits, as the API streams it: CSV (the
default; cells a spreadsheet would run as a formula start with ') or NDJSON
(--format ndjson, a JSON object per line). -o writes it to a file (its
format taken from .csv or .ndjson unless --format says), else it goes to
standard output. An export the server cut short fails (exit 3), and the
file written so far is removed.`,
		Example: `  shortlink export -o links.csv
  shortlink export --format ndjson --tag sale | jq -r .short_url
  shortlink export --workspace none -o anonymous.ndjson`,
		Args: exactArgs(),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format == "" {
				format = "csv"
				if strings.EqualFold(filepath.Ext(output), ".ndjson") {
					format = "ndjson"
				}
			}
			var params oapi.ExportShortLinksParams
			f := oapi.ExportShortLinksParamsFormat(format)
			if !f.Valid() {
				return usageErrorf("--format must be csv or ndjson, not %q", format)
			}
			params.Format = &f
			if q != "" {
				params.Q = &q
			}
			if len(tags) > 0 {
				params.Tag = &tags
			}
			if state != "" {
				s := oapi.ExportShortLinksParamsState(state)
				if !s.Valid() {
					return usageErrorf("--state must be active, disabled, expired or deleted, not %q", state)
				}
				params.State = &s
			}
			if workspace != "" {
				params.Workspace = &workspace
			}
			for _, f := range []struct {
				name, value string
				into        **time.Time
			}{{"created-after", after, &params.CreatedAfter}, {"created-before", before, &params.CreatedBefore}} {
				if f.value == "" {
					continue
				}
				at, err := parseInstant(f.value, c.now(), -1)
				if err != nil {
					return usageErrorf("--%s: %v", f.name, err)
				}
				*f.into = &at
			}
			client, err := c.client()
			if err != nil {
				return err
			}
			if output == "" {
				_, err := client.Export(cmd.Context(), params, c.out)
				return err
			}
			file, err := os.Create(output)
			if err != nil {
				return err
			}
			n, err := client.Export(cmd.Context(), params, file)
			if closeErr := file.Close(); err == nil {
				err = closeErr
			}
			if err != nil {
				_ = os.Remove(output) // an incomplete export must not pass for one
				return err
			}
			_, err = fmt.Fprintf(c.errOut, "Saved %s (%s, %s).\n", output, format, byteSize(n))
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", "", "csv or ndjson (default: by -o's extension, else csv)")
	f.StringVarP(&output, "output", "o", "", "write the export to this file instead of standard output")
	f.StringVar(&q, "q", "", "a code prefix, or (3 characters or more) a piece of the URL or title")
	f.StringArrayVar(&tags, "tag", nil, "only links with this tag (repeat it: all must match)")
	f.StringVar(&state, "state", "", "only links in this state: active, disabled, expired or deleted")
	f.StringVar(&after, "created-after", "", "only links created after: RFC 3339, a date, or a duration before now (7d)")
	f.StringVar(&before, "created-before", "", "only links created before, as --created-after")
	f.StringVar(&workspace, "workspace", "", "admin keys: only this workspace's links (none: links of no workspace)")
	return cmd
}

// byteSize is n bytes for people: 512 bytes, 3.1 MiB.
func byteSize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}
