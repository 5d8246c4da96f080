package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/shortlink/shortlink/adapters/httpclient/oapi"
)

func (c *cli) statsCommand() *cobra.Command {
	var (
		w             window
		interval      string
		dimensions    string
		asJSON, asCSV bool
	)
	cmd := &cobra.Command{
		Use:   "stats CODE",
		Short: "Show a link's visits: totals, a bar per day or hour, top referrers and dimensions",
		Long: `Show a link's visits over a window: the totals, a bar per interval (its
numbers beside it), the top referrer hosts and the top values of each
dimension --dimensions names (countries, devices, browsers, OSes,
campaigns; counted when the server runs with VISIT_DIMENSIONS, which also
gives the daily unique visitors). Needs a key that manages the link.
--from and --to take an RFC 3339 time, a date, or a duration before now
(7d: seven days ago); the server's defaults are the last 7 days by day.
--csv prints the series as CSV (start,humans,bots).`,
		Example: `  shortlink stats launch
  shortlink stats launch --from 48h --interval hour
  shortlink stats launch --csv > launch.csv`,
		Args: exactArgs("CODE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var params oapi.ShortLinkStatsParams
			if err := w.read(c.now(), &params.From, &params.To); err != nil {
				return err
			}
			switch i := oapi.ShortLinkStatsParamsInterval(interval); i {
			case "":
			case oapi.ShortLinkStatsParamsIntervalDay, oapi.ShortLinkStatsParamsIntervalHour:
				params.Interval = &i
			default:
				return usageErrorf("--interval must be day or hour, not %q", interval)
			}
			if dimensions != "" {
				params.Dimensions = &dimensions
			}
			client, err := c.client()
			if err != nil {
				return err
			}
			stats, err := client.Stats(cmd.Context(), args[0], params)
			switch {
			case err != nil:
				return err
			case asJSON:
				return c.printData(stats.Data)
			case asCSV:
				return writeSeriesCSV(c.out, stats.Value)
			}
			return writeStats(c.out, stats.Value, c.width())
		},
	}
	w.addFlags(cmd)
	cmd.Flags().StringVar(&interval, "interval", "", "day or hour (default day)")
	cmd.Flags().StringVar(&dimensions, "dimensions", defaultDimensions, `the dimensions to list the top values of, comma-separated ("" for none)`)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the API's answer (its data) as JSON")
	cmd.Flags().BoolVar(&asCSV, "csv", false, "print the series as CSV: start,humans,bots")
	cmd.MarkFlagsMutuallyExclusive("json", "csv")
	return cmd
}

// writeStats writes the totals, the series as bars with their numbers, and
// the top referrers, fitted to width columns.
func writeStats(w io.Writer, s oapi.Stats, width int) error {
	layout, column := time.DateOnly, "DAY"
	if s.Interval == oapi.StatsIntervalHour {
		layout, column = "2006-01-02 15:04", "HOUR (UTC)"
	}
	dims := statsDimensions(s)
	uniques := ""
	if counted(dims) {
		uniques = fmt.Sprintf(", %s", plural(int64(s.UniqueVisitors), "daily unique visitor"))
	}
	if _, err := fmt.Fprintf(w, "%s: %s, %s and %s%s, %s to %s (UTC, by %s)\n\n",
		s.Code, plural(int64(s.Total), "visit"), plural(int64(s.Humans), "human"), plural(int64(s.Bots), "bot"), uniques,
		s.From.UTC().Format(layout), s.To.UTC().Format(layout), s.Interval); err != nil {
		return err
	}
	points := make([]seriesPoint, len(s.Series))
	for i, p := range s.Series {
		points[i] = seriesPoint{p.Start.UTC().Format(layout), int64(p.Humans), int64(p.Bots)}
	}
	series := seriesTable(column, points, width)
	if err := series.write(w, width); err != nil {
		return err
	}
	if len(s.Referrers) > 0 {
		referrers := table{header: []string{"REFERRER", "VISITS"}, right: map[int]bool{1: true}, flex: 0}
		for _, r := range s.Referrers {
			referrers.rows = append(referrers.rows, []string{r.Host, thousands(int64(r.Visits))})
		}
		if _, err := fmt.Fprintln(w); err != nil {
			return err
		}
		if err := referrers.write(w, width); err != nil {
			return err
		}
	}
	top := table{header: []string{"DIMENSION", "VALUE", "VISITS"}, right: map[int]bool{2: true}, flex: 1}
	for _, d := range dims {
		for _, v := range d.values {
			top.rows = append(top.rows, []string{d.name, v.Value, thousands(int64(v.Visits))})
		}
	}
	if len(top.rows) == 0 {
		return nil
	}
	if _, err := fmt.Fprintln(w); err != nil {
		return err
	}
	return top.write(w, width)
}

// defaultDimensions are the dimensions stats lists unless told otherwise.
const defaultDimensions = "country,device,browser,os,utm_source,utm_campaign"

// namedValues are one dimension's top values in an answer.
type namedValues struct {
	name   string
	values oapi.DimensionValues
}

// statsDimensions are the dimensions s lists, in the API's order.
func statsDimensions(s oapi.Stats) []namedValues {
	if s.Dimensions == nil {
		return nil
	}
	d := s.Dimensions
	var out []namedValues
	for _, n := range []struct {
		name   string
		values *oapi.DimensionValues
	}{
		{"country", d.Country}, {"device", d.Device}, {"browser", d.Browser}, {"os", d.Os},
		{"utm_source", d.UtmSource}, {"utm_medium", d.UtmMedium}, {"utm_campaign", d.UtmCampaign}, {"referrer", d.Referrer},
	} {
		if n.values != nil {
			out = append(out, namedValues{n.name, *n.values})
		}
	}
	return out
}

// counted reports whether the server counts dimensions (and unique
// visitors): with VISIT_DIMENSIONS every visit has a country.
func counted(dims []namedValues) bool {
	for _, d := range dims {
		if d.name == "country" && len(d.values) > 0 {
			return true
		}
	}
	return false
}

func longest(cells []string) int {
	n := 0
	for _, c := range cells {
		n = max(n, len([]rune(c)))
	}
	return n
}

// writeSeriesCSV writes the series as CSV with a header: start (RFC 3339),
// humans, bots.
func writeSeriesCSV(w io.Writer, s oapi.Stats) error {
	out := csv.NewWriter(w)
	_ = out.Write([]string{"start", "humans", "bots"})
	for _, p := range s.Series {
		_ = out.Write([]string{p.Start.UTC().Format(time.RFC3339), strconv.Itoa(p.Humans), strconv.Itoa(p.Bots)})
	}
	out.Flush()
	return out.Error()
}

// seriesPoint is one interval of a series of visits.
type seriesPoint struct {
	label        string
	humans, bots int64
}

// seriesTable is a series as a table: the interval, its numbers, and a
// bar scaled to the busiest interval in what width leaves over.
func seriesTable(column string, points []seriesPoint, width int) table {
	series := table{header: []string{column, "HUMANS", "BOTS"}, right: map[int]bool{1: true, 2: true}, flex: -1}
	var peak int64
	for _, p := range points {
		series.rows = append(series.rows, []string{p.label, thousands(p.humans), thousands(p.bots)})
		peak = max(peak, p.humans+p.bots)
	}
	used := 2 * len(series.header)
	for i := range series.header {
		cells := []string{series.header[i]}
		for _, row := range series.rows {
			cells = append(cells, row[i])
		}
		used += longest(cells)
	}
	barWidth := max(10, width-used)
	series.header = append(series.header, "")
	for i, p := range points {
		series.rows[i] = append(series.rows[i], bar(p.humans+p.bots, peak, barWidth))
	}
	return series
}
