package domain

import (
	"fmt"
	"slices"
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
}

// NewVisitSum returns an empty sum over w.
func NewVisitSum(w VisitWindow) *VisitSum {
	return &VisitSum{window: w, buckets: map[time.Time]*VisitBucket{}, refs: map[string]int64{}}
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
	for host, n := range s.refs {
		out.Referrers = append(out.Referrers, ReferrerCount{Host: host, Visits: n})
	}
	SortReferrers(out.Referrers)
	if len(out.Referrers) > TopReferrers {
		out.Referrers = out.Referrers[:TopReferrers]
	}
	return out
}
