package postgres

// FindQuery and FindManyQuery are the lookup statements (of an update, of
// the batched lookups), for the partition-pruning test.
const (
	FindQuery     = findQuery
	FindManyQuery = findManyQuery
)
