// Command partitions creates the monthly partitions of short_link, and of
// the visit counters of each month's visits (visit_hour, visit_day), ahead
// of time and, optionally, applies retention (VISIT_RETENTION): it deletes
// the links that ended that long ago, in batches, drops the link
// partitions left empty, and the counters' partitions of older months.
//
//	partitions --ahead 2                  this month and next
//	partitions --month 2027-01 --month …  the named months
//	partitions --ahead 3 --prune          also apply retention
//
// Creates never depend on it (rows without a partition land in the default
// one and are moved on the next run), but lookups are fastest when it runs daily.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/shortlink/shortlink/adapters/postgres"
	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/cmd/wiring/pgwiring"
)

type monthList []time.Time

func (m *monthList) String() string { return fmt.Sprint(*m) }

func (m *monthList) Set(s string) error {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return fmt.Errorf("month %q is not YYYY-MM", s)
	}
	*m = append(*m, t)
	return nil
}

func main() {
	var months monthList
	ahead := flag.Int("ahead", 0, "create partitions for the current month and the next N-1 months")
	prune := flag.Bool("prune", false, "delete links that ended VISIT_RETENTION months ago, drop link partitions left empty and visit counters older than VISIT_RETENTION months")
	flag.Var(&months, "month", "create the partition of month YYYY-MM (repeatable)")
	flag.Parse()
	if err := run(months, *ahead, *prune); err != nil {
		fmt.Fprintln(os.Stderr, "partitions:", err)
		os.Exit(1)
	}
}

func run(months monthList, ahead int, prune bool) error {
	if ahead < 0 || (ahead == 0 && len(months) == 0 && !prune) {
		return fmt.Errorf("give --ahead N (N ≥ 1), one or more --month YYYY-MM, or --prune")
	}
	cfg, err := config.Load(os.LookupEnv)
	if err != nil {
		return err
	}
	store, err := postgres.Open(pgwiring.ToolOptions(cfg))
	if err != nil {
		return err
	}
	defer store.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	now := time.Now()
	names, err := store.EnsurePartitions(ctx, append(postgres.MonthsAhead(now, ahead), months...))
	for _, line := range byMonth(names) {
		fmt.Println("partition ready:", line)
	}
	if err != nil {
		return err
	}
	if prune {
		pruned, err := store.Prune(ctx, cfg.Retention().Cutoffs(now))
		fmt.Println("links deleted:", pruned.Links)
		for _, line := range byMonth(pruned.Partitions) {
			fmt.Println("partition dropped:", line)
		}
		return err
	}
	return nil
}

// byMonth writes partition names one month a line: the month's links'
// partition, then those of the month's visit counters, e.g.
// "short_link_y2027m01 (visits: visit_hour_y2027m01, visit_day_y2027m01)".
func byMonth(names []string) []string {
	var order []string
	links, visits := map[string]string{}, map[string][]string{}
	for _, name := range names {
		month := name[strings.LastIndexByte(name, '_')+1:]
		if _, seen := links[month]; !seen {
			order = append(order, month)
			links[month] = ""
		}
		if strings.HasPrefix(name, "short_link_") {
			links[month] = name
		} else {
			visits[month] = append(visits[month], name)
		}
	}
	lines := make([]string, 0, len(order))
	for _, month := range order {
		line := links[month]
		if line == "" {
			line = "(links of " + month + " kept)"
		}
		if v := visits[month]; len(v) > 0 {
			line += " (visits: " + strings.Join(v, ", ") + ")"
		}
		lines = append(lines, line)
	}
	return lines
}
