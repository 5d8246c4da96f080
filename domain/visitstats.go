package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// VisitInterval is the width of the buckets of a visit series.
type VisitInterval string

const (
	IntervalHour VisitInterval = "hour"
	IntervalDay  VisitInterval = "day"
)

// Duration is the interval's length.
func (i VisitInterval) Duration() time.Duration {
	if i == IntervalHour {
		return time.Hour
	}
	return 24 * time.Hour
}

// Statistics windows.
const (
	// DefaultStatsWindow is the window of a stats request that names none.
	DefaultStatsWindow = 7 * 24 * time.Hour
	// MaxHourlyWindow is the longest window an hourly series may cover.
	MaxHourlyWindow = 31 * 24 * time.Hour
	// TopReferrers is how many referrers a stats answer lists.
	TopReferrers = 10
)

// VisitWindow is the span of time a stats answer covers: whole intervals,
// aligned in UTC, from From (included) to To (excluded).
type VisitWindow struct {
	From, To time.Time
	Interval VisitInterval
}

// ParseVisitWindow checks the raw from, to and interval of a stats request
// ("" for each one not given) at now. Defaults: interval day, to now, from
// DefaultStatsWindow before to. The window must be no longer than maxSpan
// (MAX_TTL: no link lives longer) and, by the hour, than MaxHourlyWindow.
// It is then widened to whole intervals: from rounded down, to up.
func ParseVisitWindow(rawFrom, rawTo, rawInterval string, now time.Time, maxSpan time.Duration) (VisitWindow, error) {
	w := VisitWindow{Interval: IntervalDay}
	switch VisitInterval(rawInterval) {
	case "", IntervalDay:
	case IntervalHour:
		w.Interval = IntervalHour
	default:
		return VisitWindow{}, invalid("interval", ReasonInvalidInterval, "interval must be hour or day")
	}
	parse := func(field, raw string, def time.Time) (time.Time, error) {
		if raw == "" {
			return def, nil
		}
		t, err := time.Parse(time.RFC3339Nano, raw)
		if err != nil {
			return time.Time{}, invalid(field, ReasonInvalidWindow, field+" must be an RFC 3339 timestamp with a time zone, e.g. 2030-01-02T15:04:05Z")
		}
		return t.UTC(), nil
	}
	step := w.Interval.Duration()
	to, err := parse("to", rawTo, ceilTime(now.UTC(), step))
	if err != nil {
		return VisitWindow{}, err
	}
	from, err := parse("from", rawFrom, to.Add(-DefaultStatsWindow))
	if err != nil {
		return VisitWindow{}, err
	}
	switch span := to.Sub(from); {
	case span <= 0:
		return VisitWindow{}, invalid("from", ReasonInvalidWindow, "from must be before to")
	case span > maxSpan:
		return VisitWindow{}, invalid("to", ReasonInvalidWindow, fmt.Sprintf("the window between from and to must be at most %s", formatDuration(maxSpan)))
	case w.Interval == IntervalHour && span > MaxHourlyWindow:
		return VisitWindow{}, invalid("interval", ReasonInvalidInterval, fmt.Sprintf("hourly series cover at most %s; use interval=day for longer windows", formatDuration(MaxHourlyWindow)))
	}
	w.From, w.To = from.Truncate(step), ceilTime(to, step)
	return w, nil
}

// ceilTime rounds t up to a multiple of d (since the zero time; UTC days
// and hours).
func ceilTime(t time.Time, d time.Duration) time.Time {
	if down := t.Truncate(d); down.Before(t) {
		return down.Add(d)
	}
	return t
}

// VisitBucket is the visits of one interval of a series.
type VisitBucket struct {
	Start  time.Time
	Humans int64
	Bots   int64
}

// VisitQuery asks a store for the visits of one link within a window.
type VisitQuery struct {
	Link          LinkID
	LinkCreatedAt time.Time
	Window        VisitWindow
}

// VisitStats are a link's visits in a window: its series, every interval
// present (zeros included) in order, and its top referrers, most visits first.
type VisitStats struct {
	Window    VisitWindow
	Series    []VisitBucket
	Referrers []ReferrerCount
	// UniqueVisitors is the sum, over the days the window touches, of each
	// day's estimated unique visitors: "daily unique visitors", not people
	// over the window (a visitor of two days counts twice).
	UniqueVisitors int64
	// Dimensions are each dimension's top TopReferrers values over the
	// days the window touches (dimensions are kept per day), most visits
	// first; Host holds the value.
	Dimensions [NumDimensions][]ReferrerCount
}

// Humans, Bots and Total sum the series.
func (s VisitStats) Humans() int64 { return s.sum(func(b VisitBucket) int64 { return b.Humans }) }
func (s VisitStats) Bots() int64   { return s.sum(func(b VisitBucket) int64 { return b.Bots }) }
func (s VisitStats) Total() int64  { return s.Humans() + s.Bots() }

func (s VisitStats) sum(f func(VisitBucket) int64) int64 {
	var n int64
	for _, b := range s.Series {
		n += f(b)
	}
	return n
}

// DenseSeries spreads the non-empty buckets of w's series (any order, each
// start once, within w) over every interval of w, zeros included.
func DenseSeries(w VisitWindow, sparse []VisitBucket) []VisitBucket {
	step := w.Interval.Duration()
	n := int(w.To.Sub(w.From) / step)
	series := make([]VisitBucket, n)
	for i := range series {
		series[i].Start = w.From.Add(time.Duration(i) * step)
	}
	for _, b := range sparse {
		i := int(b.Start.Sub(w.From) / step)
		if i >= 0 && i < n {
			series[i].Humans += b.Humans
			series[i].Bots += b.Bots
		}
	}
	return series
}

// VisitSum adds up hourly counters into the buckets and the top referrers
// of a window, for stores that sum in Go.
type VisitSum struct {
	window  VisitWindow
	buckets map[time.Time]*VisitBucket
	refs    map[string]int64
	dims    [NumDimensions]map[string]int64
}

// NewVisitSum returns an empty sum over w.
func NewVisitSum(w VisitWindow) *VisitSum {
	s := &VisitSum{window: w, buckets: map[time.Time]*VisitBucket{}, refs: map[string]int64{}}
	for i := range s.dims {
		s.dims[i] = map[string]int64{}
	}
	return s
}

// AddDimensions adds the dimension counts of one hour or day (it may lie
// in the days around the window: dimensions are per day).
func (s *VisitSum) AddDimensions(dims *[NumDimensions][]ReferrerCount) {
	for d := range dims {
		for _, v := range dims[d] {
			s.dims[d][v.Host] += v.Visits
		}
	}
}

// Add adds the counters of one hour (within the window).
func (s *VisitSum) Add(hour time.Time, humans, bots int64, refs []ReferrerCount) {
	start := hour.UTC().Truncate(s.window.Interval.Duration())
	b := s.buckets[start]
	if b == nil {
		b = &VisitBucket{Start: start}
		s.buckets[start] = b
	}
	b.Humans += humans
	b.Bots += bots
	for _, r := range refs {
		s.refs[r.Host] += r.Visits
	}
}

// Stats is the sum: its non-empty buckets in order and its top referrers.
func (s *VisitSum) Stats() VisitStats {
	out := VisitStats{Window: s.window}
	for _, b := range s.buckets {
		out.Series = append(out.Series, *b)
	}
	slices.SortFunc(out.Series, func(a, b VisitBucket) int { return a.Start.Compare(b.Start) })
	out.Referrers = topCounts(s.refs)
	for d := range s.dims {
		out.Dimensions[d] = topCounts(s.dims[d])
	}
	return out
}

// topCounts is the TopReferrers values of m with the most visits (more
// than none), most first, ties by value.
func topCounts(m map[string]int64) []ReferrerCount {
	var out []ReferrerCount
	for v, n := range m {
		if n > 0 {
			out = append(out, ReferrerCount{Host: v, Visits: n})
		}
	}
	SortReferrers(out)
	if len(out) > TopReferrers {
		out = out[:TopReferrers]
	}
	return out
}

// DayOf is the first instant of t's UTC day.
func DayOf(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }

// DimensionDays is the UTC days whose dimension and unique-visitor counts
// a window reads: every day it touches, from the day of From up to the
// day after the last instant before To.
func (w VisitWindow) DimensionDays() (from, to time.Time) {
	return DayOf(w.From), DayOf(w.To.Add(-time.Nanosecond)).Add(24 * time.Hour)
}

// DimensionReferrer names the referrer hosts among the dimensions a stats
// request may ask the top values of.
const DimensionReferrer = "referrer"

// ParseDimensionList checks the dimensions of a stats request: names of
// Dimensions or DimensionReferrer, separated by commas, each at most once
// ("" asks for none). It returns them in the order given.
func ParseDimensionList(raw string) ([]string, error) {
	if raw == "" {
		return nil, nil
	}
	names := strings.Split(raw, ",")
	for i, name := range names {
		name = strings.TrimSpace(name)
		names[i] = name
		if _, ok := ParseDimension(name); !ok && name != DimensionReferrer {
			return nil, invalid("dimensions", ReasonInvalidDimension, fmt.Sprintf("dimensions lists %q; the dimensions are %s and %s", name, strings.Join(dimensionNames[:], ", "), DimensionReferrer))
		}
		if slices.Contains(names[:i], name) {
			return nil, invalid("dimensions", ReasonInvalidDimension, fmt.Sprintf("dimensions lists %q twice", name))
		}
	}
	return names, nil
}

// Stats answer formats.
const (
	StatsJSON = "json"
	StatsCSV  = "csv"
)

// ParseStatsFormat checks the format of a stats request: json (the
// default, "") or csv (the series only).
func ParseStatsFormat(raw string) (string, error) {
	switch raw {
	case "", StatsJSON:
		return StatsJSON, nil
	case StatsCSV:
		return StatsCSV, nil
	}
	return "", invalid("format", ReasonInvalidFormat, "format must be json or csv")
}
