package postgres

// FindQuery is the lookup statement, for the partition-pruning test.
const FindQuery = findQuery
