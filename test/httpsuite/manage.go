package httpsuite

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/testkit"
)

// AdminKey is ADMIN_KEYS of every API the suite runs against: Assemble
// configures it, and binaries must be started with it.
const AdminKey = "httpsuite-admin-key-0123456789abcdef"

// linkState is a state the suite puts a link in.
type linkState string

const (
	stateActive        linkState = "active"
	stateDisabledOwner linkState = "disabled by its owner"
	stateDisabledAdmin linkState = "disabled by an admin"
	stateExpired       linkState = "expired"
	stateDeleted       linkState = "deleted"
)

// shown is the state info shows with credentials.
func (s linkState) shown() string {
	switch s {
	case stateDisabledOwner, stateDisabledAdmin:
		return "disabled"
	}
	return string(s)
}

// credential is what a management request presents.
type credential string

const (
	credNone  credential = "no credentials"
	credWrong credential = "a wrong token"
	credOther credential = "another link's token"
	credOwner credential = "the owner's token"
	credAdmin credential = "an admin key"
)

var credentials = []credential{credNone, credWrong, credOther, credOwner, credAdmin}

// action is a management request.
type action string

const (
	actInfo    action = "info"
	actDisable action = "disable"
	actEnable  action = "enable"
	actExtend  action = "extend"
	actDelete  action = "delete"
)

var actions = []action{actInfo, actDisable, actEnable, actExtend, actDelete}

// Link is a link created through the API, with its manage token.
type Link struct {
	Code, Token, Target, ShortURL, ExpiresAt string
}

// CreateLink creates a link of target (with more create fields, if any)
// and fails the test unless the API answers 201 with a manage token.
func CreateLink(t testing.TB, env Env, target string, fields ...string) Link {
	t.Helper()
	body := map[string]any{"url": target}
	for i := 0; i+1 < len(fields); i += 2 {
		body[fields[i]] = fields[i+1]
	}
	r := MustCreate(t, env, body)
	l := Link{Code: r.Field("code"), Token: r.Field("manage_token"), Target: target, ShortURL: r.Field("short_url"), ExpiresAt: r.Field("expires_at")}
	if len(l.Token) < 22 { // 128 bits in URL-safe base64
		t.Fatalf("create: manage_token %q is missing or shorter than 128 bits", l.Token)
	}
	return l
}

// Send makes a request to env with bearer as "Authorization: Bearer …"
// (none when empty) and body as JSON (none when nil; a []byte is sent as
// it is). It fails the test only on a transport error.
func Send(t testing.TB, env Env, method, path, bearer string, body any) Response {
	t.Helper()
	var (
		raw         []byte
		contentType string
	)
	switch b := body.(type) {
	case nil:
	case []byte:
		raw, contentType = b, "application/json"
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			t.Fatal(err)
		}
		contentType = "application/json"
	}
	header := http.Header{}
	if bearer != "" {
		header.Set("Authorization", "Bearer "+bearer)
	}
	r := testkit.Send(nil, method, env.BaseURL+path, contentType, raw, header)
	if r.Err != nil {
		t.Fatalf("%s %s: %v", method, path, r.Err)
	}
	return r
}

// bearerOf is what a request with c presents for l.
func bearerOf(c credential, l, other Link) string {
	switch c {
	case credWrong:
		return "not-a-token-" + testkit.RandomHex(16)
	case credOther:
		return other.Token
	case credOwner:
		return l.Token
	case credAdmin:
		return AdminKey
	}
	return ""
}

// request is the method, path and body of a on l.
func (a action) request(env Env, l Link) (method, path string, body any) {
	switch a {
	case actInfo:
		return http.MethodGet, "/v1/shortlink/" + l.Code + "/info", nil
	case actDisable:
		return http.MethodPatch, "/v1/shortlink/" + l.Code, map[string]any{"disabled": true}
	case actEnable:
		return http.MethodPatch, "/v1/shortlink/" + l.Code, map[string]any{"disabled": false}
	case actExtend:
		return http.MethodPatch, "/v1/shortlink/" + l.Code, map[string]any{"expires_at": extendTo(env)}
	}
	return http.MethodDelete, "/v1/shortlink/" + l.Code, nil
}

// extendTo is where the suite moves expiries: 30 days from now, in seconds.
func extendTo(env Env) string {
	return env.now().Add(30 * 24 * time.Hour).UTC().Truncate(time.Second).Format(time.RFC3339)
}

// answer is what a management request gets.
type answer struct {
	status int
	state  string // data.state of a 200
	reason string // data.reason of an error
}

var (
	answerNotFound     = answer{status: http.StatusNotFound, reason: "not_found"}
	answerGone         = answer{status: http.StatusGone, reason: "gone"}
	answerUnauthorized = answer{status: http.StatusUnauthorized, reason: "unauthorized"}
	answerForbidden    = answer{status: http.StatusForbidden, reason: "forbidden"}
	answerTakenDown    = answer{status: http.StatusForbidden, reason: "taken_down"}
)

// expect is the answer to a on a link in s, with c: the precedence of
// answers (unknown, or expired to those it does not belong to; no
// credentials; not granted, or taken down to its owner; then the action),
// info's public side, and the rules of the states.
func expect(s linkState, a action, c credential) answer {
	granted := c == credOwner || c == credAdmin
	if a == actInfo {
		switch {
		case c == credNone && s == stateActive:
			return answer{status: http.StatusOK, state: "active"}
		case !granted && s == stateExpired:
			return answerNotFound
		case c == credNone:
			return answerGone
		case !granted:
			return answerForbidden
		}
		return answer{status: http.StatusOK, state: s.shown()}
	}
	switch {
	case !granted && s == stateExpired: // nobody learns that an expired code existed
		return answerNotFound
	case c == credNone:
		return answerUnauthorized
	case !granted:
		return answerForbidden
	case s == stateDisabledAdmin && c == credOwner: // a takedown is the operator's
		return answerTakenDown
	case s == stateDeleted:
		return answerGone
	case a == actDelete:
		return answer{status: http.StatusNoContent}
	case s == stateExpired:
		return answer{status: http.StatusConflict, reason: "link_expired"}
	case a == actDisable:
		return answer{status: http.StatusOK, state: "disabled"}
	case a == actEnable:
		return answer{status: http.StatusOK, state: "active"}
	}
	return answer{status: http.StatusOK, state: s.shown()} // extend keeps the state
}

// next is the state of a link in s after a by c answered got.
func next(s linkState, a action, c credential, got answer) linkState {
	if got.status != http.StatusOK && got.status != http.StatusNoContent {
		return s
	}
	switch a {
	case actDisable:
		if c == credAdmin || s == stateDisabledAdmin {
			return stateDisabledAdmin
		}
		return stateDisabledOwner
	case actEnable:
		return stateActive
	case actDelete:
		return stateDeleted
	}
	return s
}

// putIn brings a new active link into s (not expired: that takes the clock).
func putIn(t testing.TB, env Env, l Link, s linkState) {
	t.Helper()
	var r Response
	switch s {
	case stateActive:
		return
	case stateDisabledOwner:
		r = Send(t, env, http.MethodPatch, "/v1/shortlink/"+l.Code, l.Token, map[string]any{"disabled": true})
	case stateDisabledAdmin:
		r = Send(t, env, http.MethodPatch, "/v1/shortlink/"+l.Code, AdminKey, map[string]any{"disabled": true})
	case stateDeleted:
		r = Send(t, env, http.MethodDelete, "/v1/shortlink/"+l.Code, l.Token, nil)
	default:
		t.Fatalf("putIn: %s needs the clock", s)
	}
	if r.Status != http.StatusOK && r.Status != http.StatusNoContent {
		t.Fatalf("putting %s in state %s: %s", l.Code, s, r)
	}
}

// checkAnswer fails the test unless r is want, with the body it must have.
func checkAnswer(t testing.TB, env Env, what string, l Link, r Response, want answer) {
	t.Helper()
	if r.Status != want.status {
		t.Fatalf("%s: %s, want %d", what, r, want.status)
	}
	switch want.status {
	case http.StatusNoContent:
		if len(r.Body) != 0 {
			t.Fatalf("%s: 204 with a body: %s", what, r.Body)
		}
		return
	case http.StatusOK:
		checkInfo(t, env, what, l, r, want.state)
		return
	case http.StatusUnauthorized:
		if got := r.Header.Get("WWW-Authenticate"); got != `Bearer realm="shortlink"` {
			t.Fatalf("%s: 401 with WWW-Authenticate %q", what, got)
		}
	}
	testkit.ExpectError(t, r, want.status, want.reason, "")
}

// checkInfo fails the test unless r is 200 with l's info in state; a
// deleted link's info has no url at all.
func checkInfo(t testing.TB, env Env, what string, l Link, r Response, state string) {
	t.Helper()
	data := r.Envelope.Data
	if r.Status != http.StatusOK || r.Envelope.Status != http.StatusOK || data["state"] != state {
		t.Fatalf("%s: %s, want 200 with state %q", what, r, state)
	}
	if data["code"] != l.Code || data["short_url"] != env.PublicBaseURL+"/"+l.Code || r.Field("created_at") == "" || r.Field("expires_at") == "" {
		t.Fatalf("%s: info lacks code, short_url, created_at or expires_at: %s", what, r.Body)
	}
	target, hasURL := data["url"]
	switch {
	case state == "deleted" && hasURL:
		t.Fatalf("%s: a deleted link's info still has its url: %s", what, r.Body)
	case state != "deleted" && target != l.Target:
		t.Fatalf("%s: info url = %v, want %q", what, target, l.Target)
	}
}

// checkState fails the test unless l is in s as an admin and the public
// see it: info's state and expiry, and the redirect's answer.
func checkState(t testing.TB, env Env, what string, l Link, s linkState, expiresAt string) {
	t.Helper()
	info := Send(t, env, http.MethodGet, "/v1/shortlink/"+l.Code+"/info", AdminKey, nil)
	checkInfo(t, env, what+": admin info", l, info, s.shown())
	if expiresAt != "" && !sameInstant(info.Field("expires_at"), expiresAt) {
		t.Fatalf("%s: expires_at = %s, want %s", what, info.Field("expires_at"), expiresAt)
	}
	r := awaitRedirect(t, env, l.Code, publicStatus(s))
	switch want := publicStatus(s); {
	case r.Status != want:
		t.Fatalf("%s: GET /%s = %s, want %d", what, l.Code, r, want)
	case want == http.StatusFound && r.Location() != l.Target:
		t.Fatalf("%s: GET /%s redirects to %q, want %q", what, l.Code, r.Location(), l.Target)
	}
}

// Settle bounds how long after a change's answer a redirect may still
// answer the old state (one Redis invalidation delay, well under a
// second). On the replica that made the change it is about a network
// delay: rueidis' in-process copy is dropped when Redis pushes the
// invalidation, which may arrive just after the change's own reply.
const Settle = time.Second

// awaitRedirect asks GET /code until it answers want, for at most
// Settle, and returns the last answer.
func awaitRedirect(t testing.TB, env Env, code string, want int) Response {
	t.Helper()
	deadline := time.Now().Add(Settle)
	for {
		r := Send(t, env, http.MethodGet, "/"+code, "", nil)
		if r.Status == want || time.Now().After(deadline) {
			return r
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// publicStatus is what a public request of a link in s answers.
func publicStatus(s linkState) int {
	switch s {
	case stateActive:
		return http.StatusFound
	case stateExpired:
		return http.StatusNotFound
	}
	return http.StatusGone
}

func sameInstant(a, b string) bool {
	ta, errA := time.Parse(time.RFC3339Nano, a)
	tb, errB := time.Parse(time.RFC3339Nano, b)
	return errA == nil && errB == nil && ta.Equal(tb)
}

// runCell sends a by c to l, in s, and checks the answer, that a HEAD of
// info answers the same, and the state the link is in afterwards.
func runCell(t *testing.T, env Env, s linkState, a action, c credential, l, other Link) {
	t.Helper()
	what := string(a) + " of a link " + string(s) + " with " + string(c)
	before := Send(t, env, http.MethodGet, "/v1/shortlink/"+l.Code+"/info", AdminKey, nil).Field("expires_at")
	method, path, body := a.request(env, l)
	bearer := bearerOf(c, l, other)
	want := expect(s, a, c)
	checkAnswer(t, env, what, l, Send(t, env, method, path, bearer, body), want)
	if a == actInfo {
		if head := Send(t, env, http.MethodHead, path, bearer, nil); head.Status != want.status || len(head.Body) != 0 {
			t.Fatalf("HEAD %s: %s, want %d without a body", what, head, want.status)
		}
	}
	expiresAt := before
	switch after := next(s, a, c, want); {
	case after == stateDeleted:
		expiresAt = "" // a deletion ends the link's life now
	case a == actExtend && want.status == http.StatusOK:
		expiresAt = body.(map[string]any)["expires_at"].(string)
	}
	checkState(t, env, what+", then", l, next(s, a, c, want), expiresAt)
}

// runManagement checks every management route with every credential on a
// link in each state but expired (runExpiredManagement has that one).
func runManagement(t *testing.T, newEnv func(t *testing.T) Env) {
	t.Helper()
	for _, s := range []linkState{stateActive, stateDisabledOwner, stateDisabledAdmin, stateDeleted} {
		t.Run("management of a link "+string(s), func(t *testing.T) {
			t.Parallel()
			env := newEnv(t)
			other := CreateLink(t, env, "https://example.com/other")
			for _, a := range actions {
				for _, c := range credentials {
					l := CreateLink(t, env, "https://example.com/managed?state="+url.QueryEscape(string(s)))
					putIn(t, env, l, s)
					runCell(t, env, s, a, c, l, other)
				}
			}
		})
	}
}

// runExpiredManagement is runManagement for expired links, made so by
// moving env's clock past their expiry, and their statistics: to anyone
// they do not belong to, expired links look unknown (404) on every route.
func runExpiredManagement(t *testing.T, newEnv func(t *testing.T) Env) {
	t.Helper()
	t.Run("management of an expired link", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		expires := env.Clock.Now().Add(time.Hour).Format(time.RFC3339Nano)
		other := CreateLink(t, env, "https://example.com/other")
		links := map[action]map[credential]Link{}
		for _, a := range actions {
			links[a] = map[credential]Link{}
			for _, c := range credentials {
				links[a][c] = CreateLink(t, env, "https://example.com/expiring", "expires_at", expires)
			}
		}
		env.Clock.Advance(time.Hour)
		for _, a := range actions {
			for _, c := range credentials {
				runCell(t, env, stateExpired, a, c, links[a][c], other)
			}
		}
		// Statistics follow the same precedence.
		l := links[actInfo][credOwner]
		for _, c := range credentials {
			_, r := testkit.GetStats(nil, env.BaseURL, l.Code, bearerOf(c, l, other), "")
			if c == credOwner || c == credAdmin {
				testkit.ExpectStatus(t, r, http.StatusOK, "")
				continue
			}
			testkit.ExpectError(t, r, http.StatusNotFound, "not_found", "")
		}
	})
}
