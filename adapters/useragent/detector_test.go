package useragent_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/shortlink/shortlink/adapters/useragent"
	"github.com/shortlink/shortlink/test/testkit"
)

func TestIsBot(t *testing.T) {
	t.Parallel()
	d, err := useragent.New(useragent.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range testkit.UserAgents {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			for round := range 2 { // parsed, then cached
				if got := d.IsBot(tc.Header); got != tc.Bot {
					t.Fatalf("round %d: IsBot(%q) = %v, want %v", round, tc.Header, got, tc.Bot)
				}
			}
		})
	}
}

func TestCacheIsBoundedInBytes(t *testing.T) {
	t.Parallel()
	d, err := useragent.New(useragent.Options{CacheBytes: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	// Random-looking agents must neither fail nor grow the cache past its bound.
	for i := range 20_000 {
		ua := fmt.Sprintf("Mozilla/5.0 (X11; Linux x86_64; rv:%d.0) Gecko/20100101 Firefox/%d.0", i, i)
		if d.IsBot(ua) {
			t.Fatalf("a Firefox agent was classed as a bot: %s", ua)
		}
	}
	if got := d.CachedBytes(); got > 64<<10 {
		t.Fatalf("cache holds %d bytes, over its 64 KiB bound", got)
	}
	long := "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html) " + strings.Repeat("x", 1000)
	if !d.IsBot(long) {
		t.Fatal("an over-long Googlebot agent is not a bot")
	}
}

func BenchmarkIsBot(b *testing.B) {
	d, err := useragent.New(useragent.Options{})
	if err != nil {
		b.Fatal(err)
	}
	chrome := testkit.UserAgents[0].Header
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		d.IsBot(chrome)
		for b.Loop() {
			d.IsBot(chrome)
		}
	})
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			d.Parse(chrome)
		}
	})
}
