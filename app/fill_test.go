package app_test

import (
	"context"
	"testing"

	"go.uber.org/mock/gomock"

	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
)

func TestFillTopsUpToTargetBelowLowWater(t *testing.T) {
	t.Parallel()
	d := newDeps(t)
	d.pool.EXPECT().Size(gomock.Any()).Return(int64(3), nil)
	d.counter.EXPECT().Reserve(gomock.Any(), 4).Return(uint64(0), nil)
	d.counter.EXPECT().Reserve(gomock.Any(), 3).Return(uint64(4), nil)
	var added []domain.Code
	d.pool.EXPECT().Add(gomock.Any(), gomock.Any()).DoAndReturn(func(_ context.Context, codes []domain.Code) error {
		added = append(added, codes...)
		return nil
	}).Times(2)
	n, err := app.NewPoolFiller(d.pool, d.counter, d.secrets, 10, 5, 4).Fill(context.Background())
	if err != nil || n != 7 || len(added) != 7 {
		t.Fatalf("Fill = %d, %v (added %d); want 7", n, err, len(added))
	}
	for i, code := range added {
		if want, _ := d.gen.Code(uint64(i)); code != want {
			t.Fatalf("code %d = %s, want %s", i, code, want)
		}
	}
}

func TestFillDoesNothingAtOrAboveLowWater(t *testing.T) {
	t.Parallel()
	d := newDeps(t)
	d.pool.EXPECT().Size(gomock.Any()).Return(int64(5), nil)
	if n, err := app.NewPoolFiller(d.pool, d.counter, d.secrets, 10, 5, 4).Fill(context.Background()); err != nil || n != 0 {
		t.Fatalf("Fill = %d, %v; want 0", n, err)
	}
}
