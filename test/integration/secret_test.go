//go:build integration

package integration

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/postgres"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// TestFreshDataSetsMintDifferentCodes: with no CODE_SECRET, each data set
// generates a secret of its own, once, so two deployments never mint the
// same sequence (the first release minted k0OmqQY, emD200t, … everywhere),
// and a restart of one keeps its sequence.
func TestFreshDataSetsMintDifferentCodes(t *testing.T) {
	t.Parallel()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	firstCode := func(dbURL string) string {
		t.Helper()
		store, err := postgres.Open(postgres.Options{URL: dbURL, MaxOpenConns: 2})
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		gen, err := app.NewCodeSecrets(store, "", false, quiet).Generator(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		code, err := gen.Code(0)
		if err != nil {
			t.Fatal(err)
		}
		return code.String()
	}
	a, b := testenv.Database(t), testenv.Database(t)
	codeA, codeB := firstCode(a), firstCode(b)
	if codeA == codeB {
		t.Fatalf("two fresh deployments mint the same first code %s", codeA)
	}
	if again := firstCode(a); again != codeA {
		t.Fatalf("a restarted deployment mints %s first, before it minted %s", again, codeA)
	}
}

// TestMismatchedCodeSecretRefusesToStart: a data set remembers the
// fingerprint of its secret; an api given another CODE_SECRET refuses to
// start and says how to rotate, and starts once rotation is asked for.
func TestMismatchedCodeSecretRefusesToStart(t *testing.T) {
	t.Parallel()
	bin := testenv.BuildBinaries(t)
	s := testenv.NewStack(t, "")
	first := testenv.StartAPI(t, bin, s.Env(map[string]string{"CODE_SECRET": "the first secret, kept"}))
	testkit.ExpectStatus(t, testkit.Do(t, http.MethodPost, first.BaseURL()+"/v1/shortlink", "application/json",
		[]byte(`{"url":"https://example.com/minted-with-the-first"}`)), http.StatusCreated, "")
	first.Terminate()

	other := testenv.StartProcess(t, "api with another secret", filepath.Join(bin, "api"),
		s.Env(map[string]string{"CODE_SECRET": "another secret", "API_ADDR": "127.0.0.1:0", "LOG_REQUESTS": "false"}))
	select {
	case <-other.Done():
	case <-time.After(30 * time.Second):
		t.Fatal("an api with a mismatched CODE_SECRET kept running")
	}
	if other.Err() == nil || !strings.Contains(other.Output(), "CODE_SECRET_ROTATE=true") {
		t.Fatalf("exit %v, output:\n%s\nwant a failed start that names CODE_SECRET_ROTATE=true", other.Err(), other.Output())
	}

	rotated := testenv.StartAPI(t, bin, s.Env(map[string]string{"CODE_SECRET": "another secret", "CODE_SECRET_ROTATE": "true"}))
	testkit.ExpectStatus(t, testkit.Do(t, http.MethodPost, rotated.BaseURL()+"/v1/shortlink", "application/json",
		[]byte(`{"url":"https://example.com/minted-with-the-second"}`)), http.StatusCreated, "")
}
