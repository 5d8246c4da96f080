package app

import (
	"context"
	"fmt"

	"github.com/shortlink/shortlink/ports"
)

// PoolFillChunk is how many codes the batch mints per counter reservation:
// one round trip to Postgres per 10 000 codes.
const PoolFillChunk = 10_000

// PoolFiller is the batch's use case: keep the shared code pool stocked.
type PoolFiller struct {
	pool      ports.CodePool
	counter   ports.CodeCounter
	secrets   *CodeSecrets
	target    int64
	lowWater  int64
	chunkSize int
}

// NewPoolFiller returns a filler that tops the pool up to target whenever it
// holds fewer than lowWater codes, minting chunkSize codes per counter
// reservation.
func NewPoolFiller(pool ports.CodePool, counter ports.CodeCounter, secrets *CodeSecrets, target, lowWater int64, chunkSize int) *PoolFiller {
	return &PoolFiller{pool: pool, counter: counter, secrets: secrets, target: target, lowWater: lowWater, chunkSize: max(chunkSize, 1)}
}

// Fill tops the pool up and returns how many codes it added. Fillers running
// at once each mint from their own counter blocks, so they never add the
// same code twice; at worst together they overshoot the target.
func (f *PoolFiller) Fill(ctx context.Context) (int64, error) {
	size, err := f.pool.Size(ctx)
	if err != nil {
		return 0, fmt.Errorf("pool size: %w", err)
	}
	if size >= f.lowWater {
		return 0, nil
	}
	var added int64
	for need := f.target - size; added < need; {
		n := int(min(int64(f.chunkSize), need-added))
		codes, err := mintCodes(ctx, f.counter, f.secrets, n)
		if err != nil {
			return added, err
		}
		if err := f.pool.Add(ctx, codes); err != nil {
			return added, fmt.Errorf("add %d codes to the pool: %w", n, err)
		}
		added += int64(n)
	}
	return added, nil
}
