//go:build integration

package redispool_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/redispool"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/test/testenv"
)

// newPool returns a pool on the shared test server under a fresh key. Its
// timeout is generous: these tests are about which codes end up in the
// set, and a loaded CI machine may take longer than REDIS_TIMEOUT to add
// thousands of them.
func newPool(t *testing.T) *redispool.Pool {
	t.Helper()
	client, key := testenv.RedisCodesClient(t)
	return testenv.NewPool(t, client, redispool.Options{Key: key, Timeout: 5 * time.Second})
}

// codeSecret is the CODE_SECRET the tests' codes are minted with.
const codeSecret = "redispool test secret"

func newGenerator(t testing.TB) *domain.CodeGenerator {
	t.Helper()
	gen, err := domain.NewCodeGenerator(codeSecret)
	if err != nil {
		t.Fatal(err)
	}
	return gen
}

// mint returns the codes of counter values [first, first+n). It may run on
// any goroutine, so it reports failure with Error, not Fatal.
func mint(t testing.TB, gen *domain.CodeGenerator, first uint64, n int) []domain.Code {
	t.Helper()
	codes := make([]domain.Code, 0, n)
	for i := range n {
		code, err := gen.Code(first + uint64(i))
		if err != nil {
			t.Error(err)
			break
		}
		codes = append(codes, code)
	}
	return codes
}

// memoryCounter hands out counter blocks like the Postgres sequence does:
// disjoint, whoever asks.
type memoryCounter struct {
	mu   sync.Mutex
	next uint64
}

func (c *memoryCounter) Reserve(_ context.Context, n int) (uint64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	first := c.next
	c.next += uint64(n)
	return first, nil
}

func mustSize(t *testing.T, p *redispool.Pool) int64 {
	t.Helper()
	n, err := p.Size(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}
