package useragent

// CachedBytes is the weight the cache holds, for tests.
func (d *Detector) CachedBytes() uint64 { return d.verdicts.WeightedSize() }

// Parse classifies without the cache, for benchmarks.
func (d *Detector) Parse(ua string) bool { return d.parse(ua) }
