package memory

import (
	"context"
	"sync"
	"time"
)

// RateLimiter is an in-process ports.RateLimiter with fixed windows, for a
// single-process deployment (embedded mode) and tests.
type RateLimiter struct {
	mu      sync.Mutex
	windows map[string]rateWindow
}

type rateWindow struct {
	count int
	ends  time.Time
}

// maxRateWindows is when the limiter drops finished windows before growing.
const maxRateWindows = 100_000

// NewRateLimiter returns an empty limiter.
func NewRateLimiter() *RateLimiter {
	return &RateLimiter{windows: map[string]rateWindow{}}
}

// Allow implements ports.RateLimiter.
func (r *RateLimiter) Allow(_ context.Context, key string, limit int, window time.Duration, now time.Time) (bool, time.Duration, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	w, ok := r.windows[key]
	if !ok || !now.Before(w.ends) {
		if len(r.windows) > maxRateWindows {
			for k, old := range r.windows {
				if !now.Before(old.ends) {
					delete(r.windows, k)
				}
			}
		}
		w = rateWindow{ends: now.Add(window)}
	}
	w.count++
	r.windows[key] = w
	if w.count <= limit {
		return true, 0, nil
	}
	return false, w.ends.Sub(now), nil
}

// Exceeded implements ports.RateLimiter.
func (r *RateLimiter) Exceeded(_ context.Context, key string, limit int, _ time.Duration, now time.Time) (bool, time.Duration, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	w, ok := r.windows[key]
	if !ok || !now.Before(w.ends) || w.count < limit {
		return false, 0, nil
	}
	return true, w.ends.Sub(now), nil
}

// AllowN implements ports.BulkRateLimiter.
func (r *RateLimiter) AllowN(_ context.Context, key string, n, limit int, window time.Duration, now time.Time) (int, time.Duration, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	w, ok := r.windows[key]
	if !ok || !now.Before(w.ends) {
		w = rateWindow{ends: now.Add(window)}
	}
	before := w.count
	w.count += n
	r.windows[key] = w
	allowed := min(n, max(0, limit-before))
	if allowed == n {
		return n, 0, nil
	}
	return allowed, w.ends.Sub(now), nil
}
