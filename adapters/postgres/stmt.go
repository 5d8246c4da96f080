package postgres

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"

	"github.com/jmoiron/sqlx"
)

// lazyStmt prepares its statement on first use rather than at start-up, so
// the service starts while Postgres is down. database/sql re-prepares it on
// each pooled connection as needed, and a prepared statement costs one round
// trip per execution where an unprepared one costs two with lib/pq.
type lazyStmt struct {
	db    *sqlx.DB
	query string

	mu   sync.Mutex // serializes preparing only
	stmt atomic.Pointer[sql.Stmt]
}

func (l *lazyStmt) get(ctx context.Context) (*sql.Stmt, error) {
	if stmt := l.stmt.Load(); stmt != nil {
		return stmt, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if stmt := l.stmt.Load(); stmt != nil {
		return stmt, nil
	}
	stmt, err := l.db.PrepareContext(ctx, l.query)
	if err != nil {
		return nil, err
	}
	l.stmt.Store(stmt)
	return stmt, nil
}
