package domain_test

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/shortlink/shortlink/domain"
)

func newGenerator(t testing.TB, secret string) *domain.CodeGenerator {
	t.Helper()
	g, err := domain.NewCodeGenerator(secret)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestCodeGeneratorIsInjectiveOnSamples(t *testing.T) {
	t.Parallel()
	g := newGenerator(t, "test-secret")
	seen := make(map[domain.Code]uint64, 200_000)
	check := func(n uint64) {
		code, err := g.Code(n)
		if err != nil {
			t.Fatalf("Code(%d): %v", n, err)
		}
		if prev, dup := seen[code]; dup {
			t.Fatalf("Code(%d) = Code(%d) = %s", n, prev, code)
		}
		seen[code] = n
	}
	for n := range uint64(100_000) { // a dense run from zero, as a fresh counter hands out
		check(n)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100_000 { // and sparse samples across the whole space
		n := rng.Uint64N(domain.CodeSpace)
		if _, done := seen[mustCode(t, g, n)]; !done {
			check(n)
		}
	}
	check(domain.CodeSpace - 1)
}

func mustCode(t *testing.T, g *domain.CodeGenerator, n uint64) domain.Code {
	t.Helper()
	c, err := g.Code(n)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCodeGeneratorInverseRecoversCounter(t *testing.T) {
	t.Parallel()
	g := newGenerator(t, "test-secret")
	rng := rand.New(rand.NewPCG(3, 4))
	for range 50_000 {
		n := rng.Uint64N(domain.CodeSpace)
		code := mustCode(t, g, n)
		if len(code) != domain.GeneratedCodeLength {
			t.Fatalf("Code(%d) = %q, want %d characters", n, code, domain.GeneratedCodeLength)
		}
		if _, err := domain.ParseCode(string(code)); err != nil {
			t.Fatalf("generated code %q is not a valid code: %v", code, err)
		}
		got, ok := g.Counter(code)
		if !ok || got != n {
			t.Fatalf("Counter(Code(%d)) = %d, %v", n, got, ok)
		}
	}
}

func TestCodeGeneratorConsecutiveCodesLookUnrelated(t *testing.T) {
	t.Parallel()
	g := newGenerator(t, "test-secret")
	// Consecutive counters must not give codes that share a long prefix, as a
	// plain base62 encoding of the counter would (0000001, 0000002, …).
	samePrefix := 0
	prev := mustCode(t, g, 0)
	for n := uint64(1); n < 10_000; n++ {
		code := mustCode(t, g, n)
		if code[:4] == prev[:4] {
			samePrefix++
		}
		prev = code
	}
	// A random pair shares 4 leading characters with probability 62^-4 ≈ 7e-8.
	if samePrefix > 2 {
		t.Fatalf("%d of 10000 consecutive pairs share a 4-character prefix", samePrefix)
	}
}

func TestCodeGeneratorDependsOnSecret(t *testing.T) {
	t.Parallel()
	a, b := newGenerator(t, "secret-a"), newGenerator(t, "secret-b")
	same := 0
	for n := range uint64(1000) {
		if mustCode(t, a, n) == mustCode(t, b, n) {
			same++
		}
	}
	if same > 1 {
		t.Fatalf("%d of 1000 codes equal under different secrets", same)
	}
}

func TestCodeGeneratorRejectsOutOfSpaceAndEmptySecret(t *testing.T) {
	t.Parallel()
	g := newGenerator(t, "s")
	if _, err := g.Code(domain.CodeSpace); !errors.Is(err, domain.ErrCodeSpaceExhausted) {
		t.Fatalf("Code(CodeSpace) error = %v, want ErrCodeSpaceExhausted", err)
	}
	if _, err := domain.NewCodeGenerator(""); err == nil {
		t.Fatal("NewCodeGenerator(\"\") succeeded")
	}
	if _, ok := g.Counter("short"); ok {
		t.Fatal("Counter accepted a 5-character code")
	}
}

func FuzzCodeGeneratorRoundTrip(f *testing.F) {
	for _, n := range []uint64{0, 1, 2, 61, 62, 1 << 21, domain.CodeSpace - 1, domain.CodeSpace, 1<<42 - 1, 1<<64 - 1} {
		f.Add(n, "secret")
	}
	f.Fuzz(func(t *testing.T, n uint64, secret string) {
		if secret == "" {
			secret = "x"
		}
		g := newGenerator(t, secret)
		code, err := g.Code(n)
		if n >= domain.CodeSpace {
			if !errors.Is(err, domain.ErrCodeSpaceExhausted) {
				t.Fatalf("Code(%d) error = %v", n, err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := g.Counter(code); !ok || got != n {
			t.Fatalf("Counter(Code(%d)=%s) = %d, %v", n, code, got, ok)
		}
	})
}
