// Package testenv gives integration and end-to-end tests real servers, from
// one place: containers when a Docker engine answers, else the servers named
// by TEST_DATABASE_URL, TEST_REDIS_CACHE_URL and TEST_REDIS_CODES_URL, which
// `make test` (through the withservers command) points at private servers it
// starts for the run. A server that cannot be reached fails the test with
// instructions; nothing is skipped silently.
package testenv

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/testcontainers/testcontainers-go"
	tcpostgres "github.com/testcontainers/testcontainers-go/modules/postgres"
	tcredis "github.com/testcontainers/testcontainers-go/modules/redis"
)

// Servers are where the backing services of one test process run.
type Servers struct {
	// PostgresAdminURL names a database on a server where tests may create
	// and drop databases.
	PostgresAdminURL string
	RedisCacheURL    string
	RedisCodesURL    string
	// Source says where the servers came from, for failure messages.
	Source string
}

// The variables that name the servers to test against.
const (
	EnvDatabaseURL   = "TEST_DATABASE_URL"
	EnvRedisCacheURL = "TEST_REDIS_CACHE_URL"
	EnvRedisCodesURL = "TEST_REDIS_CODES_URL"
)

const howToProvide = `integration and end-to-end tests need Postgres and two Redis servers. Provide them by either
  - running the tests through make (make test, make integrationtest, make e2etest), or any
    command through withservers, e.g. go run ./test/testenv/withservers -- go test -tags integration ./...
    (both start private servers for the run: its own initdb cluster and redis-servers on free
    loopback ports, removed afterwards; they need the postgresql and redis-server packages), or
  - running a Docker engine (testcontainers starts them), or
  - setting TEST_DATABASE_URL (a database on a server where the user may CREATE DATABASE),
    TEST_REDIS_CACHE_URL and TEST_REDIS_CODES_URL`

var (
	serversOnce sync.Once
	servers     Servers
	serversErr  error
)

// Get returns the servers of this test process, starting containers on
// first use when a Docker engine answers.
func Get(t testing.TB) Servers {
	t.Helper()
	serversOnce.Do(func() { servers, serversErr = discover() })
	if serversErr != nil {
		t.Fatalf("testenv: %v\n%s", serversErr, howToProvide)
	}
	return servers
}

func discover() (Servers, error) {
	if DockerAnswers() {
		return startContainers()
	}
	s := Servers{
		PostgresAdminURL: os.Getenv(EnvDatabaseURL),
		RedisCacheURL:    os.Getenv(EnvRedisCacheURL),
		RedisCodesURL:    os.Getenv(EnvRedisCodesURL),
		Source:           "the TEST_* environment variables",
	}
	if missing := missingServers(); len(missing) > 0 {
		return Servers{}, fmt.Errorf("no Docker engine answers and %s not set", strings.Join(missing, ", "))
	}
	return s, nil
}

// missingServers lists the TEST_* variables that are not set.
func missingServers() []string {
	var missing []string
	for _, name := range []string{EnvDatabaseURL, EnvRedisCacheURL, EnvRedisCodesURL} {
		if os.Getenv(name) == "" {
			missing = append(missing, name)
		}
	}
	return missing
}

// ServersGiven reports whether TEST_DATABASE_URL, TEST_REDIS_CACHE_URL and
// TEST_REDIS_CODES_URL are all set.
func ServersGiven() bool { return len(missingServers()) == 0 }

// DockerAnswers reports whether a Docker engine answers within 3 s, in
// which case the tests start containers; TESTENV_NO_DOCKER=1 says no.
func DockerAnswers() bool {
	if os.Getenv("TESTENV_NO_DOCKER") != "" {
		return false
	}
	provider, err := testcontainers.NewDockerProvider()
	if err != nil {
		return false
	}
	defer provider.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return provider.Health(ctx) == nil
}

func startContainers() (Servers, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	pg, err := tcpostgres.Run(ctx, "postgres:16-alpine",
		tcpostgres.WithUsername("postgres"), tcpostgres.WithPassword("postgres"),
		tcpostgres.WithDatabase("postgres"), tcpostgres.BasicWaitStrategies())
	if err != nil {
		return Servers{}, fmt.Errorf("start Postgres container: %w", err)
	}
	pgURL, err := pg.ConnectionString(ctx, "sslmode=disable")
	if err != nil {
		return Servers{}, err
	}
	var redisURLs [2]string
	for i := range redisURLs {
		r, err := tcredis.Run(ctx, "redis:7-alpine")
		if err != nil {
			return Servers{}, fmt.Errorf("start Redis container: %w", err)
		}
		if redisURLs[i], err = r.ConnectionString(ctx); err != nil {
			return Servers{}, err
		}
	}
	return Servers{PostgresAdminURL: pgURL, RedisCacheURL: redisURLs[0], RedisCodesURL: redisURLs[1], Source: "testcontainers"}, nil
}
