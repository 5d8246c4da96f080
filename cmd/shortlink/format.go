package main

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// relative says how far t is from now in the largest whole unit: "in 14
// days", "3 hours ago", "just now" (under a minute either way).
func relative(t, now time.Time) string {
	d := t.Sub(now)
	future := d > 0
	if !future {
		d = -d
	}
	var unit time.Duration
	var name string
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		unit, name = time.Minute, "minute"
	case d < 48*time.Hour:
		unit, name = time.Hour, "hour"
	case d < 60*24*time.Hour:
		unit, name = 24*time.Hour, "day"
	case d < 2*365*24*time.Hour:
		unit, name = 30*24*time.Hour, "month"
	default:
		unit, name = 365*24*time.Hour, "year"
	}
	// To the nearest unit: an expiry set to 30 days from now, read a moment
	// later, is still "in 30 days".
	n := int64((d + unit/2) / unit)
	name = plural(n, name)
	if future {
		return "in " + name
	}
	return name + " ago"
}

// plural is n and noun, the noun with an s unless n is 1.
func plural(n int64, noun string) string {
	if n != 1 {
		noun += "s"
	}
	return thousands(n) + " " + noun
}

// eighths are the partial blocks of a bar, one eighth of a cell each.
var eighths = []rune{' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'}

// bar draws value as a bar of at most width cells, scaled so that maximum
// fills them, to an eighth of a cell. A value above zero always shows.
func bar(value, maximum int64, width int) string {
	if value <= 0 || maximum <= 0 || width <= 0 {
		return ""
	}
	units := value * int64(width) * 8 / maximum
	if units == 0 {
		units = 1
	}
	return strings.Repeat("█", int(units/8)) + strings.TrimRight(string(eighths[units%8]), " ")
}

// table writes rows under a header, in columns two spaces apart, fitted to
// width: when too wide, the column flex is cut (ending in "…") down to
// what fits, but never under its header. Columns listed in right are
// aligned right (numbers).
type table struct {
	header []string
	rows   [][]string
	right  map[int]bool
	flex   int // the column that gives way; -1 for none
}

func (t table) write(w io.Writer, width int) error {
	widths := make([]int, len(t.header))
	for _, row := range append([][]string{t.header}, t.rows...) {
		for i, cell := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(cell))
		}
	}
	total := 2 * (len(widths) - 1)
	for _, w := range widths {
		total += w
	}
	if t.flex >= 0 && total > width {
		widths[t.flex] = max(utf8.RuneCountInString(t.header[t.flex]), widths[t.flex]-(total-width))
	}
	for _, row := range append([][]string{t.header}, t.rows...) {
		var line strings.Builder
		for i, cell := range row {
			cell = truncate(cell, widths[i])
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(cell))
			if i > 0 {
				line.WriteString("  ")
			}
			if t.right[i] {
				line.WriteString(pad + cell)
			} else {
				line.WriteString(cell + pad)
			}
		}
		if _, err := fmt.Fprintln(w, strings.TrimRight(line.String(), " ")); err != nil {
			return err
		}
	}
	return nil
}

// truncate cuts s to n characters, the last of them "…" when cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	return string([]rune(s)[:n-1]) + "…"
}

// fields writes label and value pairs, the values lined up.
func fields(w io.Writer, pairs [][2]string) error {
	labelWidth := 0
	for _, p := range pairs {
		labelWidth = max(labelWidth, utf8.RuneCountInString(p[0]))
	}
	for _, p := range pairs {
		if _, err := fmt.Fprintf(w, "%-*s  %s\n", labelWidth, p[0], p[1]); err != nil {
			return err
		}
	}
	return nil
}

// thousands writes n with commas between groups of three digits.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
