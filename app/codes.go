package app

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// mintCodes reserves n counter values and turns them into codes.
func mintCodes(ctx context.Context, counter ports.CodeCounter, secrets *CodeSecrets, n int) ([]domain.Code, error) {
	gen, err := secrets.Generator(ctx)
	if err != nil {
		return nil, err
	}
	first, err := counter.Reserve(ctx, n)
	if err != nil {
		return nil, fmt.Errorf("reserve %d counter values: %w", n, err)
	}
	codes := make([]domain.Code, n)
	for i := range codes {
		if codes[i], err = gen.Code(first + uint64(i)); err != nil {
			return nil, err
		}
	}
	return codes, nil
}

// CodeSupply hands out generated codes to creates from an in-process buffer,
// refilled a batch at a time: from the shared pool when there is one, else,
// or when the pool is empty or down, straight from the durable counter. Codes
// still buffered when the process dies are never used, which is harmless.
type CodeSupply struct {
	pool      ports.CodePool // nil when the deployment has no pool
	counter   ports.CodeCounter
	secrets   *CodeSecrets
	batchSize int
	log       *slog.Logger

	// turn admits one caller at a time to the buffer. It is a channel, not a
	// mutex, so a caller queued behind a slow refill gives up when its own
	// context ends instead of waiting out the refill.
	turn      chan struct{}
	buffer    []domain.Code
	fallbacks atomic.Uint64
}

// NewCodeSupply returns a supply that takes batchSize codes per refill.
// pool may be nil.
func NewCodeSupply(pool ports.CodePool, counter ports.CodeCounter, secrets *CodeSecrets, batchSize int, log *slog.Logger) *CodeSupply {
	return &CodeSupply{pool: pool, counter: counter, secrets: secrets, batchSize: max(batchSize, 1), log: log, turn: make(chan struct{}, 1)}
}

// Next returns a code no earlier call, here or in any other process, returned.
func (s *CodeSupply) Next(ctx context.Context) (domain.Code, error) {
	select {
	case s.turn <- struct{}{}:
		defer func() { <-s.turn }()
	case <-ctx.Done():
		return "", fmt.Errorf("wait for the code buffer: %w: %w", domain.ErrUnavailable, ctx.Err())
	}
	if len(s.buffer) == 0 {
		if err := s.refill(ctx); err != nil {
			return "", err
		}
	}
	last := len(s.buffer) - 1
	code := s.buffer[last]
	s.buffer = s.buffer[:last]
	return code, nil
}

// Fallbacks counts refills that had to bypass an empty or unreachable pool.
func (s *CodeSupply) Fallbacks() uint64 { return s.fallbacks.Load() }

func (s *CodeSupply) refill(ctx context.Context) error {
	if s.pool != nil {
		codes, err := s.pool.Take(ctx, s.batchSize)
		if err == nil && len(codes) > 0 {
			s.buffer = codes
			return nil
		}
		s.fallbacks.Add(1)
		s.log.Warn("code pool empty or unavailable; reserving codes from the counter", "error", err)
	}
	codes, err := mintCodes(ctx, s.counter, s.secrets, s.batchSize)
	if err != nil {
		return fmt.Errorf("refill code buffer: %w", err)
	}
	s.buffer = codes
	return nil
}
