//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// refusalBound is how soon every command must give up when Postgres
// refuses its password: a refusal takes milliseconds, so anything near
// this bound is a hang, a retry loop or a pause before the error.
const refusalBound = 10 * time.Second

// awsTask runs the image's entrypoint (compose/entrypoint.sh) with the
// environment ECS gives a task: infra/deploy/ecs.tf's common_environment
// (DATABASE_URL with the user and sslmode=require but no password, the
// Redis URLs, MIGRATE_ON_START, PARTITIONS_AHEAD, …) and secrets.tf's
// DATABASE_PASSWORD, the binaries on PATH as in /usr/local/bin.
type awsTask struct {
	root    string
	apiPort int
	env     map[string]string
}

// start runs the entrypoint with args (a job's command; none for the api
// service) and the task's environment with overrides ("" unsets a variable).
func (a awsTask) start(t *testing.T, name string, overrides map[string]string, args ...string) *testenv.Process {
	t.Helper()
	env := map[string]string{}
	for k, v := range a.env {
		env[k] = v
	}
	for k, v := range overrides {
		if v == "" {
			delete(env, k)
		} else {
			env[k] = v
		}
	}
	return testenv.StartProcess(t, name, filepath.Join(a.root, "compose", "entrypoint.sh"), env, args...)
}

// run runs one job to its end, within timeout, and returns it.
func (a awsTask) run(t *testing.T, timeout time.Duration, overrides map[string]string, args ...string) *testenv.Process {
	t.Helper()
	p := a.start(t, strings.Join(args, " "), overrides, args...)
	select {
	case <-p.Done():
	case <-time.After(timeout):
		p.Kill()
		t.Fatalf("%s still running after %v; output:\n%s", strings.Join(args, " "), timeout, p.Output())
	}
	return p
}

// TestDeploymentPathAsOnAWS runs the api service and the jobs as the ECS
// task definitions do, against a Postgres that admits clients only as RDS
// does (TLS, scram-sha-256 password), so that a command reading
// DATABASE_URL without DATABASE_PASSWORD, or without TLS, fails here as it
// would on AWS. Every other test uses a Postgres that trusts loopback.
func TestDeploymentPathAsOnAWS(t *testing.T) {
	root, err := testkit.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	pg := testenv.StartPasswordPostgres(t, "shortlink", "shortlink")
	servers := testenv.NewStack(t, pg.URL())
	bin := testenv.BuildBinaries(t)
	apiPort, proxyPort := testkit.FreePort(t), testkit.FreePort(t)
	proxyURL := fmt.Sprintf("http://127.0.0.1:%d", proxyPort)
	task := awsTask{root: root, apiPort: apiPort, env: servers.Env(map[string]string{
		"PATH":              bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"DATABASE_PASSWORD": pg.Password,
		"API_ADDR":          fmt.Sprintf("127.0.0.1:%d", apiPort),
		"PUBLIC_BASE_URL":   proxyURL,
		"TRUSTED_PROXIES":   "127.0.0.1/32",
		"MIGRATE_ON_START":  "1",
		"PARTITIONS_AHEAD":  "2",
		"POOL_TARGET":       fmt.Sprint(poolTarget),
		"POOL_LOW_WATER":    fmt.Sprint(poolLowWater),
	})}
	if !strings.Contains(task.env["DATABASE_URL"], "sslmode=require") || strings.Contains(task.env["DATABASE_URL"], pg.Password) {
		t.Fatalf("DATABASE_URL %s is not Terraform's: user, no password, sslmode=require", task.env["DATABASE_URL"])
	}

	// Before the service: a DATABASE_URL that skips TLS is refused, so the
	// cases below prove that every command connects over TLS.
	t.Run("the server refuses a connection without TLS", func(t *testing.T) {
		p := task.run(t, refusalBound, map[string]string{"DATABASE_URL": strings.Replace(pg.URL(), "sslmode=require", "sslmode=disable", 1)}, "migrate", "up")
		if p.Err() == nil || !strings.Contains(p.Output(), "no pg_hba.conf entry") {
			t.Fatalf("migrate up without TLS: %v, want the server's refusal; output:\n%s", p.Err(), p.Output())
		}
	})
	t.Run("with the secret's password the service runs", func(t *testing.T) {
		testAWSPathRuns(t, task, pg, proxyPort)
	})
	for _, c := range []struct{ name, password string }{
		{"a wrong password", "not-" + pg.Password},
		{"no password", ""},
	} {
		t.Run("with "+c.name+" every command stops at once naming DATABASE_PASSWORD", func(t *testing.T) {
			testAWSPathRefused(t, task, map[string]string{"DATABASE_PASSWORD": c.password})
		})
	}
}

// testAWSPathRuns starts the api service (the entrypoint migrates and
// creates partitions first), runs the scheduled jobs, and creates and
// follows a link through nginx.
func testAWSPathRuns(t *testing.T, task awsTask, pg *testenv.PasswordPostgres, proxyPort int) {
	if p := task.run(t, time.Minute, nil, "migrate", "up"); p.Err() != nil {
		t.Fatalf("migrate job: %v\n%s", p.Err(), p.Output())
	}
	api := task.start(t, "api service", nil)
	api.WaitHTTP(fmt.Sprintf("http://127.0.0.1:%d/v1/ready", task.apiPort), 200, time.Minute)
	out := api.Output()
	if !strings.Contains(out, "entrypoint: migrate up") || strings.Count(out, "partition ready:") != 2 {
		t.Fatalf("the api task did not migrate and create two months of partitions first; output:\n%s", out)
	}
	expectOnlyTLSConnections(t, pg)

	if p := task.run(t, time.Minute, nil, "batch", "--once"); p.Err() != nil || !strings.Contains(p.Output(), "pool filled") {
		t.Fatalf("batch job: %v\n%s", p.Err(), p.Output())
	}

	proxyURL, _ := testenv.StartNginx(t, task.root, fmt.Sprintf("127.0.0.1:%d", task.apiPort), proxyPort, testkit.NginxOptions{})
	env := httpsuite.Env{BaseURL: proxyURL, PublicBaseURL: proxyURL}
	target := "https://example.com/aws/" + testkit.RandomHex(4)
	link := httpsuite.CreateLink(t, env, target)
	testkit.ExpectRedirects(t, proxyURL, link.Code, target)

	p := task.run(t, time.Minute, nil, "partitions", "--ahead", "2", "--prune")
	if p.Err() != nil || strings.Count(p.Output(), "partition ready:") != 2 {
		t.Fatalf("scheduled partitions --prune: %v\n%s", p.Err(), p.Output())
	}
	expectOnlyTLSConnections(t, pg)

	// The urgent erasure, as a one-off task: the service's role owns the
	// partitions (VACUUM FULL) but may not CHECKPOINT, which purge says.
	if r := httpsuite.Send(t, env, http.MethodDelete, "/v1/shortlink/"+link.Code, link.Token, nil); r.Status != http.StatusNoContent {
		t.Fatalf("DELETE = %s", r)
	}
	p = task.run(t, time.Minute, nil, "purge")
	if out := p.Output(); p.Err() != nil || !strings.Contains(out, "(VACUUM FULL)") || !strings.Contains(out, "CHECKPOINT was refused") {
		t.Fatalf("purge job: %v\n%s", p.Err(), out)
	}

	// migrate's other commands, which read db/migrations from the
	// repository root, connect with the password too: a rollback of the
	// latest migration, re-applied.
	p = task.run(t, time.Minute, nil, "sh", "-c", `cd "$1" && migrate status && migrate rollback && exec migrate up`, "sh", task.root)
	if out := p.Output(); p.Err() != nil || !strings.Contains(out, "Pending: 0") || !strings.Contains(out, "Rolled back:") || strings.Count(out, "Applying:") != 1 {
		t.Fatalf("migrate status, rollback, up: %v\n%s", p.Err(), p.Output())
	}
}

// testAWSPathRefused runs every command of the service with overrides
// (a wrong or no DATABASE_PASSWORD) and expects each to exit non-zero
// within refusalBound, saying which setting to check.
func testAWSPathRefused(t *testing.T, task awsTask, overrides map[string]string) {
	alone := map[string]string{"MIGRATE_ON_START": "0"}
	for k, v := range overrides {
		alone[k] = v
	}
	for _, c := range []struct {
		name      string
		overrides map[string]string
		args      []string
	}{
		{"api service (migrate first)", overrides, nil},
		{"api service alone (MIGRATE_ON_START=0)", alone, nil},
		{"migrate up", overrides, []string{"migrate", "up"}},
		{"migrate status", overrides, []string{"sh", "-c", `cd "$1" && exec migrate status`, "sh", task.root}},
		{"migrate rollback", overrides, []string{"sh", "-c", `cd "$1" && exec migrate rollback`, "sh", task.root}},
		{"partitions --ahead 2", overrides, []string{"partitions", "--ahead", "2"}},
		{"partitions --ahead 2 --prune", overrides, []string{"partitions", "--ahead", "2", "--prune"}},
		{"batch --once", overrides, []string{"batch", "--once"}},
		{"purge", overrides, []string{"purge"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			p := task.run(t, refusalBound, c.overrides, c.args...)
			if p.Err() == nil {
				t.Fatalf("exited 0 after %v; output:\n%s", time.Since(start).Round(time.Millisecond), p.Output())
			}
			if !strings.Contains(p.Output(), "check DATABASE_PASSWORD") || !strings.Contains(p.Output(), "password authentication failed") {
				t.Fatalf("%v after %v, but the output does not say to check DATABASE_PASSWORD:\n%s", p.Err(), time.Since(start).Round(time.Millisecond), p.Output())
			}
		})
	}
}

// expectOnlyTLSConnections fails the test unless the service's role has
// connections open and every one of them uses TLS.
func expectOnlyTLSConnections(t *testing.T, pg *testenv.PasswordPostgres) {
	t.Helper()
	db, err := sqlx.Open("postgres", pg.SuperuserDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var withTLS, without int
	if err := db.QueryRowContext(ctx, `
		SELECT count(*) FILTER (WHERE s.ssl), count(*) FILTER (WHERE NOT s.ssl)
		FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.usename = $1`, pg.User).Scan(&withTLS, &without); err != nil {
		t.Fatal(err)
	}
	if withTLS == 0 || without != 0 {
		t.Fatalf("connections of %s: %d over TLS, %d without; want some, all over TLS", pg.User, withTLS, without)
	}
}
