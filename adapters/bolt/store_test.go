package bolt_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/bolt"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
	"github.com/shortlink/shortlink/ports/porttest"
)

// quarantine is what Open gives the links of a first-release file.
const quarantine = domain.CodeQuarantine(24 * time.Hour)

func openStore(t *testing.T, path string) *bolt.Store {
	t.Helper()
	s, err := bolt.Open(path, quarantine)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func tempDB(t *testing.T) string {
	t.Helper()
	return filepath.Join(t.TempDir(), bolt.FileName)
}

func TestLinkStoreContract(t *testing.T) {
	t.Parallel()
	porttest.LinkStoreContract(t, func(t *testing.T) porttest.Store { return openStore(t, tempDB(t)) })
}

func TestDataSurvivesCloseAndOpen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	path := tempDB(t)

	s, err := bolt.Open(path, quarantine)
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.Insert(ctx, porttest.Link("keep").URL("https://example.com/kept").Created(now).OwnedBy("token").Build(), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reserve(ctx, 100); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openStore(t, path)
	if got, err := s.Find(ctx, "keep", now); err != nil || got != want {
		t.Fatalf("Find after reopen = %+v, %v; want %+v", got, err, want)
	}
	if _, err := s.Insert(ctx, porttest.Link("keep").URL("https://example.com/other").Created(now).OwnedBy("token").Build(), now); !errors.Is(err, domain.ErrCodeTaken) {
		t.Fatalf("insert over a reopened live link: %v, want ErrCodeTaken", err)
	}
	if first, err := s.Reserve(ctx, 10); err != nil || first != 100 {
		t.Fatalf("Reserve after reopen = %d, %v; want 100 (the counter must not restart)", first, err)
	}
}

func TestSecondOpenFailsWithClearMessage(t *testing.T) {
	t.Parallel()
	path := tempDB(t)
	openStore(t, path)
	started := time.Now()
	_, err := bolt.Open(path, quarantine)
	want := fmt.Sprintf("data directory %s is in use by another shortlink process", filepath.Dir(path))
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("second Open error = %v, want it to contain %q", err, want)
	}
	if waited := time.Since(started); waited > bolt.LockTimeout+2*time.Second {
		t.Fatalf("second Open gave up after %s", waited)
	}
}

// helperEnv makes the test binary, run again, open a store and report
// instead of running tests: TestMain acts on it before any test starts.
const helperEnv = "SHORTLINK_BOLT_OPEN_HELPER"

func TestMain(m *testing.M) {
	if path := os.Getenv(helperEnv); path != "" {
		if _, err := bolt.Open(path, quarantine); err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestSecondProcessIsRefused(t *testing.T) {
	t.Parallel()
	path := tempDB(t)
	openStore(t, path)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"="+path)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "is in use by another shortlink process") {
		t.Fatalf("second process: %v\n%s", err, out)
	}
}

func TestClosedStoreIsUnavailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Now()
	s := openStore(t, tempDB(t))
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping of an open store: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_, findErr := s.Find(ctx, "abc", now)
	_, reserveErr := s.Reserve(ctx, 1)
	_, insertErr := s.Insert(ctx, porttest.Link("abc").URL("https://example.com").Created(now).OwnedBy("token").Build(), now)
	_, secretErr := s.LoadOrCreate(ctx, domain.NewGeneratedSecret())
	for name, err := range map[string]error{
		"Ping":         s.Ping(ctx),
		"Insert":       insertErr,
		"Find":         findErr,
		"Reserve":      reserveErr,
		"LoadOrCreate": secretErr,
	} {
		if !errors.Is(err, domain.ErrUnavailable) {
			t.Errorf("%s on a closed store: %v, want ErrUnavailable", name, err)
		}
	}
}

func TestReserveRejectsEmptyBlock(t *testing.T) {
	t.Parallel()
	s := openStore(t, tempDB(t))
	if _, err := s.Reserve(context.Background(), 0); err == nil {
		t.Fatal("Reserve(0) succeeded")
	}
}

// TestPruneAppliesRetentionWithoutFreeingCodes: links that ended before
// the cutoff go, in chunks, and claims go only once their quarantine is
// over.
func TestPruneAppliesRetentionWithoutFreeingCodes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	s := openStore(t, tempDB(t))
	s.SetSweepChunk(4)
	const n = 30 // several sweep chunks
	for i := range n {
		created, expires := now, now.Add(time.Hour)
		if i%2 == 0 {
			created, expires = now.Add(-48*time.Hour), now.Add(-30*time.Hour)
		}
		if _, err := s.Insert(ctx, porttest.Link(domain.Code(fmt.Sprintf("c%04d", i))).URL("https://example.com").Created(created).Expires(expires).OwnedBy("token").Build(),
			now.Add(24*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	cutoffs := domain.RetentionCutoffs{Now: now, LinksEndedBefore: now.Add(-24 * time.Hour), VisitsBefore: now.AddDate(-1, 0, 0)}
	pruned, err := s.Prune(ctx, cutoffs)
	if err != nil || pruned.Links != n/2 {
		t.Fatalf("Prune = %+v, %v; want %d links", pruned, err, n/2)
	}
	for i := range n {
		code := domain.Code(fmt.Sprintf("c%04d", i))
		_, err := s.Find(ctx, code, now)
		if kept := err == nil; kept != (i%2 == 1) {
			t.Fatalf("%s: Find error = %v after the sweep", code, err)
		}
		// The claim outlives the swept link until its quarantine ends.
		if _, err := s.Insert(ctx, porttest.Link(code).URL("https://phish.example").Created(now).OwnedBy("token").Build(), now); !errors.Is(err, domain.ErrCodeTaken) {
			t.Fatalf("%s claimed again after the sweep: %v", code, err)
		}
	}
	if pruned, err := s.Prune(ctx, cutoffs); err != nil || pruned.Links != 0 {
		t.Fatalf("second Prune = %+v, %v; want 0 links", pruned, err)
	}
	later := now.Add(25 * time.Hour)
	cutoffs.Now = later
	if _, err := s.Prune(ctx, cutoffs); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Insert(ctx, porttest.Link("c0000").URL("https://example.com/new").Created(later).OwnedBy("token").Build(), later); err != nil {
		t.Fatalf("claim after the quarantine and the sweep: %v", err)
	}
}

// TestRetentionContract: one prune run in the embedded store.
func TestRetentionContract(t *testing.T) {
	t.Parallel()
	s := openStore(t, tempDB(t))
	s.SetSweepChunk(2)
	porttest.RetentionContract(t, s)
}

func TestVisitStoreContract(t *testing.T) {
	t.Parallel()
	porttest.VisitStoreContract(t, func(t *testing.T) ports.VisitStore { return openStore(t, tempDB(t)) })
}

func TestWorkspaceStoreContract(t *testing.T) {
	t.Parallel()
	porttest.WorkspaceStoreContract(t, func(t *testing.T) porttest.WorkspaceStore { return openStore(t, tempDB(t)) })
}

func TestPruneDropsOldAuditEntries(t *testing.T) {
	t.Parallel()
	s := openStore(t, tempDB(t))
	ctx := context.Background()
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, when := range []time.Time{at, at.Add(48 * time.Hour)} {
		if err := s.RecordAudit(ctx, domain.AuditEntry{At: when, Who: domain.WhoAdmin, Action: domain.AuditLinkDeleted, Target: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	cutoff := at.Add(24 * time.Hour)
	if _, err := s.Prune(ctx, domain.RetentionCutoffs{Now: cutoff, LinksEndedBefore: cutoff, VisitsBefore: cutoff}); err != nil {
		t.Fatal(err)
	}
	left, err := s.ListAudit(ctx, domain.AuditQuery{Scope: domain.WorkspaceScope{All: true}, Limit: 10})
	if err != nil || len(left) != 1 || left[0].Target != "1" {
		t.Fatalf("audit after the sweep = %+v, %v; want only the entry after the cutoff (the audit log is retained like visits)", left, err)
	}
}

func TestDomainStoreContract(t *testing.T) {
	t.Parallel()
	porttest.DomainStoreContract(t, func(t *testing.T) porttest.DomainStore { return openStore(t, tempDB(t)) })
}
