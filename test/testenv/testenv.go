// Package testenv gives integration and end-to-end tests real servers, from
// one place: containers when a Docker engine answers, else the servers named
// by TEST_DATABASE_URL, TEST_REDIS_CACHE_URL and TEST_REDIS_CODES_URL, else
// the default loopback ports. A server that cannot be reached fails the test
// with instructions; nothing is skipped silently.
package testenv

import (
	"context"
	"fmt"
	"os"
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

const howToProvide = `integration tests need Postgres and two Redis servers. Provide them by either
  - running a Docker engine (testcontainers starts them), or
  - setting TEST_DATABASE_URL (a database on a server where the user may CREATE DATABASE),
    TEST_REDIS_CACHE_URL and TEST_REDIS_CODES_URL, or
  - running them on the default ports: Postgres 127.0.0.1:5432 (user postgres, trust auth),
    Redis 127.0.0.1:6379 and 127.0.0.1:6380 (make services starts the missing ones)`

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
	if dockerAnswers() {
		return startContainers()
	}
	s := Servers{
		PostgresAdminURL: envOr("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"),
		RedisCacheURL:    envOr("TEST_REDIS_CACHE_URL", "redis://127.0.0.1:6379/0"),
		RedisCodesURL:    envOr("TEST_REDIS_CODES_URL", "redis://127.0.0.1:6380/0"),
		Source:           "environment or default loopback ports",
	}
	return s, nil
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

func dockerAnswers() bool {
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
