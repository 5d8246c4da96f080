package domain_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/shortlink/shortlink/domain"
)

func newHosts(capacity, base int, room int64) *domain.HeavyHitterLimits[string] {
	return domain.NewHeavyHitterLimits(capacity, base, room, strings.Clone)
}

func TestHeavyHittersCountExactlyWithinCapacity(t *testing.T) {
	t.Parallel()
	h := domain.NewHeavyHitters(newHosts(100, 100, 0))
	want := map[string]int64{}
	r := rand.New(rand.NewPCG(1, 2))
	for range 10_000 {
		host := fmt.Sprintf("h%d.example", r.IntN(60))
		h.Add(host, 1)
		want[host]++
	}
	top := h.Top(100)
	if len(top) != len(want) {
		t.Fatalf("tracks %d values, want %d", len(top), len(want))
	}
	for i, c := range top {
		if c.Count != want[c.Value] {
			t.Errorf("%s counted %d, want %d", c.Value, c.Count, want[c.Value])
		}
		if i > 0 && c.Count > top[i-1].Count {
			t.Errorf("Top is not in order: %v", top)
		}
	}
}

// TestForgedFloodCannotEvictARealHost is the referrer attack on the sketch
// alone: 10 000 forged hosts, each sent in bursts, two visits apiece,
// around a real host with 600 visits. Keeping a hundred candidates, the
// real host stays on top, and no count is ever overstated.
func TestForgedFloodCannotEvictARealHost(t *testing.T) {
	t.Parallel()
	h := domain.NewHeavyHitters(newHosts(100, 10, 90))
	const real = "real.example"
	forged, realVisits := 0, int64(0)
	for burst := range 200 {
		for i := range 50 { // a burst: 50 new forged hosts, twice each
			host := fmt.Sprintf("forged-%d-%d.example", burst, i)
			h.Add(host, 1)
			h.Add(host, 1)
			forged++
		}
		for range 3 {
			h.Add(real, 1)
			realVisits++
		}
	}
	if forged != 10_000 {
		t.Fatalf("sent %d forged hosts", forged)
	}
	top := h.Top(10)
	if top[0].Value != real {
		t.Fatalf("top values = %v; the real host with %d visits is not first", top, realVisits)
	}
	// Its exact count is what it got since it last took a counter: all of
	// it unless a burst pushed it out before it had more than one visit.
	if top[0].Count > realVisits || top[0].Count < realVisits-3 {
		t.Fatalf("real host counted %d, sent %d", top[0].Count, realVisits)
	}
	for _, c := range top[1:] {
		if c.Count > 2 {
			t.Fatalf("forged host %s counted %d, sent 2", c.Value, c.Count)
		}
	}
	if h.Len() != 100 {
		t.Fatalf("tracks %d values, want its capacity, 100", h.Len())
	}
}

// TestReportNamesLateHeavyHittersWithAllTheirCounts: a value that joins
// the top after earlier reports is named with all its count at once, and
// nothing is handed out twice; Unreport gives back what a lost batch took.
func TestReportNamesLateHeavyHittersWithAllTheirCounts(t *testing.T) {
	t.Parallel()
	h := domain.NewHeavyHitters(newHosts(10, 10, 0))
	h.Add("early.example", 5)
	h.Add("late.example", 1)
	got, sum := h.Report(1, nil)
	if len(got) != 1 || got[0] != (domain.Counted[string]{Value: "early.example", Count: 5}) || sum != 5 {
		t.Fatalf("first report = %v, %d", got, sum)
	}
	h.Add("late.example", 6) // 7 now, 1 of them before the first report
	got, sum = h.Report(1, nil)
	if len(got) != 1 || got[0] != (domain.Counted[string]{Value: "late.example", Count: 7}) || sum != 7 {
		t.Fatalf("second report = %v, %d; want late.example with all of its 7", got, sum)
	}
	if got, sum = h.Report(2, nil); len(got) != 0 || sum != 0 {
		t.Fatalf("a report with nothing new = %v, %d", got, sum)
	}
	h.Unreport("late.example", 7) // that batch was not written
	h.Add("early.example", 1)
	got, sum = h.Report(2, nil)
	want := []domain.Counted[string]{{Value: "late.example", Count: 7}, {Value: "early.example", Count: 1}}
	if fmt.Sprint(got) != fmt.Sprint(want) || sum != 8 {
		t.Fatalf("report after Unreport = %v, %d; want %v", got, sum, want)
	}
}

// TestHeavyHittersShareTheirRoom: sketches keep Base counters each, and
// beyond it only as long as their family's room lasts, given back on
// Release.
func TestHeavyHittersShareTheirRoom(t *testing.T) {
	t.Parallel()
	limits := newHosts(100, 10, 30)
	a, b := domain.NewHeavyHitters(limits), domain.NewHeavyHitters(limits)
	for i := range 1000 {
		a.Add(fmt.Sprint("a", i), 1)
	}
	if a.Len() != 40 || limits.Room() != 0 {
		t.Fatalf("a tracks %d values, room left %d; want 10 + the room of 30, none left", a.Len(), limits.Room())
	}
	for i := range 1000 {
		b.Add(fmt.Sprint("b", i), 1)
	}
	if b.Len() != 10 {
		t.Fatalf("b tracks %d values with no room left, want its base of 10", b.Len())
	}
	a.Release()
	if a.Len() != 0 || limits.Room() != 30 {
		t.Fatalf("after Release: a tracks %d, room %d; want 0 and 30", a.Len(), limits.Room())
	}
	for i := range 1000 {
		b.Add(fmt.Sprint("b", i), 1)
	}
	if b.Len() != 40 {
		t.Fatalf("b tracks %d values once room was given back, want 40", b.Len())
	}
}

func TestHeavyHittersCopyTheValuesTheyKeep(t *testing.T) {
	t.Parallel()
	h := domain.NewHeavyHitters(newHosts(4, 4, 0))
	buf := []byte("one.example")
	h.Add(string(buf[:3]), 1) // as a host sliced from a header would be, if the header were reused
	copy(buf, "two")
	if top := h.Top(1); top[0].Value != "one" {
		t.Fatalf("kept %q", top[0].Value)
	}
}

func TestAddingATrackedValueAllocatesNothing(t *testing.T) {
	h := domain.NewHeavyHitters(newHosts(100, 100, 0))
	hosts := make([]string, 100) // past the linear scan: the map index too
	for i := range hosts {
		hosts[i] = fmt.Sprintf("h%d.example", i)
		h.Add(hosts[i], 1)
	}
	i := 0
	if n := testing.AllocsPerRun(1000, func() { h.Add(hosts[i%len(hosts)], 1); i++ }); n != 0 {
		t.Fatalf("Add of a tracked value allocates %.0f times", n)
	}
}

func BenchmarkHeavyHittersAdd(b *testing.B) {
	for _, tracked := range []int{3, 100} {
		b.Run(fmt.Sprint(tracked, " tracked"), func(b *testing.B) {
			h := domain.NewHeavyHitters(newHosts(100, 100, 0))
			hosts := make([]string, tracked)
			for i := range hosts {
				hosts[i] = fmt.Sprintf("host-%d.example.com", i)
				h.Add(hosts[i], 1)
			}
			i := 0
			for b.Loop() {
				h.Add(hosts[i%len(hosts)], 1)
				i++
			}
		})
	}
}
