//go:build integration

package rediscache_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/rediscache"
	"github.com/shortlink/shortlink/test/testenv"
)

// TestDayKeyIsSharedAndEndsWithTheDay: two replicas get the same key for
// a day, another day gets another, and each expires when its day ends.
func TestDayKeyIsSharedAndEndsWithTheDay(t *testing.T) {
	t.Parallel()
	client, prefix := testenv.RedisCacheClient(t)
	opts := rediscache.Options{TTL: time.Hour, NegativeTTL: time.Second, Timeout: time.Second, KeyPrefix: prefix + "link:", VisitorKeyPrefix: prefix + "visitorkey:"}
	a, b := testenv.NewCache(t, client, opts), testenv.NewCache(t, client, opts)
	ctx := context.Background()
	now := time.Now().UTC()
	ka, err := a.DayKey(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := b.DayKey(ctx, now.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ka, kb) || len(ka) != 32 {
		t.Fatalf("replicas got different keys (%x, %x) for one day", ka, kb)
	}
	tomorrow, err := a.DayKey(ctx, now.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(ka, tomorrow) {
		t.Fatal("two days share a key")
	}
	endOfDay := now.Truncate(24 * time.Hour).Add(24 * time.Hour)
	key := opts.VisitorKeyPrefix + now.Format(time.DateOnly)
	ttl, err := client.Do(ctx, client.B().Pexpiretime().Key(key).Build()).AsInt64()
	if err != nil {
		t.Fatal(err)
	}
	if got := time.UnixMilli(ttl).UTC(); !got.Equal(endOfDay) {
		t.Fatalf("today's key expires at %s, want the end of the day, %s", got, endOfDay)
	}
	// A past day's key: set to expire at its day's end, which has passed, so Redis holds none.
	yesterday := now.Add(-24 * time.Hour)
	if _, err := a.DayKey(ctx, yesterday); err != nil {
		t.Fatal(err)
	}
	n, err := client.Do(ctx, client.B().Exists().Key(opts.VisitorKeyPrefix+yesterday.Format(time.DateOnly)).Build()).AsInt64()
	if err != nil || n != 0 {
		t.Fatalf("a past day's key is still in Redis (%d, %v)", n, err)
	}
}
