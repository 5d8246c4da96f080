package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/shortlink/shortlink/adapters/httpclient/oapi"
)

func (c *cli) exportCommand() *cobra.Command {
	var (
		format, output string
		filters        linkFilters
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
			f := oapi.ExportShortLinksParamsFormat(format)
			if !f.Valid() {
				return usageErrorf("--format must be csv or ndjson, not %q", format)
			}
			lq, err := filters.query(c.now())
			if err != nil {
				return err
			}
			params := oapi.ExportShortLinksParams{Format: &f, Q: lq.q, Tag: lq.tags, Workspace: lq.workspace,
				CreatedAfter: lq.createdAfter, CreatedBefore: lq.createdBefore}
			if lq.state != "" {
				s := oapi.ExportShortLinksParamsState(lq.state)
				params.State = &s
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
	filters.addFlags(cmd)
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
