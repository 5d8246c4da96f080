package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/bolt"
	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports/porttest"
)

// TestPurgeEmbeddedCompactsTheDataDir: with STORE=embedded the command
// compacts DATA_DIR's file, after which a deleted link's target is not in
// it; -dry-run names the file and changes nothing.
func TestPurgeEmbeddedCompactsTheDataDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, bolt.FileName)
	target := "https://purge-cmd.example/" + strings.Repeat("z9", 16)
	now := time.Now().UTC().Truncate(time.Microsecond)
	s, err := bolt.Open(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := s.Insert(ctx, porttest.Link("gone").URL(target).Created(now).Build(), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, "gone", now, func(l domain.ShortLink) (domain.ShortLink, time.Time, error) {
		next, err := l.Delete(now)
		return next, now, err
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(config.WithEmbeddedStore(func(k string) (string, bool) {
		if k == "DATA_DIR" {
			return dir, true
		}
		return "", false
	}))
	if err != nil {
		t.Fatal(err)
	}
	holds := func() bool {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return bytes.Contains(b, []byte(target))
	}

	var out bytes.Buffer
	if err := run(&out, cfg, true, time.Second); err != nil || !strings.Contains(out.String(), "would compact "+path) {
		t.Fatalf("dry run: %v\n%s", err, out.String())
	}
	if !holds() {
		t.Fatal("the erased target is not in the file before the purge: this test cannot show the purge removes it")
	}
	out.Reset()
	if err := run(&out, cfg, false, time.Second); err != nil || !strings.Contains(out.String(), "compacted "+path) {
		t.Fatalf("purge: %v\n%s", err, out.String())
	}
	if holds() {
		t.Fatal("the erased target is still in the file after the purge")
	}
}
