package useragent

// CachedBytes is the memory the cache holds, for tests.
func (d *Detector) CachedBytes() uint64 { return uint64(len(d.slots)) * 8 }

// Parse classifies without the cache, for benchmarks.
func (d *Detector) Parse(ua string) bool { return d.parse(ua)&classBot != 0 }
