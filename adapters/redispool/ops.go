package redispool

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/rueidis"

	"github.com/shortlink/shortlink/adapters/redisclient"
	"github.com/shortlink/shortlink/domain"
)

// Take implements ports.CodePool with SPOP key n: up to n codes, none when
// the set is empty or missing. A member that is not a valid code is dropped.
func (p *Pool) Take(ctx context.Context, n int) ([]domain.Code, error) {
	if n <= 0 {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	members, err := p.client.Do(ctx, p.client.B().Spop().Key(p.key).Count(int64(n)).Build()).AsStrSlice()
	if err != nil && !rueidis.IsRedisNil(err) {
		return nil, redisclient.Wrap(fmt.Sprintf("take %d codes", n), err)
	}
	codes := make([]domain.Code, 0, len(members))
	for _, m := range members {
		if code, err := domain.ParseCode(m); err == nil {
			codes = append(codes, code)
		}
	}
	return codes, nil
}

// Add implements ports.CodePool: SADDs of addChunk codes each, pipelined in
// one round trip, under Timeout per chunk. Adding a code already in the set
// is a no-op, so a retried Add never duplicates.
func (p *Pool) Add(ctx context.Context, codes []domain.Code) error {
	if len(codes) == 0 {
		return nil
	}
	cmds := make(rueidis.Commands, 0, (len(codes)+addChunk-1)/addChunk)
	members := make([]string, 0, min(len(codes), addChunk))
	for start := 0; start < len(codes); start += addChunk {
		members = members[:0]
		for _, c := range codes[start:min(start+addChunk, len(codes))] {
			members = append(members, string(c))
		}
		cmds = append(cmds, p.client.B().Sadd().Key(p.key).Member(members...).Build())
	}
	ctx, cancel := context.WithTimeout(ctx, p.timeout*time.Duration(len(cmds)))
	defer cancel()
	for _, resp := range p.client.DoMulti(ctx, cmds...) {
		if err := resp.Error(); err != nil {
			return redisclient.Wrap(fmt.Sprintf("add %d codes", len(codes)), err)
		}
	}
	return nil
}

// Size implements ports.CodePool with SCARD.
func (p *Pool) Size(ctx context.Context) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	n, err := p.client.Do(ctx, p.client.B().Scard().Key(p.key).Build()).AsInt64()
	if err != nil {
		return 0, redisclient.Wrap("pool size", err)
	}
	return n, nil
}
