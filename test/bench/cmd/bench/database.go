package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"

	_ "github.com/lib/pq" // admin connection: drop and create the bench database
)

// freshDatabase drops and recreates the bench database.
func (b *bench) freshDatabase(ctx context.Context) error {
	u, err := url.Parse(b.opts.adminURL)
	if err != nil {
		return fmt.Errorf("-pg: %w", err)
	}
	admin, err := sql.Open("postgres", b.opts.adminURL)
	if err != nil {
		return err
	}
	defer admin.Close()
	name := quoteIdent(b.opts.dbName)
	b.logf("recreating database %s", b.opts.dbName)
	for _, stmt := range []string{"DROP DATABASE IF EXISTS " + name + " WITH (FORCE)", "CREATE DATABASE " + name} {
		if _, err := admin.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	var version string
	if err := admin.QueryRowContext(ctx, "SHOW server_version").Scan(&version); err == nil {
		b.version["postgres"] = "PostgreSQL " + version
	}
	u.Path = "/" + b.opts.dbName
	b.dbURL = u.String()
	return nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func (b *bench) exec(ctx context.Context, stmt string) error {
	db, err := sql.Open("postgres", b.dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, stmt)
	return err
}

func (b *bench) queryInt(ctx context.Context, query string) (int64, error) {
	db, err := sql.Open("postgres", b.dbURL)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int64
	err = db.QueryRowContext(ctx, query).Scan(&n)
	return n, err
}
