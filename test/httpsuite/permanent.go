package httpsuite

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/test/testkit"
)

// AllowPermanent is a Parts.Configure for RunPermanent: MAX_TTL=never.
func AllowPermanent(cfg *config.Config) { cfg.MaxTTL = config.Lifetime(domain.Forever) }

// neverIsRefusedUnderABoundedMaxTTL: under the default MAX_TTL (365 days),
// "never" is too far, on create and on a change.
func neverIsRefusedUnderABoundedMaxTTL(t *testing.T, env Env) {
	r := Create(t, env, map[string]any{"url": "https://example.com/forever", "expires_at": "never"})
	testkit.ExpectError(t, r, http.StatusBadRequest, "expires_at_too_far", "expires_at")
	l := CreateLink(t, env, "https://example.com/bounded")
	r = Send(t, env, http.MethodPatch, "/v1/shortlink/"+l.Code, l.Token, map[string]any{"expires_at": "never"})
	testkit.ExpectError(t, r, http.StatusBadRequest, "expires_at_too_far", "expires_at")
}

// RunPermanent checks permanent links against an API configured with
// MAX_TTL=never (AllowPermanent) and otherwise the defaults of Run, with
// env.Clock as its clock.
func RunPermanent(t *testing.T, newEnv func(t *testing.T) Env) {
	t.Helper()
	t.Run("a permanent link answers expires_at null and outlives any MAX_TTL", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		l := CreateLink(t, env, "https://example.com/poster", "expires_at", "never")
		if raw, ok := MustGetInfo(t, env, l.Code, "")["expires_at"]; !ok || raw != nil {
			t.Fatalf("public info of a permanent link: expires_at = %v (present %v), want null", raw, ok)
		}
		if info := MustGetInfo(t, env, l.Code, l.Token); info["expires_at"] != nil || info["state"] != "active" {
			t.Fatalf("owner's info of a permanent link = %v", info)
		}
		if r := Get(t, env.BaseURL+"/"+l.Code+"+"); r.Status != http.StatusOK || !strings.Contains(string(r.Body), "<dt>Expires</dt><dd>never</dd>") {
			t.Fatalf("the preview of a permanent link = %d, want it to say it expires never:\n%s", r.Status, r.Body)
		}
		// Statistics reach back as far as VISIT_RETENTION keeps counters (13
		// months, plus one), not for ever.
		back := func(months int) string { return "from=" + env.now().AddDate(0, -months, 0).Format(time.RFC3339) }
		if _, r := testkit.GetStats(nil, env.BaseURL, l.Code, l.Token, back(13)); r.Status != http.StatusOK {
			t.Fatalf("stats of the last 13 months = %s", r)
		}
		_, r := testkit.GetStats(nil, env.BaseURL, l.Code, l.Token, back(20))
		testkit.ExpectError(t, r, http.StatusBadRequest, "invalid_window", "to")
		env.Clock.Advance(3 * 365 * 24 * time.Hour) // past the default MAX_TTL and any cache entry
		r = Get(t, env.BaseURL+"/"+l.Code)
		if r.Status != http.StatusFound || r.Location() != l.Target {
			t.Fatalf("a permanent link three years on = %s", r)
		}
	})
	t.Run("null and omitted expires_at keep meaning DEFAULT_TTL", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		for _, body := range []map[string]any{
			{"url": "https://example.com/default"},
			{"url": "https://example.com/default", "expires_at": nil},
		} {
			r := MustCreate(t, env, body)
			at, err := time.Parse(time.RFC3339Nano, r.Field("expires_at"))
			if err != nil || at.Sub(env.now()) > 14*24*time.Hour || at.Sub(env.now()) < 14*24*time.Hour-time.Minute {
				t.Fatalf("create %v: expires_at %q, want now + 14 days", body, r.Field("expires_at"))
			}
		}
	})
	t.Run("a change makes a live link permanent and gives a permanent one an end", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		l := CreateLink(t, env, "https://example.com/changing")
		r := Send(t, env, http.MethodPatch, "/v1/shortlink/"+l.Code, l.Token, map[string]any{"expires_at": "never"})
		if raw, ok := r.Envelope.Data["expires_at"]; r.Status != http.StatusOK || !ok || raw != nil {
			t.Fatalf("PATCH never = %s, want 200 with expires_at null", r)
		}
		end := env.now().Add(48 * time.Hour).UTC().Truncate(time.Second)
		r = Send(t, env, http.MethodPatch, "/v1/shortlink/"+l.Code, l.Token, map[string]any{"expires_at": end.Format(time.RFC3339)})
		if r.Status != http.StatusOK || !sameInstant(r.Field("expires_at"), end.Format(time.RFC3339)) {
			t.Fatalf("PATCH an end = %s, want 200 expiring %s", r, end)
		}
		r = Send(t, env, http.MethodPatch, "/v1/shortlink/"+l.Code, l.Token, map[string]any{"expires_at": "9999-12-31T00:00:00Z"})
		testkit.ExpectError(t, r, http.StatusBadRequest, "expires_at_too_far", "expires_at")
		env.Clock.Advance(49 * time.Hour)
		testkit.ExpectError(t, Get(t, env.BaseURL+"/"+l.Code), http.StatusNotFound, "not_found", "")
	})
}

// MustGetInfo reads a link's info (with bearer, when not empty) and fails
// the test unless it is 200; it returns the envelope's data.
func MustGetInfo(t testing.TB, env Env, code, bearer string) map[string]any {
	t.Helper()
	r := Send(t, env, http.MethodGet, "/v1/shortlink/"+code+"/info", bearer, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("info of %s = %s", code, r)
	}
	return r.Envelope.Data
}
