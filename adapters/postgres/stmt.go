package postgres

import (
	"context"
	"database/sql"
	"sync/atomic"

	"github.com/jmoiron/sqlx"
)

// lazyStmt prepares its statement on first use rather than at start-up, so
// the service starts while Postgres is down. database/sql re-prepares it on
// each pooled connection as needed, and a prepared statement costs one round
// trip per execution where an unprepared one costs two with lib/pq.
//
// Callers racing to prepare each try on their own, bounded by their own
// context; the first to succeed is kept. A lock here would queue every
// request behind one stuck preparation.
type lazyStmt struct {
	db    *sqlx.DB
	query string
	stmt  atomic.Pointer[sql.Stmt]
}

func (l *lazyStmt) get(ctx context.Context) (*sql.Stmt, error) {
	if stmt := l.stmt.Load(); stmt != nil {
		return stmt, nil
	}
	stmt, err := l.db.PrepareContext(ctx, l.query)
	if err != nil {
		return nil, err
	}
	if !l.stmt.CompareAndSwap(nil, stmt) {
		_ = stmt.Close() // another caller won the race
		return l.stmt.Load(), nil
	}
	return stmt, nil
}
