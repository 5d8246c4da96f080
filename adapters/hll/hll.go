// Package hll keeps the unique-visitor sketches of the visit stores:
// HyperLogLog (github.com/axiomhq/hyperloglog, precision 14: 16 KiB at
// most, a standard error of 0.81 %, sparse and much smaller below a few
// thousand visitors) over the keyed visitor hashes the app hands them. A
// helper of the store adapters, not an adapter of its own: it talks to
// nothing outside the process.
package hll

import (
	"fmt"

	"github.com/axiomhq/hyperloglog"
)

// Union adds hashes to the sketch stored as old (nil for none) and
// returns the sketch to store: old's visitors and hashes', each once.
func Union(old []byte, hashes []uint64) ([]byte, error) {
	sk, err := decode(old)
	if err != nil {
		return nil, err
	}
	for _, h := range hashes {
		sk.InsertHash(h)
	}
	return sk.MarshalBinary()
}

// Merge is the union of stored sketches (nils skipped): for a reader of
// several slots.
func Merge(stored ...[]byte) ([]byte, error) {
	sk := hyperloglog.New14()
	for _, b := range stored {
		if len(b) == 0 {
			continue
		}
		other, err := decode(b)
		if err != nil {
			return nil, err
		}
		if err := sk.Merge(other); err != nil {
			return nil, fmt.Errorf("hll: merge: %w", err)
		}
	}
	return sk.MarshalBinary()
}

// Estimate is the number of distinct visitors of the union of stored.
func Estimate(stored ...[]byte) (int64, error) {
	if len(stored) == 1 {
		if len(stored[0]) == 0 {
			return 0, nil
		}
		sk, err := decode(stored[0])
		if err != nil {
			return 0, err
		}
		return int64(sk.Estimate()), nil
	}
	merged, err := Merge(stored...)
	if err != nil {
		return 0, err
	}
	return Estimate(merged)
}

func decode(b []byte) (*hyperloglog.Sketch, error) {
	sk := hyperloglog.New14()
	if len(b) == 0 {
		return sk, nil
	}
	if err := sk.UnmarshalBinary(b); err != nil {
		return nil, fmt.Errorf("hll: a stored sketch does not decode: %w", err)
	}
	return sk, nil
}
