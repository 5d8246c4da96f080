package postgres

// FindQuery is the lookup statement, for the partition-pruning test.
const FindQuery = findQuery

// Listening reports whether the feed's first LISTEN was acknowledged.
func (f *ChangeFeed) Listening() bool { return f.listening.Load() }
