package httpsuite

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/testkit"
)

// runChanges checks the rules of changes beyond the matrix: bad bodies
// change nothing, deletion erases the target and keeps the code, a
// takedown binds the owner, and concurrent changes apply in one serial
// order.
func runChanges(t *testing.T, newEnv func(t *testing.T) Env) {
	t.Helper()
	t.Run("a bad change is 400 with its reason and field, and changes nothing", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		l := CreateLink(t, env, "https://example.com/bad-patch")
		path := "/v1/shortlink/" + l.Code
		now := env.now()
		past := now.Add(-time.Minute).UTC().Format(time.RFC3339)
		tooFar := now.Add(366 * 24 * time.Hour).UTC().Format(time.RFC3339)
		for _, bad := range []struct {
			name, body, reason, field string
		}{
			{"malformed JSON", `{"disabled":`, "invalid_json", ""},
			{"trailing data", `{"disabled":true} {}`, "invalid_json", ""},
			{"not an object", `[{"disabled":true}]`, "invalid_json", ""},
			{"nothing to change", `{}`, "missing_field", ""},
			{"nulls only", `{"disabled":null,"expires_at":null}`, "missing_field", ""},
			{"a state", `{"state":"disabled"}`, "read_only_field", "state"},
			{"an unknown state", `{"state":"paused"}`, "read_only_field", "state"},
			{"the target", `{"disabled":false,"url":"https://evil.example/"}`, "read_only_field", "url"},
			{"an unknown field", `{"disabled":true,"reason":"spam"}`, "unknown_field", "reason"},
			{"a field in other case", `{"Disabled":true}`, "unknown_field", "Disabled"},
			{"disabled as a string", `{"disabled":"true"}`, "invalid_type", "disabled"},
			{"disabled as a number", `{"disabled":1}`, "invalid_type", "disabled"},
			{"disabled twice", `{"disabled":true,"disabled":false}`, "duplicate_field", "disabled"},
			{"expires_at as a number", `{"expires_at":1893456000}`, "invalid_type", "expires_at"},
			{"expires_at not a time", `{"expires_at":"tomorrow"}`, "invalid_expires_at", "expires_at"},
			{"expires_at without a zone", `{"expires_at":"2030-01-02T15:04:05"}`, "invalid_expires_at", "expires_at"},
			{"expires_at in the past", `{"expires_at":"` + past + `"}`, "expires_at_in_past", "expires_at"},
			{"expires_at past MAX_TTL", `{"expires_at":"` + tooFar + `"}`, "expires_at_too_far", "expires_at"},
			{"a good disable with a bad expiry", `{"disabled":true,"expires_at":"` + past + `"}`, "expires_at_in_past", "expires_at"},
			{"invalid UTF-8", "{\"disabled\":true,\"x\":\"\xff\"}", "invalid_json", ""},
		} {
			t.Run(bad.name, func(t *testing.T) {
				testkit.ExpectError(t, Send(t, env, http.MethodPatch, path, l.Token, []byte(bad.body)), http.StatusBadRequest, bad.reason, bad.field)
			})
		}
		// The body is read only once the credentials grant the link.
		testkit.ExpectError(t, Send(t, env, http.MethodPatch, path, "", []byte(`{"disabled":`)), http.StatusUnauthorized, "unauthorized", "")
		testkit.ExpectError(t, Send(t, env, http.MethodPatch, path, "wrong-token-0123456789", []byte(`{"disabled":`)), http.StatusForbidden, "forbidden", "")
		testkit.ExpectError(t, Send(t, env, http.MethodPatch, "/v1/shortlink/NoSuch1", AdminKey, []byte(`{"disabled":`)), http.StatusNotFound, "not_found", "")
		testkit.ExpectError(t, Send(t, env, http.MethodPatch, "/v1/shortlink/bad_code", AdminKey, []byte(`{"disabled":`)), http.StatusBadRequest, "invalid_code", "code")
		header := http.Header{"Authorization": {"Bearer " + l.Token}}
		r := testkit.Send(nil, http.MethodPatch, env.BaseURL+path, "text/plain", []byte(`{"disabled":true}`), header)
		testkit.ExpectError(t, r, http.StatusUnsupportedMediaType, "unsupported_media_type", "")
		r = testkit.Send(nil, http.MethodPatch, env.BaseURL+path, "application/json",
			[]byte(`{"disabled":true,"pad":"`+strings.Repeat("x", 17<<10)+`"}`), header)
		testkit.ExpectError(t, r, http.StatusRequestEntityTooLarge, "body_too_large", "")
		checkState(t, env, "after the bad changes", l, stateActive, l.ExpiresAt)
	})

	t.Run("a change of both fields applies both", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		l := CreateLink(t, env, "https://example.com/both")
		to := extendTo(env)
		r := Send(t, env, http.MethodPatch, "/v1/shortlink/"+l.Code, l.Token, map[string]any{"disabled": true, "expires_at": to})
		checkInfo(t, env, "disable and extend", l, r, "disabled")
		checkState(t, env, "after disable and extend", l, stateDisabledOwner, to)
	})

	t.Run("delete erases the target, for good, and keeps the code", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		alias := "erased-" + testkit.RandomHex(4)
		l := CreateLink(t, env, "https://example.com/private?token=s3cr3t-"+alias, "alias", alias)
		checkAnswer(t, env, "delete", l, Send(t, env, http.MethodDelete, "/v1/shortlink/"+alias, l.Token, nil), answer{status: http.StatusNoContent})
		for _, bearer := range []string{l.Token, AdminKey} {
			r := Send(t, env, http.MethodGet, "/v1/shortlink/"+alias+"/info", bearer, nil)
			checkInfo(t, env, "info of a deleted link", l, r, "deleted")
			if strings.Contains(string(r.Body), "s3cr3t") {
				t.Fatalf("a deleted link's info still shows its target: %s", r.Body)
			}
		}
		for _, bearer := range []string{l.Token, AdminKey} {
			testkit.ExpectError(t, Send(t, env, http.MethodDelete, "/v1/shortlink/"+alias, bearer, nil), http.StatusGone, "gone", "")
			testkit.ExpectError(t, Send(t, env, http.MethodPatch, "/v1/shortlink/"+alias, bearer, map[string]any{"disabled": false}), http.StatusGone, "gone", "")
		}
		checkPublic(t, env, l, stateDeleted)
		// The code stays claimed: nobody can point the old short URL elsewhere.
		testkit.ExpectError(t, Create(t, env, map[string]any{"url": "https://evil.example/", "alias": alias}), http.StatusConflict, "alias_taken", "alias")
		checkPublic(t, env, l, stateDeleted)
	})

	t.Run("a disabled link's alias cannot be claimed", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		alias := "disabled-" + testkit.RandomHex(4)
		l := CreateLink(t, env, "https://example.com/disabled-alias", "alias", alias)
		putIn(t, env, l, stateDisabledOwner)
		testkit.ExpectError(t, Create(t, env, map[string]any{"url": "https://evil.example/", "alias": alias}), http.StatusConflict, "alias_taken", "alias")
		checkState(t, env, "after the claim", l, stateDisabledOwner, l.ExpiresAt)
	})

	t.Run("a takedown binds the owner and keeps the target", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		l := CreateLink(t, env, "https://example.com/takedown?evidence=1")
		path := "/v1/shortlink/" + l.Code
		putIn(t, env, l, stateDisabledAdmin)
		for name, body := range map[string]any{
			"enable":  map[string]any{"disabled": false},
			"disable": map[string]any{"disabled": true},
			"shorten": map[string]any{"expires_at": env.now().Add(time.Minute).UTC().Format(time.RFC3339)},
			"extend":  map[string]any{"expires_at": extendTo(env)},
			"a bad body, read only once the owner may change the link": []byte(`{"disabled":`),
		} {
			r := Send(t, env, http.MethodPatch, path, l.Token, body)
			if r.Status != http.StatusForbidden || r.Reason() != "taken_down" {
				t.Errorf("owner's %s of a taken-down link: %s, want 403 taken_down", name, r)
			}
		}
		testkit.ExpectError(t, Send(t, env, http.MethodDelete, path, l.Token, nil), http.StatusForbidden, "taken_down", "")
		// Nothing changed: the operator's record keeps the target and expiry.
		checkState(t, env, "after the owner's attempts", l, stateDisabledAdmin, l.ExpiresAt)
		checkPublic(t, env, l, stateDisabledAdmin)
		checkInfo(t, env, "owner's info of a taken-down link", l, Send(t, env, http.MethodGet, path+"/info", l.Token, nil), "disabled")
		checkInfo(t, env, "admin's enable", l, Send(t, env, http.MethodPatch, path, AdminKey, map[string]any{"disabled": false}), "active")
		checkPublic(t, env, l, stateActive)
		// Enabled again, the link is the owner's to disable and enable.
		checkInfo(t, env, "owner's disable", l, Send(t, env, http.MethodPatch, path, l.Token, map[string]any{"disabled": true}), "disabled")
		checkInfo(t, env, "owner's enable", l, Send(t, env, http.MethodPatch, path, l.Token, map[string]any{"disabled": false}), "active")
		// Taken down again, only an admin deletes it (and its target with it).
		putIn(t, env, l, stateDisabledAdmin)
		testkit.ExpectError(t, Send(t, env, http.MethodDelete, path, l.Token, nil), http.StatusForbidden, "taken_down", "")
		checkAnswer(t, env, "admin's delete of a taken-down link", l, Send(t, env, http.MethodDelete, path, AdminKey, nil), answer{status: http.StatusNoContent})
		checkState(t, env, "after the admin's delete", l, stateDeleted, "")
	})

	t.Run("concurrent changes apply in one serial order", func(t *testing.T) {
		t.Parallel()
		checkConcurrentChanges(t, newEnv(t))
	})
}

// change is one request of the concurrent changes and what it got.
type change struct {
	op         string
	start, end time.Time
	r          testkit.Response
}

// checkConcurrentChanges has 32 clients disable, enable and delete one
// link at once. The answers must fit one serial order: exactly one DELETE
// is 204; every PATCH answered 200 shows the state it asked for and began
// before that 204 arrived; every request begun after the 204 arrived is
// 410, and no 410 ended before the winning DELETE began.
func checkConcurrentChanges(t *testing.T, env Env) {
	t.Helper()
	const clients, rounds = 32, 6
	l := CreateLink(t, env, "https://example.com/contended")
	path := env.BaseURL + "/v1/shortlink/" + l.Code
	header := http.Header{"Authorization": {"Bearer " + l.Token}}
	changes := make([][]change, clients)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for w := range clients {
		wg.Go(func() {
			<-start
			for i := range rounds {
				c := change{op: "disable", start: time.Now()}
				switch {
				case w%8 == 7 && i == rounds/2:
					c.op = "delete"
					c.r = testkit.Send(nil, http.MethodDelete, path, "", nil, header)
				case (w+i)%2 == 1:
					c.op = "enable"
					c.r = testkit.Send(nil, http.MethodPatch, path, "application/json", []byte(`{"disabled":false}`), header)
				default:
					c.r = testkit.Send(nil, http.MethodPatch, path, "application/json", []byte(`{"disabled":true}`), header)
				}
				c.end = time.Now()
				changes[w] = append(changes[w], c)
			}
		})
	}
	close(start)
	wg.Wait()

	var all []change
	var won *change
	for _, cs := range changes {
		for i := range cs {
			c := &cs[i]
			all = append(all, *c)
			if c.r.Err != nil {
				t.Fatalf("%s: %v", c.op, c.r.Err)
			}
			if c.op == "delete" && c.r.Status == http.StatusNoContent {
				if won != nil {
					t.Fatalf("two DELETEs answered 204")
				}
				won = c
			}
		}
	}
	if won == nil {
		t.Fatalf("no DELETE answered 204")
	}
	counts := map[string]int{}
	for _, c := range all {
		counts[fmt.Sprintf("%s %d", c.op, c.r.Status)]++
		want := map[string]string{"disable": "disabled", "enable": "active"}[c.op]
		switch {
		case c.r.Status == http.StatusNoContent && c.op == "delete":
		case c.r.Status == http.StatusOK && want != "" && c.r.Field("state") == want:
			if !c.start.Before(won.end) {
				t.Errorf("%s answered 200 although it began after the DELETE's 204 arrived", c.op)
			}
		case c.r.Status == http.StatusGone:
			if c.r.Reason() != "gone" {
				t.Errorf("%s: 410 with reason %q, want gone", c.op, c.r.Reason())
			}
			if c.end.Before(won.start) {
				t.Errorf("%s answered 410 before the winning DELETE began", c.op)
			}
		default:
			t.Errorf("%s: %s; want 200 with state %q, or 410", c.op, c.r, want)
		}
		if c.start.After(won.end) && c.r.Status != http.StatusGone {
			t.Errorf("%s began after the DELETE's 204 arrived and got %d, want 410", c.op, c.r.Status)
		}
	}
	t.Logf("%d concurrent changes: %v", len(all), counts)
	checkPublic(t, env, l, stateDeleted)
	checkInfo(t, env, "owner's info after the race", l, Send(t, env, http.MethodGet, "/v1/shortlink/"+l.Code+"/info", l.Token, nil), "deleted")
}
