package postgres

import (
	"context"
	"database/sql"
)

// stepContract is the release_step row `migrate contract` writes.
const stepContract = "contract"

// Contracted implements ports.ReleaseSteps: whether `migrate contract` has
// run on this database.
func (s *Store) Contracted(ctx context.Context) (bool, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	var ran bool
	if err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM release_step WHERE name = $1)`, stepContract).Scan(&ran); err != nil {
		return false, translate("read release steps", err)
	}
	return ran, nil
}

// RecordContract records, on the database databaseURL names, that the
// contract step ran: no task of a previous release serves any more, so the
// features whose rows such a task would serve wrongly may be used (the
// api's FeatureGate reads it). It is idempotent; it reports whether the
// step had run before.
func RecordContract(ctx context.Context, databaseURL string) (before bool, err error) {
	conn, err := sql.Open("postgres", databaseURL)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	res, err := conn.ExecContext(ctx, `INSERT INTO release_step (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, stepContract)
	if err != nil {
		return false, translate("record the contract step (run `migrate up` first)", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	return n == 0, nil
}
