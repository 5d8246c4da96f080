package main

import (
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"strings"
)

// The scale run's workspace: seeded in SQL with a tenth of the links, so
// the listing is measured at 1 M links in one workspace of 10 M without
// moving rows after the fact.
const (
	scaleWorkspace = "benchworkspace0"
	// scaleSpread is the time over which the seeded links were made, the
	// newest an hour before seeding: link times are what the date-range
	// filter selects on, and what orders a listing.
	scaleSpread = "5 days"
	// The links' creation order is permuted: x<i> is the (i·a mod n)-th
	// newest link, a the first integer from 0.618·n (the golden ratio's
	// fraction) coprime with n, whose multiples mod n spread every block
	// of consecutive i evenly over [0, n), so a workspace's links, a code
	// prefix, a tag or a state are spread over the whole time (and heap)
	// rather than made in one burst.
	goldenFraction = 0.6180339887
)

// scaleShape says how seedScaleSQL lays out n links: which of them are in
// the workspace and what makes a filter select 1, 10 or 50 % of them. The
// driver measures the shares it actually gets (listShares).
//
//   - The workspace: x<i> for i < n/20 and every 23rd link from n/10 on
//     (≈ 0.089 n), plus the state links below (0.011 n): ≈ n/10 in all.
//   - Every link draws h = hashint8(i) mod 100, uniform and independent of
//     time. Its URL ends in "?k=qone-qten-qhalf" when h < 1, "?k=qten-qhalf"
//     when h < 10, "?k=qhalf" when h < 50 (anonymous links too, so a
//     trigram posting list is the whole table's). Workspace links get the
//     title "Bench page <i>" and the tags {all} plus half (h < 50), ten
//     (h < 10) and one (h < 1).
//   - Code prefixes: the workspace holds every code of x<first n/20>, so a
//     prefix of n/10 codes (x0 at 10 M) is half the workspace, one of n/100
//     codes a tenth, one of n/1000 a hundredth.
//   - States: y<j> links, beyond the x codes the redirect, miss and stats
//     steps ask for (they must answer 302 or 200), 0.011 n of them in the
//     workspace: the first eleventh disabled (1 % of the workspace), the
//     rest expired (10 %).
//
// Links are inserted oldest first, as an api appends them, so the heap is
// in time order; the y links come last (made over the same 5 days).
func seedScaleSQL(ctx context.Context, dbURL string, n int) error {
	if n <= 0 {
		return nil
	}
	// x<i> is the t-th newest with t = i·a mod n; the inverse walks t in
	// order: i = t·a⁻¹ mod n.
	a := big.NewInt(int64(goldenFraction * float64(n)))
	for new(big.Int).GCD(nil, nil, a, big.NewInt(int64(n))).Int64() != 1 {
		a.Add(a, big.NewInt(1))
	}
	inv := new(big.Int).ModInverse(a, big.NewInt(int64(n)))
	extra := n * 11 / 1000
	const h = `((hashint8(i)::bigint + 2147483648) %% 100)`
	inWS := fmt.Sprintf(`(i < %d OR (i >= %d AND i %%%% 23 = 0))`, n/20, n/10) // %% survives the Sprintf below
	return withIndexesRebuilt(ctx, dbURL, "short_link",
		fmt.Sprintf(`INSERT INTO workspace (id, name, created_at) VALUES ('%s', 'bench', now())`, scaleWorkspace),
		fmt.Sprintf(`INSERT INTO short_link (code, url, created_at, expires_at, workspace_id, title, tags)
			SELECT 'x' || lpad(i::text, 7, '0'),
			       'https://example.com/seeded/' || md5(i::text) ||
			           CASE WHEN h < 1 THEN '?k=qone-qten-qhalf' WHEN h < 10 THEN '?k=qten-qhalf' WHEN h < 50 THEN '?k=qhalf' ELSE '' END,
			       now() - interval '1 hour' - interval '%[2]s' * (t::float8 / %[3]d),
			       now() + interval '30 days',
			       CASE WHEN ws THEN '%[4]s' END,
			       CASE WHEN ws THEN 'Bench page ' || i END,
			       CASE WHEN NOT ws THEN NULL
			            WHEN h < 1 THEN ARRAY['all', 'half', 'ten', 'one']
			            WHEN h < 10 THEN ARRAY['all', 'half', 'ten']
			            WHEN h < 50 THEN ARRAY['all', 'half']
			            ELSE ARRAY['all'] END
			FROM (SELECT t, i, `+h+` AS h, `+inWS+` AS ws
			      FROM (SELECT t, (t * %[5]d::bigint) %% %[3]d AS i FROM generate_series(%[1]d, 0, -1) AS t) AS p) AS s`,
			n-1, scaleSpread, n, scaleWorkspace, inv.Int64()),
		fmt.Sprintf(`INSERT INTO short_link (code, url, created_at, expires_at, state, workspace_id, title, tags)
			SELECT 'y' || lpad(j::text, 7, '0'),
			       'https://example.com/seeded/' || md5((%[1]d + j)::text) ||
			           CASE WHEN h < 1 THEN '?k=qone-qten-qhalf' WHEN h < 10 THEN '?k=qten-qhalf' WHEN h < 50 THEN '?k=qhalf' ELSE '' END,
			       made,
			       CASE WHEN j < %[2]d / 11 THEN now() + interval '30 days' ELSE made + interval '1 minute' END,
			       CASE WHEN j < %[2]d / 11 THEN 1 ELSE 0 END,
			       '%[4]s', 'Bench page y' || j,
			       CASE WHEN h < 1 THEN ARRAY['all', 'half', 'ten', 'one']
			            WHEN h < 10 THEN ARRAY['all', 'half', 'ten']
			            WHEN h < 50 THEN ARRAY['all', 'half']
			            ELSE ARRAY['all'] END
			FROM (SELECT j, ((hashint8(%[1]d::bigint + j)::bigint + 2147483648) %% 100) AS h,
			             now() - interval '1 hour' - interval '%[3]s' * (((j * 7919) %% %[2]d + 0.5) / %[2]d) AS made
			      FROM generate_series(0, %[2]d - 1) AS j) AS s`,
			n, extra, scaleSpread, scaleWorkspace),
		`INSERT INTO code_claim (code, link_id, free_after, created_at)
			SELECT code, id, expires_at + interval '365 days', created_at FROM short_link`)
}

// withIndexesRebuilt runs stmts on one connection with table's indexes
// other than its constraints' dropped, then builds them again from their
// own definitions and runs VACUUM ANALYZE: loading 10 M rows into the
// listing's indexes (trigram GIN among them) one row at a time takes half
// an hour on 2 cores, building them afterwards a few minutes. The indexes
// are then freshly built (compact, GIN pending lists empty), not grown
// by inserts as in production.
func withIndexesRebuilt(ctx context.Context, dbURL, table string, stmts ...string) error {
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, `
		SELECT i.indexname, i.indexdef FROM pg_indexes i
		WHERE i.schemaname = current_schema() AND i.tablename = $1
		  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
		ORDER BY i.indexname`, table)
	if err != nil {
		return err
	}
	var names, defs []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return err
		}
		// A partitioned table's index reads "ON ONLY": built so, it would
		// stay an invalid shell without its partitions' indexes.
		names, defs = append(names, name), append(defs, strings.Replace(def, " ON ONLY ", " ON ", 1))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	all := []string{"SET maintenance_work_mem = '256MB'"}
	for _, name := range names {
		all = append(all, "DROP INDEX "+quoteIdent(name))
	}
	all = append(append(append(all, stmts...), defs...), "VACUUM ANALYZE")
	for _, stmt := range all {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%.60s…: %w", stmt, err)
		}
	}
	return nil
}
