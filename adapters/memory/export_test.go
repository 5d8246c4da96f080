package memory

// WeightedBytes is what the entries take by the cache's own estimate, for
// the test of the cache's bound.
func (c *Cache) WeightedBytes() uint64 { return c.entries.WeightedSize() }

// CatchUp runs the eviction the cache still owes: otter applies writes to
// its policy in batches, so right after a burst of Sets it may hold more
// than its bound until its maintenance runs.
func (c *Cache) CatchUp() { c.entries.CleanUp() }
