package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// PurgedTable is one table PurgeErased rewrote, with its size (heap,
// indexes and TOAST) before and after.
type PurgedTable struct {
	Name          string
	Before, After int64
}

// ErasedTables are the partitions of short_link that hold a deleted link,
// whose erased target may still be in the table's files.
func (s *Store) ErasedTables(ctx context.Context) ([]string, error) {
	var tables []string
	err := s.db.SelectContext(ctx, &tables,
		`SELECT DISTINCT tableoid::regclass::text FROM short_link WHERE state = 2 ORDER BY 1`)
	if err != nil {
		return nil, translate("find partitions with deleted links", err)
	}
	return tables, nil
}

// PurgeErased rewrites each partition of short_link that holds a deleted
// link (VACUUM FULL: a new file of the live rows only, the old one
// truncated at commit), so the targets a DELETE erased are no longer in
// the table's files as dead row versions or as the free space they left:
// a plain VACUUM, and autovacuum, mark that space free without wiping it.
// Each rewrite holds an ACCESS EXCLUSIVE lock on its partition, so lookups
// of that month's links wait for it; a rewrite that cannot take the lock
// within lockTimeout fails rather than queue every lookup behind it. Then
// it asks for a CHECKPOINT, after which the server may remove the old
// files and recycle the WAL segments that hold the rows; checkpointed
// reports whether that was allowed (it needs the pg_checkpoint role or a
// superuser).
//
// It cannot reach what is outside the database's files: archived WAL,
// base backups and snapshots, replicas' own WAL, dumps, logs.
func (s *Store) PurgeErased(ctx context.Context, lockTimeout time.Duration) (purged []PurgedTable, checkpointed bool, err error) {
	tables, err := s.ErasedTables(ctx)
	if err != nil {
		return nil, false, err
	}
	conn, err := s.db.Conn(ctx) // VACUUM runs outside a transaction, on one session's settings
	if err != nil {
		return nil, false, translate("purge", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`SET lock_timeout = %d`, lockTimeout.Milliseconds())); err != nil {
		return nil, false, translate("purge: set lock_timeout", err)
	}
	size := func(table string) (int64, error) {
		var n int64
		err := conn.QueryRowContext(ctx, `SELECT pg_total_relation_size($1::regclass)`, table).Scan(&n)
		return n, err
	}
	for _, table := range tables {
		p := PurgedTable{Name: table}
		if p.Before, err = size(table); err != nil {
			return purged, false, translate("purge: size of "+table, err)
		}
		// table is a regclass's text: a name Postgres wrote, quoted as needed.
		if _, err := conn.ExecContext(ctx, `VACUUM (FULL, ANALYZE) `+table); err != nil {
			return purged, false, translate("purge: VACUUM FULL "+table, err)
		}
		if p.After, err = size(table); err != nil {
			return purged, false, translate("purge: size of "+table, err)
		}
		purged = append(purged, p)
	}
	if _, err := conn.ExecContext(ctx, `CHECKPOINT`); err != nil {
		var pqErr *pq.Error
		if errors.As(err, &pqErr) && pqErr.Code == "42501" { // insufficient_privilege
			return purged, false, nil
		}
		return purged, false, translate("purge: CHECKPOINT", err)
	}
	return purged, true, nil
}
