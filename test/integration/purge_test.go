//go:build integration

package integration

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// TestPurgeRemovesErasedTargetsFromThePartition is the erasure attack on
// Postgres, with the real api and purge binaries: after DELETE the link
// answers 410 and shows its target nowhere, yet the target is still in
// the partition's heap file (a dead row version); purge rewrites the
// partition (VACUUM FULL) and checkpoints, after which neither the new
// file nor the old one holds it, and the live links still resolve. The
// files are read from the test server's data directory with
// pg_read_binary_file (the test connects as a superuser).
func TestPurgeRemovesErasedTargetsFromThePartition(t *testing.T) {
	t.Parallel()
	bin := testenv.BuildBinaries(t)
	s := testenv.NewStack(t, "")
	env := s.Env(baseEnv)
	testenv.RunBinary(t, bin, "batch", env, "--once")
	api := testenv.StartAPI(t, bin, env)
	web := httpsuite.Env{BaseURL: api.BaseURL(), PublicBaseURL: baseEnv["PUBLIC_BASE_URL"]}

	erased := "https://erase-me.example/" + testkit.RandomHex(16)
	kept := "https://keep-me.example/" + testkit.RandomHex(16)
	gone := httpsuite.CreateLink(t, web, erased)
	live := httpsuite.CreateLink(t, web, kept)
	if r := httpsuite.Send(t, web, http.MethodDelete, "/v1/shortlink/"+gone.Code, gone.Token, nil); r.Status != http.StatusNoContent {
		t.Fatalf("DELETE = %s", r)
	}
	if r := testkit.Send(nil, http.MethodGet, api.BaseURL()+"/"+gone.Code, "", nil, nil); r.Status != http.StatusGone || strings.Contains(string(r.Body), erased) {
		t.Fatalf("the deleted link: %s", r)
	}

	db := testenv.SQL(t, s.DatabaseURL)
	ctx := context.Background()
	var partition, oldFile string
	if err := db.QueryRowContext(ctx, `SELECT tableoid::regclass::text, pg_relation_filepath(tableoid) FROM short_link WHERE code = $1`, gone.Code).
		Scan(&partition, &oldFile); err != nil {
		t.Fatal(err)
	}
	heapHolds := func(file string) bool { t.Helper(); return dataFileHolds(t, db, file, erased) }
	if !heapHolds(oldFile) {
		t.Fatalf("%s (%s) does not hold the erased target before the purge: this test cannot show the purge removes it", partition, oldFile)
	}

	out := testenv.RunBinary(t, bin, "purge", env)
	if !strings.Contains(out, "rewrote "+partition+" (VACUUM FULL)") || !strings.Contains(out, "checkpoint done") {
		t.Fatalf("purge said:\n%s", out)
	}
	var newFile string
	if err := db.QueryRowContext(ctx, `SELECT pg_relation_filepath($1::regclass)`, partition).Scan(&newFile); err != nil {
		t.Fatal(err)
	}
	if newFile == oldFile {
		t.Fatalf("%s still lives in %s: not rewritten", partition, oldFile)
	}
	if heapHolds(newFile) || heapHolds(oldFile) {
		t.Fatalf("the erased target is still in %s or %s after the purge", newFile, oldFile)
	}
	if !dataFileHolds(t, db, newFile, kept) {
		t.Fatalf("the live link's target is not in the rewritten %s", newFile)
	}
	if r := testkit.Send(nil, http.MethodGet, api.BaseURL()+"/"+live.Code, "", nil, nil); r.Status != http.StatusFound || r.Location() != kept {
		t.Fatalf("the live link after the purge: %s", r)
	}
	if out := testenv.RunBinary(t, bin, "purge", env, "-dry-run"); !strings.Contains(out, "would rewrite "+partition) {
		t.Fatalf("purge -dry-run said:\n%s", out)
	}
}

// dataFileHolds checkpoints, so the pages are on disk and not only in
// shared buffers, then reports whether the server's file (a path in its
// data directory, such as pg_relation_filepath gives) holds s; a file
// that is gone holds nothing.
func dataFileHolds(t *testing.T, db *sqlx.DB, file, s string) bool {
	t.Helper()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CHECKPOINT`); err != nil {
		t.Fatal(err)
	}
	var b []byte
	if err := db.QueryRowContext(ctx, `SELECT coalesce(pg_read_binary_file($1, 0, (pg_stat_file($1, true)).size, true), '')`, file).Scan(&b); err != nil {
		t.Fatalf("read %s: %v", file, err)
	}
	return bytes.Contains(b, []byte(s))
}
