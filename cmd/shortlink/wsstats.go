package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/shortlink/shortlink/adapters/httpclient"
	"github.com/shortlink/shortlink/adapters/httpclient/oapi"
)

// workspaceStatsCommand is "workspaces stats": the visits of a
// workspace's links together (GET /v1/stats).
func (c *cli) workspaceStatsCommand() *cobra.Command {
	var (
		w         window
		workspace string
		asJSON    bool
	)
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "Show the visits of a workspace's links together: totals, a bar per day, the top links",
		Long: `Show the visits of the key's workspace's links together, per day, and the
10 links with the most. Any key of the workspace may (viewers too); an
admin key names the workspace with --workspace (none: the links of no
workspace; without it, every link). --from and --to take an RFC 3339 time,
a date, or a duration before now (7d); the window is whole days in UTC,
the last 7 by default.`,
		Example: `  shortlink workspaces stats
  shortlink workspaces stats --from 30d --json`,
		Args: exactArgs(),
		RunE: func(cmd *cobra.Command, args []string) error {
			var params oapi.WorkspaceStatsParams
			if err := w.read(c.now(), &params.From, &params.To); err != nil {
				return err
			}
			if workspace != "" {
				params.Workspace = &workspace
			}
			client, err := c.client()
			if err != nil {
				return err
			}
			stats, err := client.WorkspaceStats(cmd.Context(), params)
			switch {
			case err != nil:
				return err
			case asJSON:
				return c.printData(stats.Data)
			}
			return writeWorkspaceStats(c.out, stats.Value, c.width())
		},
	}
	w.addFlags(cmd)
	cmd.Flags().StringVar(&workspace, "workspace", "", "admin keys: this workspace's links (none: the links of no workspace)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the API's answer (its data) as JSON")
	return cmd
}

// writeWorkspaceStats writes the totals, a bar per day with its numbers,
// and the top links, fitted to width columns.
func writeWorkspaceStats(w io.Writer, s httpclient.WorkspaceVisits, width int) error {
	whose := "every link"
	if s.Workspace != nil {
		whose = *s.Workspace
		if whose == "none" {
			whose = "the links of no workspace"
		}
	}
	if _, err := fmt.Fprintf(w, "%s: %s, %s and %s, %s of its links visited, %s to %s (UTC, by day)\n\n",
		whose, plural(s.Total, "visit"), plural(s.Humans, "human"), plural(s.Bots, "bot"), thousands(s.LinksVisited),
		s.From.UTC().Format(time.DateOnly), s.To.UTC().Format(time.DateOnly)); err != nil {
		return err
	}
	points := make([]seriesPoint, len(s.Series))
	for i, p := range s.Series {
		points[i] = seriesPoint{p.Start.UTC().Format(time.DateOnly), p.Humans, p.Bots}
	}
	series := seriesTable("DAY", points, width)
	if err := series.write(w, width); err != nil {
		return err
	}
	if len(s.TopLinks) == 0 {
		return nil
	}
	top := table{header: []string{"LINK", "HUMANS", "BOTS", "VISITS"}, right: map[int]bool{1: true, 2: true, 3: true}, flex: 0}
	for _, l := range s.TopLinks {
		top.rows = append(top.rows, []string{l.Code, thousands(l.Humans), thousands(l.Bots), thousands(l.Total)})
	}
	if _, err := fmt.Fprintln(w); err != nil {
		return err
	}
	return top.write(w, width)
}
