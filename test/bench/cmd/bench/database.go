package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"

	_ "github.com/lib/pq" // admin connection: drop and create the bench databases
)

// freshDatabase drops and recreates database name on the -pg server and
// returns its URL.
func (b *bench) freshDatabase(ctx context.Context, name string) (string, error) {
	u, err := url.Parse(b.opts.adminURL)
	if err != nil {
		return "", fmt.Errorf("-pg: %w", err)
	}
	admin, err := sql.Open("postgres", b.opts.adminURL)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	b.logf("recreating database %s", name)
	for _, stmt := range []string{"DROP DATABASE IF EXISTS " + quoteIdent(name) + " WITH (FORCE)", "CREATE DATABASE " + quoteIdent(name)} {
		if _, err := admin.ExecContext(ctx, stmt); err != nil {
			return "", fmt.Errorf("%s: %w", stmt, err)
		}
	}
	var version string
	if err := admin.QueryRowContext(ctx, "SHOW server_version").Scan(&version); err == nil {
		b.version["postgres"] = "PostgreSQL " + version
	}
	u.Path = "/" + name
	return u.String(), nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// seedSQL stores links x0000000 … x<n-1> the way the api would have
// (a row in short_link and a claim on the code), made an hour ago and
// live for 30 days, then refreshes the planner's statistics. The Lua
// scripts cold.lua, zipf.lua and stats.lua and the pgbench lookup ask for
// these codes.
func seedSQL(ctx context.Context, dbURL string, n int) error {
	return execAll(ctx, dbURL,
		fmt.Sprintf(`INSERT INTO short_link (code, url, created_at, expires_at)
			SELECT 'x' || lpad(i::text, 7, '0'), 'https://example.com/seeded/' || md5(i::text),
			       now() - interval '1 hour', now() + interval '30 days'
			FROM generate_series(0, %d) AS i`, n-1),
		`INSERT INTO code_claim (code, link_id, free_after, created_at)
			SELECT code, id, expires_at + interval '365 days', created_at FROM short_link WHERE code LIKE 'x%'`,
		"VACUUM ANALYZE")
}

func execAll(ctx context.Context, dbURL string, stmts ...string) error {
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, stmt := range stmts {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%.60s…: %w", stmt, err)
		}
	}
	return nil
}

// queryRow scans the one row of query into dest.
func queryRow(ctx context.Context, dbURL, query string, dest ...any) error {
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.QueryRowContext(ctx, query).Scan(dest...)
}

func queryInt(ctx context.Context, dbURL, query string) (int64, error) {
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int64
	err = db.QueryRowContext(ctx, query).Scan(&n)
	return n, err
}
