package bolt

// SetSweepChunk lets tests cross sweep chunk boundaries with few links.
func (s *LinkStore) SetSweepChunk(n int) { s.sweepChunk = n }
