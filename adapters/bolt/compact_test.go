package bolt_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/bolt"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports/porttest"
)

// TestCompactRemovesErasedTargetsFromTheFile: a deleted link's target is
// erased for every reader at once, but its bytes stay in the file (bbolt
// frees the old page, it does not wipe it); Compact leaves none, and keeps
// every live link, claim and counter as they were.
func TestCompactRemovesErasedTargetsFromTheFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	path := tempDB(t)
	erased := "https://erase-me.example/" + strings.Repeat("q7", 20)
	kept := "https://keep-me.example/" + strings.Repeat("k3", 20)

	s, err := bolt.Open(path, quarantine)
	if err != nil {
		t.Fatal(err)
	}
	for code, url := range map[domain.Code]string{"gone": erased, "kept": kept} {
		if _, err := s.Insert(ctx, porttest.Link(code).URL(url).Created(now).Build(), now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	first, err := s.Reserve(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, "gone", now, func(l domain.ShortLink) (domain.ShortLink, time.Time, error) {
		next, err := l.Delete(now)
		return next, now.Add(time.Hour), err
	}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Find(ctx, "gone", now); err != nil || got.URL() != "" || got.State() != domain.StateDeleted {
		t.Fatalf("the deleted link reads %q (%v), %v", got.URL(), got.State(), err)
	}

	// The api holds the file: the compaction refuses to start.
	if _, _, err := bolt.Compact(path); err == nil || !strings.Contains(err.Error(), "stop the api first") {
		t.Fatalf("Compact of a file in use = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if !fileHolds(t, path, erased) {
		t.Fatal("the erased target is not in the file before the compaction: this test cannot show that Compact removes it")
	}

	before, after, err := bolt.Compact(path)
	if err != nil {
		t.Fatal(err)
	}
	if fileHolds(t, path, erased) {
		t.Fatal("the erased target is still in the file after the compaction")
	}
	if !fileHolds(t, path, kept) || before <= 0 || after <= 0 {
		t.Fatalf("the live link's target is gone too, or sizes %d → %d", before, after)
	}
	if _, err := os.Stat(path + ".compacting"); !os.IsNotExist(err) {
		t.Fatalf("the compaction left its temporary file: %v", err)
	}

	s = openStore(t, path)
	if got, err := s.Find(ctx, "kept", now); err != nil || got.URL() != kept {
		t.Fatalf("after the compaction the live link reads %q, %v", got.URL(), err)
	}
	if got, err := s.Find(ctx, "gone", now); err != nil || got.URL() != "" || got.State() != domain.StateDeleted {
		t.Fatalf("after the compaction the deleted link reads %q (%v), %v", got.URL(), got.State(), err)
	}
	if _, err := s.Insert(ctx, porttest.Link("gone").Created(now).Build(), now.Add(time.Hour)); !errors.Is(err, domain.ErrCodeTaken) {
		t.Fatalf("the deleted link's code is free after the compaction: %v", err)
	}
	if next, err := s.Reserve(ctx, 1); err != nil || next != first+10 {
		t.Fatalf("the counter after the compaction hands out %d, %v; want %d", next, err, first+10)
	}
}

func fileHolds(t *testing.T, path, s string) bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Contains(b, []byte(s))
}
