package main

import (
	"slices"
	"testing"
)

func TestByMonthPrintsAMonthALine(t *testing.T) {
	t.Parallel()
	got := byMonth([]string{
		"short_link_y2027m01", "visit_hour_y2027m01", "visit_day_y2027m01",
		"short_link_y2027m02", "visit_hour_y2027m02", "visit_day_y2027m02",
		"visit_hour_y2026m01",
	})
	want := []string{
		"short_link_y2027m01 (visits: visit_hour_y2027m01, visit_day_y2027m01)",
		"short_link_y2027m02 (visits: visit_hour_y2027m02, visit_day_y2027m02)",
		"(links of y2026m01 kept) (visits: visit_hour_y2026m01)",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("byMonth = %q, want %q", got, want)
	}
}
