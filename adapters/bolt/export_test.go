package bolt

// SetSweepChunk lets tests cross sweep chunk boundaries with few links.
func (s *Store) SetSweepChunk(n int) { s.sweepChunk = n }
