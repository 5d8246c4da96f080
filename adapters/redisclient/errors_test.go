package redisclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/redis/rueidis"

	"github.com/shortlink/shortlink/domain"
)

func TestUnavailable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"no error", nil, false},
		{"nil reply", rueidis.Nil, false},
		{"no client-side caching support", rueidis.ErrNoCache, false},
		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, true},
		{"connection dropped", io.EOF, true},
		{"deadline", context.DeadlineExceeded, true},
		{"client closed", rueidis.ErrClosing, true},
		{"wrapped", fmt.Errorf("get: %w", io.ErrUnexpectedEOF), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Unavailable(tt.err); got != tt.want {
				t.Fatalf("Unavailable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestWrapMarksOutagesOnly(t *testing.T) {
	t.Parallel()
	if err := Wrap("get", io.EOF); !errors.Is(err, domain.ErrUnavailable) || !errors.Is(err, io.EOF) {
		t.Fatalf("Wrap(EOF) = %v, want ErrUnavailable wrapping EOF", err)
	}
	if err := Wrap("get", rueidis.ErrNoCache); errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("Wrap(ErrNoCache) = %v, must not claim an outage", err)
	}
}

func TestDialAcceptsOnlyRedisURLs(t *testing.T) {
	t.Parallel()
	for _, url := range []string{"http://127.0.0.1:6379", "redis://127.0.0.1:6379/x", "redis://127.0.0.1:6379/0?master_set=m"} {
		if client, err := Dial(url, 0, 0); err == nil {
			client.Close()
			t.Errorf("Dial(%q) succeeded, want an error", url)
		}
	}
}
