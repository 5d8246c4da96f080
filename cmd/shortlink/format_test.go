package main

import (
	"strings"
	"testing"
	"time"
)

func TestRelative(t *testing.T) {
	t.Parallel()
	now := time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "just now"},
		{-30 * time.Second, "just now"},
		{time.Minute, "in 1 minute"},
		{-5 * time.Minute, "5 minutes ago"},
		{90 * time.Minute, "in 2 hours"},
		{47 * time.Hour, "in 47 hours"},
		{30*24*time.Hour - 50*time.Millisecond, "in 30 days"}, // read a moment after it was set
		{-3 * 24 * time.Hour, "3 days ago"},
		{90 * 24 * time.Hour, "in 3 months"},
		{3 * 365 * 24 * time.Hour, "in 3 years"},
		{-200 * 365 * 24 * time.Hour, "200 years ago"},
	}
	for _, tt := range tests {
		if got := relative(now.Add(tt.d), now); got != tt.want {
			t.Errorf("relative(now%+v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestBar(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		value, peak int64
		width       int
		want        string
	}{
		{"the peak fills the width", 10, 10, 5, "█████"},
		{"half", 5, 10, 5, "██▌"},
		{"an eighth of a cell", 1, 40, 5, "▏"},
		{"a small value still shows", 1, 1000, 5, "▏"},
		{"zero draws nothing", 0, 10, 5, ""},
		{"no width draws nothing", 5, 10, 0, ""},
		{"seven eighths", 7, 8, 1, "▉"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := bar(tt.value, tt.peak, tt.width)
			if got != tt.want {
				t.Errorf("bar(%d, %d, %d) = %q, want %q", tt.value, tt.peak, tt.width, got, tt.want)
			}
			if n := len([]rune(got)); n > tt.width {
				t.Errorf("bar is %d cells, wider than %d", n, tt.width)
			}
		})
	}
}

func TestTable(t *testing.T) {
	t.Parallel()
	tab := table{
		header: []string{"CODE", "URL", "VISITS"},
		rows: [][]string{
			{"launch", "https://example.com/a/very/long/path/indeed", "1,204"},
			{"x", "https://example.com/", "7"},
		},
		right: map[int]bool{2: true},
		flex:  1,
	}
	tests := []struct {
		name  string
		width int
		want  string
	}{
		{"wide enough", 80, "" +
			"CODE    URL                                          VISITS\n" +
			"launch  https://example.com/a/very/long/path/indeed   1,204\n" +
			"x       https://example.com/                              7\n"},
		{"the URL column gives way", 40, "" +
			"CODE    URL                       VISITS\n" +
			"launch  https://example.com/a/v…   1,204\n" +
			"x       https://example.com/           7\n"},
		{"never under its header", 10, "" +
			"CODE    URL  VISITS\n" +
			"launch  ht…   1,204\n" +
			"x       ht…       7\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out strings.Builder
			if err := tab.write(&out, tt.width); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", out.String(), tt.want)
			}
			for line := range strings.SplitSeq(strings.TrimSpace(out.String()), "\n") {
				if n := len([]rune(line)); n > tt.width && tt.width >= 20 {
					t.Errorf("line of %d columns in %d: %q", n, tt.width, line)
				}
			}
		})
	}
}

func TestThousands(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 1234567: "1,234,567", -4200: "-4,200"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestParseInstant(t *testing.T) {
	t.Parallel()
	now := time.Date(2027, 1, 1, 12, 0, 0, 500, time.UTC)
	tests := []struct {
		in   string
		sign int
		want time.Time
		err  bool
	}{
		{"2027-03-01T10:00:00Z", 1, time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC), false},
		{"2027-03-01T10:00:00+02:00", 1, time.Date(2027, 3, 1, 8, 0, 0, 0, time.UTC), false},
		{"2027-03-01", 1, time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), false},
		{"30d", 1, time.Date(2027, 1, 31, 12, 0, 0, 0, time.UTC), false},
		{"+2w", 1, time.Date(2027, 1, 15, 12, 0, 0, 0, time.UTC), false},
		{"1d12h", 1, time.Date(2027, 1, 3, 0, 0, 0, 0, time.UTC), false},
		{"90m", 1, time.Date(2027, 1, 1, 13, 30, 0, 0, time.UTC), false},
		{"7d", -1, time.Date(2026, 12, 25, 12, 0, 0, 0, time.UTC), false},
		{"48h", -1, time.Date(2026, 12, 30, 12, 0, 0, 0, time.UTC), false},
		{"tomorrow", 1, time.Time{}, true},
		{"30", 1, time.Time{}, true},
		{"30x", 1, time.Time{}, true},
		{"d30", 1, time.Time{}, true},
		{"-30d", 1, time.Time{}, true},
		{"0d", 1, time.Time{}, true},
		{"2027-02-30", 1, time.Time{}, true},
		{"", 1, time.Time{}, true},
	}
	for _, tt := range tests {
		got, err := parseInstant(tt.in, now, tt.sign)
		switch {
		case tt.err && err == nil:
			t.Errorf("parseInstant(%q) = %v, want an error", tt.in, got)
		case !tt.err && (err != nil || !got.Equal(tt.want) || got.Location() != time.UTC):
			t.Errorf("parseInstant(%q, %d) = %v, %v; want %v", tt.in, tt.sign, got, err, tt.want)
		}
	}
}
