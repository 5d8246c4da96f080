package postgres

// FindLiveQuery is the lookup statement, for the partition-pruning test.
const FindLiveQuery = findLiveQuery
