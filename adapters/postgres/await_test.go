package postgres

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shortlink/shortlink/domain"
)

func TestAwaitAnswersWhenTheContextEnds(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := await(ctx, "stuck", func() (int, error) { <-release; return 1, nil })
	if !errors.Is(err, domain.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("await on a stuck call = %v, want ErrUnavailable and the deadline", err)
	}
	got, err := await(context.Background(), "quick", func() (int, error) { return 7, nil })
	if got != 7 || err != nil {
		t.Fatalf("await on a quick call = %d, %v", got, err)
	}
}
