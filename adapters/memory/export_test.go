package memory

// WeightedBytes is what the entries take by the cache's own estimate, for
// the test of the cache's bound.
func (c *Cache) WeightedBytes() uint64 { return c.entries.WeightedSize() }
