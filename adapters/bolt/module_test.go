package bolt_test

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/shortlink/shortlink/adapters/bolt"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/ports"
)

func TestModuleCreatesDataDirAndReleasesItOnStop(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "nested", "data")
	var (
		store   ports.LinkStore
		counter ports.CodeCounter
	)
	app := fxtest.New(t,
		fx.Supply(bolt.Options{Dir: dir}, slog.New(slog.NewTextHandler(io.Discard, nil))),
		fx.Provide(func() ports.Clock { return app.SystemClock{} }),
		bolt.Module,
		fx.Populate(&store, &counter),
	)
	app.RequireStart()
	if _, err := os.Stat(filepath.Join(dir, bolt.FileName)); err != nil {
		t.Fatalf("database file: %v", err)
	}
	if first, err := counter.Reserve(t.Context(), 5); err != nil || first != 0 {
		t.Fatalf("Reserve = %d, %v", first, err)
	}
	app.RequireStop()
	openStore(t, filepath.Join(dir, bolt.FileName)) // the lock is released
}
