package app_test

import (
	"context"
	"testing"
	"time"

	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// TestVisitsRecordedWhileAServerDrainsAreWritten: a component that records
// visits (the HTTP server) depends on the recorder, so it stops before the
// visit flusher, whose final write takes what it recorded while it
// drained, whatever order the modules are listed in.
func TestVisitsRecordedWhileAServerDrainsAreWritten(t *testing.T) {
	t.Parallel()
	store := memory.NewLinkStore()
	recordedAt := time.Now()
	drainingServer := fx.Module("server", fx.Invoke(func(lc fx.Lifecycle, rec *app.VisitRecorder) {
		lc.Append(fx.StopHook(func() { rec.Record(7, recordedAt, false, "browser", "") }))
	}))
	fxApp := fxtest.New(t, fx.NopLogger,
		drainingServer, // first: its hooks would stop last if the order of modules decided
		app.Module,
		fx.Supply(app.Options{VisitFlushInterval: time.Hour, VisitPendingKeys: 100}, quietLog),
		fx.Provide(
			func() ports.VisitStore { return store },
			func() ports.BotDetector { return &uaBots{} },
		),
	)
	fxApp.RequireStart().RequireStop()

	hour := domain.VisitHourOf(time.Now()).Start()
	stats, err := store.VisitStats(context.Background(), domain.VisitQuery{Link: 7, LinkCreatedAt: recordedAt,
		Window: domain.VisitWindow{From: hour.Add(-time.Hour), To: hour.Add(time.Hour), Interval: domain.IntervalHour}})
	if err != nil {
		t.Fatal(err)
	}
	var humans int64
	for _, b := range stats.Series {
		humans += b.Humans
	}
	if humans != 1 {
		t.Fatalf("after stop the store holds %d visits, want the 1 recorded while the server drained", humans)
	}
}
