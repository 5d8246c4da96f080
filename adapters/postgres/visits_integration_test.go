//go:build integration

package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/postgres"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/test/testenv"
)

func visitCounts(link domain.LinkID, created, hour time.Time, humans int64) domain.VisitCounts {
	return domain.VisitCounts{Link: link, LinkCreatedAt: created, Hour: hour, Humans: humans,
		Referrers: []domain.ReferrerCount{{Host: "direct", Visits: humans}}}
}

func dayStats(t *testing.T, s *postgres.Store, link domain.LinkID, created, from time.Time, days int) domain.VisitStats {
	t.Helper()
	got, err := s.VisitStats(context.Background(), domain.VisitQuery{Link: link, LinkCreatedAt: created,
		Window: domain.VisitWindow{From: from, To: from.AddDate(0, 0, days), Interval: domain.IntervalDay}})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestVisitCountersLiveInTheirVisitsMonth: counters go to the partition of
// the visit's month, whatever the link's, and rows an earlier release wrote
// in the partition of the link's creation month are still read.
func TestVisitCountersLiveInTheirVisitsMonth(t *testing.T) {
	t.Parallel()
	s, db := newStoreAndSQL(t)
	ctx := context.Background()
	jan, mar := time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC), time.Date(2025, 3, 15, 0, 0, 0, 0, time.UTC)
	if _, err := s.EnsurePartitions(ctx, []time.Time{jan, mar}); err != nil {
		t.Fatal(err)
	}
	visitedAt := time.Date(2025, 3, 20, 10, 0, 0, 0, time.UTC)
	batch := domain.VisitBatch{ID: domain.NewVisitBatchID(), Made: visitedAt, Counts: []domain.VisitCounts{visitCounts(1, jan, visitedAt, 5)}}
	if err := s.AddVisits(ctx, batch); err != nil {
		t.Fatal(err)
	}
	var where string
	if err := db.GetContext(ctx, &where, `SELECT tableoid::regclass::text FROM visit_hour WHERE link_id = 1`); err != nil || where != "visit_hour_y2025m03" {
		t.Fatalf("a January link's March visits live in %q (%v), want visit_hour_y2025m03", where, err)
	}
	// As the previous release writes them: the link's creation month.
	for _, table := range []string{"visit_hour", "visit_day"} {
		if _, err := db.ExecContext(ctx, `INSERT INTO `+table+` VALUES ('2025-01-01', 1, '2025-03-21T00:00:00Z', 0, 2, 0, '{}')`); err != nil {
			t.Fatal(err)
		}
	}
	day := visitedAt.Truncate(24 * time.Hour)
	if got := dayStats(t, s, 1, jan, day, 2); got.Total() != 7 {
		t.Fatalf("the January link has %d visits over two days, want 7 (5 in March's partition, 2 in January's)", got.Total())
	}
}

// responseSwitch is a TCP proxy to Postgres that can swallow the server's
// replies while still forwarding the client's requests: a statement then
// runs and commits, and the client never hears of it.
type responseSwitch struct {
	ln      net.Listener
	target  string
	swallow atomic.Bool
}

func newResponseSwitch(t *testing.T, target string) *responseSwitch {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &responseSwitch{ln: ln, target: target}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				client.Close()
				continue
			}
			go func() { _, _ = io.Copy(server, client); server.Close() }()
			go func() {
				buf := make([]byte, 32<<10)
				for {
					n, err := server.Read(buf)
					if n > 0 && !p.swallow.Load() {
						if _, werr := client.Write(buf[:n]); werr != nil {
							break
						}
					}
					if err != nil {
						break
					}
				}
				client.Close()
			}()
		}
	}()
	return p
}

// TestUncertainVisitWriteIsRetriedOnce: the statement of a batch commits
// but its answer never arrives (the connection's I/O deadline fires after
// the statement was sent); the write is reported uncertain, not as "not
// applied", the flusher keeps the batch and retries it with the same id,
// and the visits are counted exactly once.
func TestUncertainVisitWriteIsRetriedOnce(t *testing.T) {
	t.Parallel()
	dbURL := testenv.Database(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newResponseSwitch(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	// One connection: the statement prepared on it by the first flush is
	// what the swallowed write executes, in one round trip.
	s, err := postgres.Open(postgres.Options{URL: u.String(), MaxOpenConns: 1, Timeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	direct := newStoreOn(t, dbURL)

	now := time.Now().UTC()
	clock := fixedClock{now}
	rec := app.NewVisitRecorder(clock, botsNever{}, 1000)
	flusher := app.NewVisitFlusher(rec, s, clock, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	rec.Record(41, now, false, "Mozilla/5.0", "")
	if err := flusher.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		rec.Record(42, now, false, "Mozilla/5.0", "https://t.co/x")
	}
	proxy.swallow.Store(true)
	err = flusher.Flush(context.Background())
	if err == nil || errors.Is(err, domain.ErrNotApplied) {
		t.Fatalf("write whose answer was swallowed: %v, want an uncertain error", err)
	}
	if got := dayStats(t, direct, 42, now, now.Truncate(24*time.Hour), 1); got.Total() != 10 {
		t.Fatalf("the swallowed write committed %d visits, want 10 (the test needs a commit whose answer is lost)", got.Total())
	}
	rec.Record(42, now, true, "", "") // counted meanwhile: waits for the held batch
	proxy.swallow.Store(false)
	for attempt := 0; ; attempt++ {
		if err := flusher.Flush(context.Background()); err == nil {
			break
		} else if attempt == 20 {
			t.Fatalf("retry never succeeded: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := flusher.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := dayStats(t, direct, 42, now, now.Truncate(24*time.Hour), 1)
	if got.Humans() != 10 || got.Bots() != 1 {
		t.Fatalf("after the retry: %d humans, %d bots; want 10 and 1, each visit once", got.Humans(), got.Bots())
	}
}

func newStoreOn(t *testing.T, url string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(postgres.Options{URL: url, MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

type botsNever struct{}

func (botsNever) IsBot(string) bool { return false }

func (botsNever) Agent(string) domain.UserAgent {
	return domain.UserAgent{Device: domain.DeviceDesktop, Browser: "Firefox", OS: "Linux"}
}

// TestDialFailureIsNotApplied: a write that cannot reach Postgres is
// certainly not applied, so the flusher merges it back.
func TestDialFailureIsNotApplied(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	s, err := postgres.Open(postgres.Options{URL: "postgres://postgres@" + addr + "/x?sslmode=disable", MaxOpenConns: 1, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	now := time.Now()
	err = s.AddVisits(context.Background(), domain.VisitBatch{ID: domain.NewVisitBatchID(), Made: now,
		Counts: []domain.VisitCounts{visitCounts(1, now, now.Truncate(time.Hour), 1)}})
	if !errors.Is(err, domain.ErrNotApplied) || !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("AddVisits with Postgres unreachable: %v, want ErrNotApplied and ErrUnavailable", err)
	}
}

// BenchmarkVisitStatsYear reads the stats of a link with a year of hourly
// rows in every slot, ten referrers each, among other links' rows: the
// daily series over 365 days and the hourly one over 31.
func BenchmarkVisitStatsYear(b *testing.B) {
	dbURL := testenv.Database(b)
	s, err := postgres.Open(postgres.Options{URL: dbURL, MaxOpenConns: 4})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Hour)
	created := now.AddDate(-1, 0, 0)
	if _, err := s.EnsurePartitions(ctx, postgres.MonthsAhead(created, 13)); err != nil {
		b.Fatal(err)
	}
	const link = 7
	for slot := range postgres.VisitSlots {
		for _, l := range []domain.LinkID{link, link + 1, link + 2} {
			batch := domain.VisitBatch{ID: domain.NewVisitBatchID(), Made: now}
			batch.ID[0] = byte(slot)
			for h := created; h.Before(now); h = h.Add(time.Hour) {
				c := domain.VisitCounts{Link: l, LinkCreatedAt: created, Hour: h, Humans: 3, Bots: 1}
				for r := range domain.MaxReferrers {
					c.Referrers = append(c.Referrers, domain.ReferrerCount{Host: fmt.Sprintf("ref%d.example.com", (r+int(domain.VisitHourOf(h)))%25), Visits: 1})
				}
				batch.Counts = append(batch.Counts, c)
			}
			if err := s.AddVisits(ctx, batch); err != nil {
				b.Fatal(err)
			}
		}
	}
	if _, err := testenv.SQL(b, dbURL).ExecContext(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		from     time.Time
		interval domain.VisitInterval
	}{
		{"365 days by day", now.AddDate(0, 0, -365).Truncate(24 * time.Hour), domain.IntervalDay},
		{"31 days by hour", now.AddDate(0, 0, -31), domain.IntervalHour},
	} {
		b.Run(tc.name, func(b *testing.B) {
			q := domain.VisitQuery{Link: link, LinkCreatedAt: created, Window: domain.VisitWindow{From: tc.from, To: now.Add(24 * time.Hour).Truncate(24 * time.Hour), Interval: tc.interval}}
			var once sync.Once
			for b.Loop() {
				got, err := s.VisitStats(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				once.Do(func() {
					if len(got.Series) == 0 || len(got.Referrers) != domain.TopReferrers {
						b.Fatalf("stats = %d buckets, %d referrers", len(got.Series), len(got.Referrers))
					}
				})
			}
		})
	}
}
