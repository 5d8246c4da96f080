package pgwiring_test

import (
	"context"
	"net"
	"net/url"
	"testing"

	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/cmd/wiring/pgwiring"
)

// load is config.Load of vars alone.
func load(t *testing.T, vars map[string]string) config.Config {
	t.Helper()
	cfg, err := config.Load(func(k string) (string, bool) { v, ok := vars[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestEveryPostgresCommandGetsThePassword: Terraform puts the password in
// DATABASE_PASSWORD only, so each command's URL must carry it.
func TestEveryPostgresCommandGetsThePassword(t *testing.T) {
	t.Parallel()
	cfg := load(t, map[string]string{
		"DATABASE_URL":      "postgres://shortlink@db.internal:5432/shortlink?sslmode=require",
		"DATABASE_PASSWORD": "s3cret/+",
	})
	for _, c := range []struct{ command, url string }{
		{"api and batch", pgwiring.StoreOptions(cfg).URL},
		{"partitions and purge", pgwiring.ToolOptions(cfg).URL},
		{"migrate", pgwiring.MigrateURL(cfg)},
	} {
		t.Run(c.command, func(t *testing.T) {
			t.Parallel()
			u, err := url.Parse(c.url)
			if err != nil {
				t.Fatal(err)
			}
			password, _ := u.User.Password()
			if u.User.Username() != "shortlink" || password != "s3cret/+" || u.Query().Get("sslmode") != "require" {
				t.Fatalf("%s connects to %s, want user shortlink, DATABASE_PASSWORD and sslmode=require", c.command, u.Redacted())
			}
		})
	}
}

func TestCheckCredentialsPassesWhatIsNoRefusal(t *testing.T) {
	t.Parallel()
	// A port nothing listens on: connections are refused at once.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	for _, c := range []struct {
		name string
		vars map[string]string
	}{
		{"embedded store", map[string]string{"STORE": "embedded", "DATA_DIR": t.TempDir()}},
		{"unreachable Postgres: the api starts unready", map[string]string{"DATABASE_URL": "postgres://shortlink@" + closed + "/shortlink?sslmode=disable"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if err := pgwiring.CheckCredentials(context.Background(), load(t, c.vars)); err != nil {
				t.Fatalf("CheckCredentials = %v, want nil", err)
			}
		})
	}
}
