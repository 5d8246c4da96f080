//go:build integration

package integration

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// invalidationBound is how soon after a change's answer every replica must
// answer the link's new state: one notification of the store's change.
const invalidationBound = 200 * time.Millisecond

// managedLink is a link and its manage token.
type managedLink struct{ code, token, target string }

// createManaged creates a link of target on base and resolves it on every
// replica until each has it in its caches.
func createManaged(t *testing.T, base, target string, replicas ...string) managedLink {
	t.Helper()
	r := create(base, target)
	if r.Err != nil || r.Status != http.StatusCreated || r.Field("manage_token") == "" {
		t.Fatalf("create %s: %v", target, r)
	}
	l := managedLink{r.Field("code"), r.Field("manage_token"), target}
	for _, replica := range replicas {
		for range 5 {
			testkit.ExpectRedirect(t, replica+"/"+l.code, target)
		}
	}
	return l
}

// deleteLink sends a DELETE of l to base with its token.
func deleteLink(base string, l managedLink) testkit.Response {
	return testkit.Send(loadClient, http.MethodDelete, base+"/v1/shortlink/"+l.code, "", nil,
		http.Header{"Authorization": {"Bearer " + l.token}})
}

// patchLink sends a PATCH of l with body to base with its token.
func patchLink(base string, l managedLink, body any) testkit.Response {
	raw, err := json.Marshal(body)
	if err != nil {
		return testkit.Response{Err: err}
	}
	return testkit.Send(loadClient, http.MethodPatch, base+"/v1/shortlink/"+l.code, "application/json", raw,
		http.Header{"Authorization": {"Bearer " + l.token}})
}

// awaitStatus polls GET base/code until it answers want and then keeps
// answering it (a streak of 20, so that no stale copy comes back), and
// returns when that streak began. It fails the test unless the streak
// began within the given time.
func awaitStatus(t *testing.T, base, code string, want int, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	var streakAt time.Duration
	streak := 0
	var last testkit.Response
	for time.Since(start) <= within+time.Second { // the streak may end after within
		elapsed := time.Since(start)
		last = resolve(base, code)
		switch {
		case last.Err != nil || last.Status != want:
			streak = 0
		case streak == 0:
			streak, streakAt = 1, elapsed
		default:
			streak++
		}
		if streak == 20 {
			if streakAt > within {
				t.Fatalf("GET %s/%s answered %d for good only %v after polling began, want within %v", base, code, want, streakAt.Round(time.Millisecond), within)
			}
			return streakAt
		}
		if streak == 0 && elapsed > within {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("GET %s/%s = %s %v after polling began, want %d within %v", base, code, last, time.Since(start).Round(time.Millisecond), want, within)
	return 0
}

// TestChangesReachEveryReplica runs two api binaries on one Postgres and
// one cache Redis, as replicas behind the proxy. Both hold a link in their
// caches (Redis and their in-process tiers); a change answered by A
// must be what B answers within invalidationBound: a disable (410), an
// enable (302), a deletion (410), and an expiry shortened to a second from
// now (B stops redirecting by then).
func TestChangesReachEveryReplica(t *testing.T) {
	bin := testenv.BuildBinaries(t)
	s := testenv.NewStack(t, "")
	env := s.Env(baseEnv)
	a, b := testenv.StartAPI(t, bin, env).BaseURL(), testenv.StartAPI(t, bin, env).BaseURL()

	t.Run("disable, then enable", func(t *testing.T) {
		l := createManaged(t, a, "https://example.com/replicas/disable", a, b)
		for _, step := range []struct {
			disabled bool
			want     int
		}{{true, http.StatusGone}, {false, http.StatusFound}, {true, http.StatusGone}, {false, http.StatusFound}} {
			if r := patchLink(a, l, map[string]any{"disabled": step.disabled}); r.Status != http.StatusOK {
				t.Fatalf("PATCH disabled=%v on A: %s", step.disabled, r)
			}
			for name, replica := range map[string]string{"B": b, "A": a} {
				took := awaitStatus(t, replica, l.code, step.want, invalidationBound)
				t.Logf("disabled=%v on A: %s answers %d from the request sent %v after A's 200", step.disabled, name, step.want, took.Round(100*time.Microsecond))
			}
		}
	})

	t.Run("delete", func(t *testing.T) {
		l := createManaged(t, a, "https://example.com/replicas/delete", a, b)
		if r := deleteLink(a, l); r.Status != http.StatusNoContent {
			t.Fatalf("DELETE on A: %s", r)
		}
		for name, replica := range map[string]string{"B": b, "A": a} {
			took := awaitStatus(t, replica, l.code, http.StatusGone, invalidationBound)
			t.Logf("delete on A: %s answers 410 from the request sent %v after A's 204", name, took.Round(100*time.Microsecond))
		}
	})

	t.Run("expiry shortened to a second from now", func(t *testing.T) {
		l := createManaged(t, a, "https://example.com/replicas/expiry", a, b)
		expiresAt := time.Now().Add(time.Second).UTC()
		if r := patchLink(a, l, map[string]any{"expires_at": expiresAt.Format(time.RFC3339Nano)}); r.Status != http.StatusOK {
			t.Fatalf("PATCH expires_at on A: %s", r)
		}
		live, after := 0, 0
		for end := expiresAt.Add(300 * time.Millisecond); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
			for name, replica := range map[string]string{"A": a, "B": b} {
				sent := time.Now()
				r := resolve(replica, l.code)
				received := time.Now()
				switch {
				case received.Before(expiresAt) && r.Status == http.StatusFound:
					live++
				case received.Before(expiresAt):
					t.Fatalf("%s answered %s before the new expiry, want 302", name, r)
				case sent.Before(expiresAt): // answered either way, depending on when it was served
				case r.Status != http.StatusNotFound:
					t.Fatalf("%s answered %s %v after the new expiry, want 404", name, r, sent.Sub(expiresAt).Round(time.Millisecond))
				default:
					after++
				}
			}
		}
		if live == 0 || after == 0 {
			t.Fatalf("no request fell on one side of the expiry: %d before, %d after", live, after)
		}
		t.Logf("expiry shortened on A: %d redirects before it, %d answers 404 after it, on both replicas", live, after)
	})
}

// TestTakedownDuringCacheOutageReachesEveryReplica disables a link while
// the cache Redis cannot be reached (every connection cut, or the server
// frozen), on one of two replicas that both hold it in their caches. The
// PATCH answers 200: a takedown is never blocked by the cache. When the
// cache comes back, still holding the old entry, every replica answers 410
// within a second (they follow Postgres, not Redis), and the outbox in
// Postgres, drained by any replica, invalidates the entry.
func TestTakedownDuringCacheOutageReachesEveryReplica(t *testing.T) {
	bin := testenv.BuildBinaries(t)
	s := testenv.NewStack(t, "")
	cacheURL, err := url.Parse(s.Cache.URL())
	if err != nil {
		t.Fatal(err)
	}
	proxy := startProxy(t, cacheURL.Host)
	env := s.Env(baseEnv, map[string]string{"REDIS_CACHE_URL": "redis://" + proxy.Addr() + "/0"})
	a, b := testenv.StartAPI(t, bin, env).BaseURL(), testenv.StartAPI(t, bin, env).BaseURL()
	direct := redisClient(t, s.Cache) // not through the proxy

	for _, outage := range []struct {
		name         string
		start, end   func()
		readsEntries bool // the test can read the cache during the outage
	}{
		{"unreachable", proxy.Cut, proxy.Restore, true},
		{"frozen", s.Cache.Pause, s.Cache.Resume, false},
	} {
		t.Run(outage.name, func(t *testing.T) {
			l := createManaged(t, a, "https://example.com/outage/"+outage.name, a, b)
			key := cachePrefix + l.code
			cached, err := do(t, direct, direct.B().Get().Key(key).Build()).ToString()
			if err != nil {
				t.Fatalf("the cache does not hold %s before the outage: %v", l.code, err)
			}

			outage.start()
			down := time.Now()
			r := patchLink(a, l, map[string]any{"disabled": true})
			took := time.Since(down)
			if r.Status != http.StatusOK || r.Field("state") != "disabled" {
				outage.end()
				t.Fatalf("PATCH disabled with the cache %s = %s, want 200", outage.name, r)
			}
			if took > slowReply {
				t.Errorf("PATCH with the cache %s took %v", outage.name, took.Round(time.Millisecond))
			}
			during := map[string]int{}
			for time.Since(down) < 1200*time.Millisecond { // past the outbox's one-second hold-back
				for name, replica := range map[string]string{"A": a, "B": b} {
					r := resolve(replica, l.code)
					noProblem(t, "resolve during the outage", r)
					during[fmt.Sprintf("%s %d", name, r.Status)]++
				}
				time.Sleep(20 * time.Millisecond)
			}
			if outage.readsEntries {
				if now, err := do(t, direct, direct.B().Get().Key(key).Build()).ToString(); err != nil || now != cached {
					t.Fatalf("the cache entry changed during the outage (%q, %v): the test needs the old one", now, err)
				}
			}

			outage.end()
			back := time.Now()
			t.Logf("cache %s for %v: the PATCH answered 200 in %v; answers during the outage (replica status → count): %v",
				outage.name, back.Sub(down).Round(time.Millisecond), took.Round(time.Millisecond), during)
			for name, replica := range map[string]string{"A": a, "B": b} {
				// Both replicas are polled from when the cache is back: the
				// first wait counts against the second's second too.
				polled := time.Since(back)
				streak := awaitStatus(t, replica, l.code, http.StatusGone, time.Second-polled)
				t.Logf("%s answers 410 for good %v after the cache came back", name, (polled + streak).Round(time.Millisecond))
			}
			// The change's own write to Redis was lost in the outage (or
			// refused by the breaker); the outbox delivers the invalidation
			// once the change is a second old and Redis answers, within a
			// drain (250 ms) of that.
			testkit.Eventually(t, 1500*time.Millisecond, "the old entry of "+l.code+" gone from the cache", func() error {
				if v, err := do(t, direct, direct.B().Get().Key(key).Build()).ToString(); err == nil && v == cached {
					return fmt.Errorf("the cache still holds it")
				}
				return nil
			})
			t.Logf("the old entry was gone from the cache %v after it came back", time.Since(back).Round(time.Millisecond))
		})
	}
}

// TestManagementWhilePostgresIsDown stops a private Postgres under an
// in-process api: info, PATCH and DELETE answer 503 with the generic
// message, and so do the public routes of an uncached code, while those
// of the cached link answer from the cache; nothing is half applied (the
// cached link keeps redirecting, and once Postgres is back it is as it
// was), and management works again without a restart.
func TestManagementWhilePostgresIsDown(t *testing.T) {
	t.Parallel()
	pg := testenv.StartPostgresServer(t)
	api := startInProcess(t, testenv.NewStack(t, pg.Database("shortlink")))
	const target = "https://example.com/pg-down/managed"
	l := createManaged(t, api.BaseURL, target, api.BaseURL)
	auth := http.Header{"Authorization": {"Bearer " + l.token}}
	infoOf := func() testkit.Response {
		return testkit.Send(loadClient, http.MethodGet, api.BaseURL+"/v1/shortlink/"+l.code+"/info", "", nil, auth)
	}
	before := infoOf()
	if before.Status != http.StatusOK {
		t.Fatalf("info before the outage: %s", before)
	}

	pg.Stop()
	for name, r := range map[string]testkit.Response{
		"disable":               patchLink(api.BaseURL, l, map[string]any{"disabled": true}),
		"extend":                patchLink(api.BaseURL, l, map[string]any{"expires_at": time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)}),
		"delete":                deleteLink(api.BaseURL, l),
		"owner info":            infoOf(),
		"public info, uncached": testkit.Send(loadClient, http.MethodGet, api.BaseURL+"/v1/shortlink/Uncached/info", "", nil, nil),
		"qr, uncached":          testkit.Send(loadClient, http.MethodGet, api.BaseURL+"/v1/shortlink/Uncached/qr", "", nil, nil),
	} {
		noProblem(t, name+" with Postgres down", r)
		if r.Status != http.StatusServiceUnavailable {
			t.Errorf("%s with Postgres down = %s, want 503", name, r)
		}
	}
	testkit.ExpectRedirect(t, api.BaseURL+"/"+l.code, target) // the cache was not touched
	for _, public := range []string{"/v1/shortlink/" + l.code + "/info", "/v1/shortlink/" + l.code + "/qr", "/" + l.code + "+"} {
		if r := testkit.Send(loadClient, http.MethodGet, api.BaseURL+public, "", nil, nil); r.Status != http.StatusOK {
			t.Errorf("GET %s of the cached link with Postgres down = %s, want 200 from the cache", public, r)
		}
	}

	pg.Start()
	testkit.Eventually(t, 15*time.Second, "info after Postgres came back", func() error {
		r := infoOf()
		if r.Status != http.StatusOK {
			return fmt.Errorf("%s", r)
		}
		if string(r.Body) != string(before.Body) {
			t.Fatalf("the link changed across the outage:\nbefore %s\nafter  %s", before.Body, r.Body)
		}
		return nil
	})
	testkit.ExpectRedirect(t, api.BaseURL+"/"+l.code, target)
	if r := patchLink(api.BaseURL, l, map[string]any{"disabled": true}); r.Status != http.StatusOK {
		t.Fatalf("disable after Postgres came back: %s", r)
	}
	awaitStatus(t, api.BaseURL, l.code, http.StatusGone, invalidationBound)
}
