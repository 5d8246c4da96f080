//go:build integration

package redispool_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shortlink/shortlink/adapters/redisclient"

	"github.com/shortlink/shortlink/adapters/redispool"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// TestOutageFailsFastAndHeals takes a private Redis down under a live pool:
// every operation returns ErrUnavailable within its timeout (so creates fall
// back to the counter at once), and the same Pool works once Redis is back.
func TestOutageFailsFastAndHeals(t *testing.T) {
	t.Parallel()
	const timeout = 200 * time.Millisecond
	server := testenv.StartRedisServer(t)
	client, err := redisclient.Dial(server.URL(), timeout, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	p := testenv.NewPool(t, client, redispool.Options{Timeout: timeout})
	ctx := context.Background()
	codes := mint(t, newGenerator(t), 0, 100)
	if err := p.Add(ctx, codes[:50]); err != nil {
		t.Fatal(err)
	}

	server.Stop()
	ops := []struct {
		name string
		run  func() error
	}{
		{"Take", func() error { _, err := p.Take(ctx, 10); return err }},
		{"Add", func() error { return p.Add(ctx, codes[50:]) }},
		{"Size", func() error { _, err := p.Size(ctx); return err }},
		{"Ping", func() error { return p.Ping(ctx) }},
	}
	for _, op := range ops {
		start := time.Now()
		if err := op.run(); !errors.Is(err, domain.ErrUnavailable) {
			t.Errorf("%s during the outage: %v, want ErrUnavailable", op.name, err)
		}
		if took := time.Since(start); took > timeout+100*time.Millisecond {
			t.Errorf("%s took %v, beyond its %v timeout", op.name, took, timeout)
		}
	}

	server.Start()
	testkit.Eventually(t, time.Second, "the pool answers after Redis restarted", func() error { return p.Ping(ctx) })
	for _, op := range ops {
		if err := op.run(); err != nil {
			t.Errorf("%s after recovery: %v", op.name, err)
		}
	}
	if n := mustSize(t, p); n != 50 {
		t.Fatalf("Size after recovery = %d, want the 50 added since (the restart emptied it)", n)
	}
}
