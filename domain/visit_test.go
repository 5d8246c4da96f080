package domain_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/domain"
)

func TestReferrerHost(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ referer, want string }{
		{"", "direct"},
		{"https://t.co/abc?x=1", "t.co"},
		{"https://News.YCombinator.com/item?id=1", "news.ycombinator.com"},
		{"http://user:secret@Example.COM:8080/path#frag", "example.com"},
		{"https://example.com.", "example.com"},
		{"https://example.com", "example.com"},
		{"https://[2001:DB8::1]:443/x", "[2001:db8::1]"},
		{"android-app://com.slack/", "com.slack"},
		{"//example.com/", "direct"},
		{"example.com/page", "direct"},
		{"https://", "direct"},
		{"https:///path", "direct"},
		{"https://exa mple.com/", "direct"},
		{"https://bücher.de/", "direct"},
		{"https://[::1/", "direct"},
		{"https://" + strings.Repeat("a", 254) + "/", "direct"},
		{"not a url at all", "direct"},
	} {
		if got := domain.ReferrerHost(tc.referer); got != tc.want {
			t.Errorf("ReferrerHost(%q) = %q, want %q", tc.referer, got, tc.want)
		}
	}
}

func TestReferrerHostAllocatesNothingForLowerCaseHosts(t *testing.T) {
	referer := "https://news.ycombinator.com/item?id=42"
	if n := testing.AllocsPerRun(100, func() { _ = domain.ReferrerHost(referer) }); n != 0 {
		t.Fatalf("ReferrerHost allocates %.0f times, want 0", n)
	}
}

func FuzzReferrerHost(f *testing.F) {
	for _, s := range []string{"", "https://t.co/x", "http://[::1]:80/", "a://B@C:1", "https://x.\x00/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, referer string) {
		host := domain.ReferrerHost(referer)
		if host == "" || len(host) > 253 || strings.ContainsAny(host, "/?#@ \t\n") || strings.ToLower(host) != host {
			t.Fatalf("ReferrerHost(%q) = %q: not a lower-case host", referer, host)
		}
	})
}

func TestCapReferrers(t *testing.T) {
	t.Parallel()
	refs := []domain.ReferrerCount{{"b", 5}, {"other", 2}, {"a", 5}, {"c", 1}, {"d", 9}}
	got := domain.CapReferrers(refs, 2)
	want := []domain.ReferrerCount{{"d", 9}, {"a", 5}, {"other", 8}}
	if len(got) != len(want) {
		t.Fatalf("CapReferrers = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("CapReferrers = %v, want %v", got, want)
		}
	}
	merged := domain.AddReferrers([]domain.ReferrerCount{{"a", 1}}, []domain.ReferrerCount{{"a", 2}, {"b", 1}}, 10)
	if len(merged) != 2 || merged[0] != (domain.ReferrerCount{"a", 3}) || merged[1] != (domain.ReferrerCount{"b", 1}) {
		t.Fatalf("AddReferrers = %v", merged)
	}
}

func TestVisitBatchID(t *testing.T) {
	t.Parallel()
	a, b := domain.NewVisitBatchID(), domain.NewVisitBatchID()
	if a == b {
		t.Fatal("two batch ids are equal")
	}
	if s := a.String(); len(s) != 36 || s[14] != '4' || strings.Count(s, "-") != 4 {
		t.Fatalf("batch id %s is not a version 4 UUID", s)
	}
}

func TestParseVisitWindow(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 30, 15, 20, 0, 0, time.UTC)
	const maxSpan = 365 * 24 * time.Hour
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name, from, to, interval string
		want                     domain.VisitWindow
		field                    string
	}{
		{name: "defaults: the last 7 days, today included, by day", want: domain.VisitWindow{From: day(24), To: day(31), Interval: "day"}},
		{name: "hourly defaults", interval: "hour", want: domain.VisitWindow{From: now.Truncate(time.Hour).Add(time.Hour - 7*24*time.Hour), To: now.Truncate(time.Hour).Add(time.Hour), Interval: "hour"}},
		{name: "widened to whole days", from: "2026-11-02T10:00:00Z", to: "2026-11-03T01:00:00+01:00", want: domain.VisitWindow{From: day(2), To: day(3), Interval: "day"}},
		{name: "widened to whole hours", from: "2026-11-02T10:30:00Z", to: "2026-11-02T12:10:00Z", interval: "hour", want: domain.VisitWindow{From: day(2).Add(10 * time.Hour), To: day(2).Add(13 * time.Hour), Interval: "hour"}},
		{name: "only from: up to now", from: "2026-11-01T00:00:00Z", want: domain.VisitWindow{From: day(1), To: day(31), Interval: "day"}},
		{name: "bad interval", interval: "week", field: "interval"},
		{name: "bad from", from: "yesterday", field: "from"},
		{name: "from without zone", from: "2026-11-01T00:00:00", field: "from"},
		{name: "bad to", to: "2026-13-01T00:00:00Z", field: "to"},
		{name: "from after to", from: "2026-11-03T00:00:00Z", to: "2026-11-02T00:00:00Z", field: "from"},
		{name: "from equals to", from: "2026-11-03T00:00:00Z", to: "2026-11-03T00:00:00Z", field: "from"},
		{name: "longer than MAX_TTL", from: "2025-01-01T00:00:00Z", to: "2026-11-01T00:00:00Z", field: "to"},
		{name: "hourly series longer than 31 days", from: "2026-09-01T00:00:00Z", to: "2026-11-01T00:00:00Z", interval: "hour", field: "interval"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.ParseVisitWindow(tc.from, tc.to, tc.interval, now, maxSpan)
			if tc.field != "" {
				var verr *domain.ValidationError
				if !errors.As(err, &verr) || verr.Field != tc.field {
					t.Fatalf("error = %v, want a validation error naming %s", err, tc.field)
				}
				return
			}
			if err != nil || !got.From.Equal(tc.want.From) || !got.To.Equal(tc.want.To) || got.Interval != tc.want.Interval {
				t.Fatalf("window = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestDenseSeries(t *testing.T) {
	t.Parallel()
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	w := domain.VisitWindow{From: from, To: from.Add(4 * time.Hour), Interval: domain.IntervalHour}
	got := domain.DenseSeries(w, []domain.VisitBucket{{Start: from.Add(2 * time.Hour), Humans: 3, Bots: 1}})
	if len(got) != 4 || got[2].Humans != 3 || got[2].Bots != 1 || got[0].Humans != 0 || !got[3].Start.Equal(from.Add(3*time.Hour)) {
		t.Fatalf("DenseSeries = %+v", got)
	}
	stats := domain.VisitStats{Series: got}
	if stats.Total() != 4 || stats.Humans() != 3 || stats.Bots() != 1 {
		t.Fatalf("totals = %d, %d, %d", stats.Total(), stats.Humans(), stats.Bots())
	}
}

func TestVisitHourOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		at   time.Time
		want time.Time
	}{
		{"on the hour", time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC), time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)},
		{"a nanosecond before the next", time.Date(2026, 11, 2, 10, 59, 59, 999_999_999, time.UTC), time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)},
		{"another zone counts in UTC", time.Date(2026, 11, 2, 12, 30, 0, 0, time.FixedZone("", 2*3600+1800)), time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)},
		{"before 1970 rounds down", time.Date(1969, 12, 31, 23, 30, 0, 0, time.UTC), time.Date(1969, 12, 31, 23, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := domain.VisitHourOf(tc.at)
			if got := h.Start(); !got.Equal(tc.want) || got.Location() != time.UTC {
				t.Fatalf("VisitHourOf(%s).Start() = %s, want %s in UTC", tc.at, got, tc.want)
			}
			if next := domain.VisitHourOf(tc.want.Add(time.Hour)); next != h+1 {
				t.Fatalf("the next hour is %d, want %d", next, h+1)
			}
		})
	}
}

// TestAddReferrersKeepsANegativeOther: a batch's other may be negative (a
// host named late takes its visits back), and a sum of such batches, such
// as the hours of one day in one batch, must keep it to stay exact.
func TestAddReferrersKeepsANegativeOther(t *testing.T) {
	t.Parallel()
	got := domain.AddReferrers([]domain.ReferrerCount{{"late.example", 8}, {domain.ReferrerOther, -5}}, []domain.ReferrerCount{{"t.co", 1}}, 10)
	want := []domain.ReferrerCount{{"late.example", 8}, {"t.co", 1}, {domain.ReferrerOther, -5}}
	if !slices.Equal(got, want) {
		t.Fatalf("AddReferrers = %v, want %v", got, want)
	}
	if got := domain.AddReferrers([]domain.ReferrerCount{{domain.ReferrerOther, 5}}, []domain.ReferrerCount{{domain.ReferrerOther, -5}}, 10); len(got) != 0 {
		t.Fatalf("an other that sums to nothing is kept: %v", got)
	}
}
