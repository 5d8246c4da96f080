package testkit

import (
	"cmp"
	"math"
	"os"
)

// EnvOr is the environment variable name, or def when it is unset or empty:
// the load and bench tools take their defaults this way.
func EnvOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// Percentile is the nearest-rank p-th percentile (0 < p ≤ 100) of sorted,
// which must be in ascending order; the zero value for an empty slice.
func Percentile[T cmp.Ordered](sorted []T, p float64) T {
	if len(sorted) == 0 {
		var zero T
		return zero
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}
