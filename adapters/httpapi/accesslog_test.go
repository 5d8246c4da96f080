package httpapi

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestAccessLineIsSlogsFormat: the hand-written line is byte for byte what
// slog's JSON handler writes for the same request, so log pipelines that
// read the old lines read the new ones.
func TestAccessLineIsSlogsFormat(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 30, 6, 40, 1, 20_500_000, time.UTC)
	zone := time.FixedZone("", 2*3600)
	for _, e := range []accessEntry{
		{at: at.In(zone), id: "z", method: "HEAD", route: "/:code", status: 302, elapsed: 1000 * time.Microsecond},
		{at: time.Date(2026, 11, 30, 6, 40, 1, 0, time.UTC), id: "whole", method: "GET", route: "/", status: 200, elapsed: 1500 * time.Microsecond},
		{at: time.Date(2026, 11, 30, 6, 40, 1, 100, time.UTC), id: "nano", method: "GET", route: "/", status: 200, elapsed: 10 * time.Microsecond},
		{at: at, id: "3f2a-1b", method: "GET", route: "/:code", status: 302, elapsed: 123456 * time.Nanosecond, clientIP: "192.0.2.1"},
		{at: at.Add(time.Second), id: "x", method: "POST", route: "unmatched", status: 404, elapsed: 2 * time.Second},
		{at: at, id: `q"u\o<t>e&` + "\x01é\xff", method: "OTHER", route: "/v1/shortlink", status: 500, elapsed: 0},
	} {
		var want bytes.Buffer
		rec := slog.NewRecord(e.at, slog.LevelInfo, "request", 0)
		rec.AddAttrs(slog.String("request_id", e.id), slog.String("method", e.method), slog.String("route", e.route),
			slog.Int("status", e.status), slog.Float64("duration_ms", float64(e.elapsed.Microseconds())/1000))
		if e.clientIP != "" {
			rec.AddAttrs(slog.String("client_ip", e.clientIP))
		}
		if err := slog.NewJSONHandler(&want, nil).Handle(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
		if got := string(appendAccessLine(nil, &e, &secondCache{})); got != want.String() {
			t.Errorf("line\n got %s\nwant %s", got, want.String())
		}
	}
}

// syncBuffer is a buffer the writer goroutine and the test share.
type syncBuffer struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes int
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.writes++
	return b.buf.Write(p)
}

func (b *syncBuffer) lines() (int, int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Count(b.buf.String(), "\n"), b.writes
}

// TestAccessLogBatchesAndLosesNothingOnClose: many concurrent requests are
// written in few writes, and Close writes every buffered line.
func TestAccessLogBatchesAndLosesNothingOnClose(t *testing.T) {
	t.Parallel()
	out := &syncBuffer{}
	l := NewAccessLog(out)
	_ = l.Start(context.Background())
	const goroutines, each = 8, 2000
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range each {
				l.log(&accessEntry{at: time.Now(), id: "id", method: "GET", route: "/:code", status: 302})
			}
		})
	}
	wg.Wait()
	if err := l.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	lines, writes := out.lines()
	if lines != goroutines*each {
		t.Fatalf("%d lines written, want %d", lines, goroutines*each)
	}
	if writes > lines/50 {
		t.Fatalf("%d writes for %d lines: not batched", writes, lines)
	}
	l.log(&accessEntry{at: time.Now(), id: "late", method: "GET", route: "/:code", status: 302})
	if lines, _ := out.lines(); lines != goroutines*each+1 {
		t.Fatalf("a line logged after Close was lost")
	}
}

// TestAccessLogWritesWithinTheTimer: a quiet log still writes a line out
// within its flush interval.
func TestAccessLogWritesWithinTheTimer(t *testing.T) {
	t.Parallel()
	out := &syncBuffer{}
	l := NewAccessLog(out)
	_ = l.Start(context.Background())
	defer func() { _ = l.Close(context.Background()) }()
	l.log(&accessEntry{at: time.Now(), id: "one", method: "GET", route: "/:code", status: 302})
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if lines, _ := out.lines(); lines == 1 {
			return
		}
	}
	t.Fatal("the line did not reach the output within 2 s")
}

// TestTimeAndDurationFormattingMatchTheStandardLibrary over many values,
// the per-second cache included.
func TestTimeAndDurationFormattingMatchTheStandardLibrary(t *testing.T) {
	t.Parallel()
	var cache secondCache
	at := time.Date(2026, 11, 30, 23, 59, 58, 0, time.UTC)
	for i := range 5000 {
		at = at.Add(time.Duration(i*7919+13) * time.Microsecond / 3)
		if got, want := string(cache.appendRFC3339Nano(nil, at)), at.Format(time.RFC3339Nano); got != want {
			t.Fatalf("time %s, want %s", got, want)
		}
		us := int64(i*i*31 + i)
		if got, want := string(appendMillis(nil, us)), strconv.FormatFloat(float64(us)/1000, 'f', -1, 64); got != want {
			t.Fatalf("duration %dµs: %s, want %s", us, got, want)
		}
	}
}

func BenchmarkAccessLog(b *testing.B) {
	l := NewAccessLog(discard{})
	_ = l.Start(context.Background())
	defer func() { _ = l.Close(context.Background()) }()
	e := accessEntry{at: time.Now(), id: "3f2a9c1e-1b", method: "GET", route: "/:code", status: 302, elapsed: 42 * time.Microsecond}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			l.log(&e)
		}
	})
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
