package app

import "context"

// FlushDue is a flusher's tick without its key refresh: the counts are
// written, the visitor hashes merged only when UniquesEvery says so.
func (f *VisitFlusher) FlushDue(ctx context.Context) error {
	if f.lastUniques.IsZero() {
		f.lastUniques = f.clock.Now()
	}
	return f.flush(ctx, false)
}
