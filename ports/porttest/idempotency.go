package porttest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

func randomKey(t *testing.T) string {
	t.Helper()
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// IdempotencyContract checks a ports.IdempotencyStore: a key is claimed
// once, its answer is kept and read back, a stale claim or an expired
// record can be claimed again, concurrent claims have one winner, and
// ForgetIdempotency drops what started before its cutoff.
func IdempotencyContract(t *testing.T, newStore func(t *testing.T) ports.IdempotencyStore) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	claim := func(key string, fingerprint string, at time.Time) ports.IdempotencyClaim {
		return ports.IdempotencyClaim{Key: key, Fingerprint: []byte(fingerprint), Now: at,
			ExpiredBefore: at.Add(-domain.IdempotencyKeep), StaleBefore: at.Add(-10 * time.Minute)}
	}
	mustClaim := func(t *testing.T, s ports.IdempotencyStore, c ports.IdempotencyClaim, want bool) ports.IdempotencyRecord {
		t.Helper()
		r, claimed, err := s.ClaimIdempotency(ctx, c)
		if err != nil || claimed != want {
			t.Fatalf("claim %s at %s = claimed %v, %v; want claimed %v", c.Key[:8], c.Now, claimed, err, want)
		}
		return r
	}

	t.Run("a key is claimed once and its answer read back", func(t *testing.T) {
		t.Parallel()
		s, key := newStore(t), randomKey(t)
		first := mustClaim(t, s, claim(key, "request", now), true)
		if !first.StartedAt.Equal(now) || first.Answer != nil {
			t.Fatalf("claimed record = %+v, want started at %s without an answer", first, now)
		}
		running := mustClaim(t, s, claim(key, "request", now.Add(time.Second)), false)
		if !bytes.Equal(running.Fingerprint, []byte("request")) || running.Answer != nil || !running.StartedAt.Equal(now) {
			t.Fatalf("record of a running request = %+v", running)
		}
		if err := s.CompleteIdempotency(ctx, key, now.Add(-time.Second), []byte("not mine")); err != nil {
			t.Fatal(err)
		}
		if r := mustClaim(t, s, claim(key, "request", now.Add(time.Second)), false); r.Answer != nil {
			t.Fatalf("a completion of another claim stored an answer: %q", r.Answer)
		}
		if err := s.CompleteIdempotency(ctx, key, first.StartedAt, []byte("answer")); err != nil {
			t.Fatal(err)
		}
		done := mustClaim(t, s, claim(key, "another request", now.Add(time.Hour)), false)
		if string(done.Answer) != "answer" || string(done.Fingerprint) != "request" {
			t.Fatalf("completed record = %+v, want the first request's answer", done)
		}
		if err := s.CompleteIdempotency(ctx, key, first.StartedAt, []byte("again")); err != nil {
			t.Fatal(err)
		}
		if r := mustClaim(t, s, claim(key, "request", now.Add(time.Hour)), false); string(r.Answer) != "answer" {
			t.Fatalf("a second completion replaced the answer: %q", r.Answer)
		}
	})

	t.Run("a stale claim and an expired record are claimed again", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		stale, expired := randomKey(t), randomKey(t)
		mustClaim(t, s, claim(stale, "request", now), true)
		mustClaim(t, s, claim(stale, "request", now.Add(9*time.Minute)), false)
		if r := mustClaim(t, s, claim(stale, "retry", now.Add(11*time.Minute)), true); !r.StartedAt.Equal(now.Add(11 * time.Minute)) {
			t.Fatalf("taken-over record started at %s", r.StartedAt)
		}
		r := mustClaim(t, s, claim(expired, "request", now), true)
		if err := s.CompleteIdempotency(ctx, expired, r.StartedAt, []byte("answer")); err != nil {
			t.Fatal(err)
		}
		mustClaim(t, s, claim(expired, "request", now.Add(23*time.Hour)), false)
		if r := mustClaim(t, s, claim(expired, "request", now.Add(25*time.Hour)), true); r.Answer != nil {
			t.Fatalf("a claim of an expired record kept its answer %q", r.Answer)
		}
	})

	t.Run("concurrent claims of a key have one winner", func(t *testing.T) {
		t.Parallel()
		s, key := newStore(t), randomKey(t)
		const n = 16
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			winners int
			errs    []error
		)
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, claimed, err := s.ClaimIdempotency(ctx, claim(key, "request", now))
				mu.Lock()
				defer mu.Unlock()
				if claimed {
					winners++
				}
				if err != nil {
					errs = append(errs, err)
				}
			}()
		}
		wg.Wait()
		if winners != 1 || len(errs) > 0 {
			t.Fatalf("%d of %d concurrent claims won (errors: %v), want one", winners, n, errors.Join(errs...))
		}
	})

	t.Run("forget drops what started before the cutoff", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		old, recent := randomKey(t), randomKey(t)
		mustClaim(t, s, claim(old, "request", now.Add(-2*time.Hour)), true)
		mustClaim(t, s, claim(recent, "request", now), true)
		if err := s.ForgetIdempotency(ctx, now.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		// The old record is gone: claimed again even though it is neither stale nor expired here.
		c := claim(old, "other", now.Add(-2*time.Hour+time.Minute))
		mustClaim(t, s, c, true)
		mustClaim(t, s, claim(recent, "request", now.Add(time.Minute)), false)
	})
}

// BulkInsertContract checks a ports.BulkInserter: every link is stored in
// order with its id, and a taken code fails its link alone.
func BulkInsertContract(t *testing.T, s interface {
	ports.LinkStore
	ports.BulkInserter
},
) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	suffix := randomKey(t)[:8]
	taken := domain.Code("bt-" + suffix)
	if _, err := s.Insert(ctx, Link(taken).URL("https://example.com/first").Created(now).OwnedBy("token").Build(), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	codes := []domain.Code{domain.Code("b1-" + suffix), taken, domain.Code("b2-" + suffix)}
	links, free := make([]domain.ShortLink, len(codes)), make([]time.Time, len(codes))
	for i, code := range codes {
		links[i], free[i] = Link(code).URL("https://example.com/"+string(code)).Created(now).OwnedBy("token").Build(), now.Add(time.Hour)
	}
	stored, errs := s.InsertMany(ctx, links, free)
	if !errors.Is(errs[1], domain.ErrCodeTaken) || errs[0] != nil || errs[2] != nil {
		t.Fatalf("InsertMany errors = %v, want only the taken code's", errs)
	}
	for _, i := range []int{0, 2} {
		if stored[i].ID() == 0 || stored[i].Code() != codes[i] {
			t.Fatalf("stored[%d] = %v, want %s with an id", i, stored[i].Code(), codes[i])
		}
		found, err := s.Find(ctx, codes[i], now)
		if err != nil || found.URL() != links[i].URL() {
			t.Fatalf("Find(%s) = %v, %v", codes[i], found.URL(), err)
		}
	}
	if found, err := s.Find(ctx, taken, now); err != nil || found.URL() != "https://example.com/first" {
		t.Fatalf("the taken code's link = %v, %v; want the first one kept", found.URL(), err)
	}
}
