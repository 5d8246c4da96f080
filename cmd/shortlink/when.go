package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// durationPart is one number and unit of a duration: 90d, 2w, 1d12h.
var durationPart = regexp.MustCompile(`(\d+)([wdhms])`)

var durationUnits = map[string]time.Duration{
	"w": 7 * 24 * time.Hour, "d": 24 * time.Hour, "h": time.Hour, "m": time.Minute, "s": time.Second,
}

// parseDuration reads a duration of whole weeks, days, hours, minutes and
// seconds, largest first or not: 30d, 2w, 1d12h, 90m. Days are 24 hours.
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimPrefix(s, "+")
	matches := durationPart.FindAllStringSubmatch(s, -1)
	if len(matches) == 0 || len(strings.Join(flatten(matches), "")) != len(s) {
		return 0, fmt.Errorf("%q is not a duration such as 30d, 12h, 2w or 1d12h", s)
	}
	var d time.Duration
	for _, m := range matches {
		n, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || n > 100*365*24 {
			return 0, fmt.Errorf("%q is too long a duration", s)
		}
		d += time.Duration(n) * durationUnits[m[2]]
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q is no time at all", s)
	}
	return d, nil
}

func flatten(matches [][]string) []string {
	out := make([]string, len(matches))
	for i, m := range matches {
		out[i] = m[0]
	}
	return out
}

// parseInstant reads a point in time: RFC 3339 (2027-01-31T12:00:00Z or
// with an offset), a date (midnight UTC at its start), or a duration
// counted from now, forward when sign is 1 (an expiry: 30d is 30 days
// from now) or backward when -1 (a window's start: 7d is 7 days ago).
// The instant is returned in UTC.
func parseInstant(s string, now time.Time, sign int) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.UTC(), nil
	}
	d, err := parseDuration(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time (2006-01-02T15:04:05Z), a date (2006-01-02) nor a duration (30d, 12h, 2w)", s)
	}
	return now.Add(time.Duration(sign) * d).UTC().Truncate(time.Second), nil
}

// pastFlag is a flag that names an instant before now (parseInstant's
// forms, durations counted back) and where its value goes.
type pastFlag struct {
	name, value string
	into        **time.Time
}

// readPast reads every flag given into its target; an empty one sets
// nothing, a bad one is a usage error naming it.
func readPast(now time.Time, flags ...pastFlag) error {
	for _, f := range flags {
		if f.value == "" {
			continue
		}
		at, err := parseInstant(f.value, now, -1)
		if err != nil {
			return usageErrorf("--%s: %v", f.name, err)
		}
		*f.into = &at
	}
	return nil
}

// window is the --from and --to of the stats commands.
type window struct{ from, to string }

func (w *window) addFlags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&w.from, "from", "", "start of the window: RFC 3339, a date, or a duration before now (7d)")
	cmd.Flags().StringVar(&w.to, "to", "", "end of the window (excluded), as --from")
}

// read sets from and to from the flags.
func (w *window) read(now time.Time, from, to **time.Time) error {
	return readPast(now, pastFlag{"from", w.from, from}, pastFlag{"to", w.to, to})
}

// neverExpires is how an expiry for ever is written on the command line.
const neverExpires = "never"

// expiryArg is an expiry given on the command line as the API takes it:
// never, or an instant (parseInstant) in RFC 3339.
func expiryArg(raw string, now time.Time) (string, error) {
	if raw == neverExpires {
		return neverExpires, nil
	}
	at, err := parseInstant(raw, now, 1)
	if err != nil {
		return "", err
	}
	return at.Format(time.RFC3339Nano), nil
}
