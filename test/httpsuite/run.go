package httpsuite

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/testkit"
)

// Run checks the API's routes, the HTTP semantics of targets and codes,
// and link management against servers made by newEnv, one per subtest: the clock-free cases
// and those that move env.Clock. The API must use the default limits
// (MAX_URL_LENGTH 4096, DEFAULT_TTL 14 days, MAX_TTL 365 days), AdminKey
// as ADMIN_KEYS and env.Clock as its clock.
func Run(t *testing.T, newEnv func(t *testing.T) Env) {
	t.Helper()
	RunClockFree(t, newEnv)
	runClockCases(t, newEnv)
}

// RunClockFree checks the cases of Run that need no clock the suite can
// move, so they run against the real binaries too; newEnv may return the
// same API for every subtest (each case uses its own aliases) and an Env
// without a Clock. The API must use the default limits and AdminKey.
func RunClockFree(t *testing.T, newEnv func(t *testing.T) Env) {
	t.Helper()
	for _, c := range clockFreeCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.check(t, newEnv(t))
		})
	}
	runManagement(t, newEnv)
	runPublic(t, newEnv)
	runPages(t, newEnv)
	runChanges(t, newEnv)
	runWorkspaces(t, newEnv)
	runExport(t, newEnv)
	runForwarding(t, newEnv)
	runPasswords(t, newEnv)
	runRules(t, newEnv)
	runBulk(t, newEnv)
}

// clockFreeCases are RunClockFree's own cases, one function each.
var clockFreeCases = []struct {
	name  string
	check func(t *testing.T, env Env)
}{
	{"health is bare and touches nothing", healthIsBareAndTouchesNothing},
	{"ready answers the envelope", readyAnswersTheEnvelope},
	{"create returns the envelope and the link redirects by both routes", createReturnsTheEnvelopeAndTheLinkRedirects},
	{"redirects carry the exact target", redirectsCarryTheExactTarget},
	{"generated codes differ", generatedCodesDiffer},
	{"explicit expiry is stored in UTC", explicitExpiryIsStoredInUTC},
	{"unknown code is 404", unknownCodeIs404},
	{"invalid code is 400", invalidCodeIs400},
	{"alias is used as the code and is 409 once taken", aliasIsTheCodeAnd409OnceTaken},
	{"alias cannot shadow a live generated code", aliasCannotShadowALiveGeneratedCode},
	{"empty alias means a generated code", emptyAliasMeansAGeneratedCode},
	{"concurrent creates of one alias have one winner", concurrentCreatesOfOneAliasHaveOneWinner},
	{"validation errors are 400 with a reason and the field", validationErrorsAre400WithAReasonAndTheField},
	{"wrong content type is 415 and oversized body 413", wrongContentTypeIs415AndOversizedBody413},
	{"never is refused under a bounded MAX_TTL", neverIsRefusedUnderABoundedMaxTTL},
}

func healthIsBareAndTouchesNothing(t *testing.T, env Env) {
	r := Get(t, env.BaseURL+"/v1/health")
	if r.Status != http.StatusOK || strings.TrimSpace(string(r.Body)) != `{"status":"ok"}` {
		t.Fatalf("health = %d %s", r.Status, r.Body)
	}
}

func readyAnswersTheEnvelope(t *testing.T, env Env) {
	r := Get(t, env.BaseURL+"/v1/ready")
	if r.Status != http.StatusOK || r.Envelope.Status != http.StatusOK || r.Field("status") != "ready" {
		t.Fatalf("ready = %d %s", r.Status, r.Body)
	}
}

func createReturnsTheEnvelopeAndTheLinkRedirects(t *testing.T, env Env) {
	const day = 24 * time.Hour
	const target = "https://example.com/a?b=c#d"
	before := env.now()
	r := MustCreate(t, env, map[string]any{"url": target})
	after := env.now()
	testkit.ExpectStatus(t, r, http.StatusCreated, "")
	code := r.Field("code")
	if !generatedCode.MatchString(code) {
		t.Fatalf("code %q is not 7 base62 characters", code)
	}
	if got, want := r.Field("short_url"), env.PublicBaseURL+"/"+code; got != want {
		t.Fatalf("short_url = %q, want %q (PUBLIC_BASE_URL + / + code)", got, want)
	}
	if r.Field("url") != target {
		t.Fatalf("url = %q, want %q", r.Field("url"), target)
	}
	raw := r.Field("expires_at")
	expires, err := time.Parse(time.RFC3339Nano, raw)
	if err != nil || !strings.HasSuffix(raw, "Z") {
		t.Fatalf("expires_at %q is not RFC 3339 in UTC: %v", raw, err)
	}
	// Now + 14 days, to the microsecond, read by the API between before and after.
	if lo, hi := before.Add(14*day).Truncate(time.Microsecond), after.Add(14*day); expires.Before(lo) || expires.After(hi) {
		t.Fatalf("expires_at = %s, want now + 14 days (between %s and %s)", raw, lo, hi)
	}
	if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("JSON response lacks security headers: %v", r.Header)
	}
	testkit.ExpectRedirects(t, env.BaseURL, code, target)
}

func redirectsCarryTheExactTarget(t *testing.T, env Env) {
	// Everything but the host is kept byte for byte; the host is stored
	// as a browser would resolve it, so the checked host is the
	// one people are sent to.
	for target, location := range map[string]string{
		"https://example.com/p%20a%2Fth/%C3%BC?q=a%26b&empty=&eq=%3D&q=2#frag/ment?x=1": "",
		"http://example.com:8081/?next=https%3A%2F%2Fexample.org%2F%3Fa%3Db":            "",
		"https://EXAMPLE.com/Case/Matters/?A=B":                                         "https://example.com/Case/Matters/?A=B",
		"https://bücher.example/Ü?x=ü":                                                  "https://xn--bcher-kva.example/Ü?x=ü",
		"https://example.com/" + strings.Repeat("x", 3000):                              "",
		"https://[2001:db8::1]:8443/v6?x=%25#%2F":                                       "",
	} {
		if location == "" {
			location = target
		}
		code := MustCreate(t, env, map[string]any{"url": target}).Field("code")
		testkit.ExpectRedirects(t, env.BaseURL, code, location)
	}
}

func generatedCodesDiffer(t *testing.T, env Env) {
	seen := map[string]bool{}
	for range 20 {
		code := MustCreate(t, env, map[string]any{"url": "https://example.com"}).Field("code")
		if seen[code] {
			t.Fatalf("code %s handed out twice", code)
		}
		seen[code] = true
	}
}

func explicitExpiryIsStoredInUTC(t *testing.T, env Env) {
	in := env.now().Add(48 * time.Hour).In(time.FixedZone("", 2*3600)).Truncate(time.Second)
	r := MustCreate(t, env, map[string]any{"url": "https://example.com", "expires_at": in.Format(time.RFC3339)})
	if got := r.Field("expires_at"); got != in.UTC().Format(time.RFC3339Nano) || !strings.HasSuffix(got, "Z") {
		t.Fatalf("expires_at = %q, want %q", got, in.UTC().Format(time.RFC3339Nano))
	}
}

func unknownCodeIs404(t *testing.T, env Env) {
	for _, path := range []string{"/NoSuch1", "/v1/shortlink/NoSuch1", "/never-created-alias"} {
		testkit.ExpectError(t, Get(t, env.BaseURL+path), http.StatusNotFound, "not_found", "")
	}
}

func invalidCodeIs400(t *testing.T, env Env) {
	for _, path := range []string{"/v1/shortlink/bad_code", "/-abc", "/abc-", "/" + strings.Repeat("a", 33), "/v1/shortlink/a.b", "/a%20b"} {
		testkit.ExpectError(t, Get(t, env.BaseURL+path), http.StatusBadRequest, "invalid_code", "code")
	}
}

func aliasIsTheCodeAnd409OnceTaken(t *testing.T, env Env) {
	r := MustCreate(t, env, map[string]any{"url": "https://example.com/mine", "alias": "my-Link"})
	if r.Field("code") != "my-Link" || r.Field("short_url") != env.PublicBaseURL+"/my-Link" {
		t.Fatalf("alias create = %s", r.Body)
	}
	testkit.ExpectRedirects(t, env.BaseURL, "my-Link", "https://example.com/mine")
	testkit.ExpectError(t, Create(t, env, map[string]any{"url": "https://example.com/other", "alias": "my-Link"}), http.StatusConflict, "alias_taken", "alias")
	testkit.ExpectRedirects(t, env.BaseURL, "my-Link", "https://example.com/mine")
	// Aliases are case-sensitive.
	MustCreate(t, env, map[string]any{"url": "https://example.com/lower", "alias": "my-link"})
	testkit.ExpectRedirects(t, env.BaseURL, "my-link", "https://example.com/lower")
}

func aliasCannotShadowALiveGeneratedCode(t *testing.T, env Env) {
	code := MustCreate(t, env, map[string]any{"url": "https://example.com/generated"}).Field("code")
	testkit.ExpectError(t, Create(t, env, map[string]any{"url": "https://evil.example/", "alias": code}), http.StatusConflict, "alias_taken", "alias")
	testkit.ExpectRedirects(t, env.BaseURL, code, "https://example.com/generated")
}

func emptyAliasMeansAGeneratedCode(t *testing.T, env Env) {
	r := MustCreate(t, env, map[string]any{"url": "https://example.com", "alias": "", "unknown_field": 1})
	if !generatedCode.MatchString(r.Field("code")) {
		t.Fatalf("code = %q", r.Field("code"))
	}
}

func concurrentCreatesOfOneAliasHaveOneWinner(t *testing.T, env Env) {
	const n = 32
	replies := make([]testkit.Response, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			replies[i] = testkit.SendJSON(nil, http.MethodPost, env.BaseURL+"/v1/shortlink", map[string]any{"url": "https://example.com/race", "alias": "race"})
		})
	}
	close(start)
	wg.Wait()
	counts := map[int]int{}
	for _, r := range replies {
		if r.Err != nil {
			t.Fatalf("create: %v", r.Err)
		}
		counts[r.Status]++
		if r.Status == http.StatusConflict {
			testkit.ExpectError(t, r, http.StatusConflict, "alias_taken", "alias")
		}
	}
	if counts[http.StatusCreated] != 1 || counts[http.StatusConflict] != n-1 {
		t.Fatalf("statuses %v, want one 201 and %d 409s", counts, n-1)
	}
	testkit.ExpectRedirects(t, env.BaseURL, "race", "https://example.com/race")
}

func validationErrorsAre400WithAReasonAndTheField(t *testing.T, env Env) {
	ExpectBadCreates(t, env)
}

func wrongContentTypeIs415AndOversizedBody413(t *testing.T, env Env) {
	body := []byte(`{"url":"https://example.com"}`)
	for _, contentType := range []string{"text/plain", "", "application/x-www-form-urlencoded"} {
		testkit.ExpectError(t, testkit.Do(t, http.MethodPost, env.BaseURL+"/v1/shortlink", contentType, body), http.StatusUnsupportedMediaType, "unsupported_media_type", "")
	}
	// A JSON content type with parameters is still JSON.
	if r := testkit.Do(t, http.MethodPost, env.BaseURL+"/v1/shortlink", "application/json; charset=utf-8", body); r.Status != http.StatusCreated {
		t.Fatalf("charset parameter: %d %s", r.Status, r.Body)
	}
	// Behind nginx, nginx refuses it; in the envelope all the same.
	big := []byte(`{"url":"https://example.com","pad":"` + strings.Repeat("x", 17<<10) + `"}`)
	r := testkit.Do(t, http.MethodPost, env.BaseURL+"/v1/shortlink", "application/json", big)
	testkit.ExpectError(t, r, http.StatusRequestEntityTooLarge, "body_too_large", "")
}

// runClockCases checks the cases of Run that move env.Clock.
func runClockCases(t *testing.T, newEnv func(t *testing.T) Env) {
	t.Helper()
	t.Run("default expiry is computed per request", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		first, _ := time.Parse(time.RFC3339Nano, MustCreate(t, env, map[string]any{"url": "https://example.com"}).Field("expires_at"))
		env.Clock.Advance(time.Hour)
		second, _ := time.Parse(time.RFC3339Nano, MustCreate(t, env, map[string]any{"url": "https://example.com"}).Field("expires_at"))
		if second.Sub(first) != time.Hour {
			t.Fatalf("default expiry moved by %v across an hour", second.Sub(first))
		}
	})

	t.Run("expired link is 404 like an unknown one", func(t *testing.T) {
		t.Parallel()
		env := newEnv(t)
		expires := env.Clock.Now().Add(time.Hour).Format(time.RFC3339Nano)
		code := MustCreate(t, env, map[string]any{"url": "https://example.com/soon", "expires_at": expires}).Field("code")
		testkit.ExpectRedirects(t, env.BaseURL, code, "https://example.com/soon")
		env.Clock.Advance(time.Hour)
		for _, path := range []string{"/" + code, "/v1/shortlink/" + code, "/NoSuch1"} {
			testkit.ExpectError(t, Get(t, env.BaseURL+path), http.StatusNotFound, "not_found", "")
		}
	})

	runExpiredManagement(t, newEnv)
	runExpiredPublic(t, newEnv)
	runDomains(t, newEnv)
}

// BadCreate is a create request the API must refuse with 400, Reason and
// Field (the member at fault; "" when none is).
type BadCreate struct {
	Name          string
	Body          any
	Reason, Field string
}

// BadCreates are the validation cases of a create for an API at the
// default limits whose clock reads now.
func BadCreates(publicBaseURL string, now time.Time) []BadCreate {
	const day = 24 * time.Hour
	return []BadCreate{
		{"missing url", map[string]any{}, "missing_field", "url"},
		{"null url", map[string]any{"url": nil}, "missing_field", "url"},
		{"empty url", map[string]any{"url": ""}, "missing_field", "url"},
		{"url not a string", map[string]any{"url": 42}, "invalid_type", "url"},
		{"alias not a string", map[string]any{"url": "https://example.com", "alias": true}, "invalid_type", "alias"},
		{"relative url", map[string]any{"url": "/path"}, "invalid_url", "url"},
		{"ftp url", map[string]any{"url": "ftp://example.com/f"}, "invalid_url", "url"},
		{"javascript url", map[string]any{"url": "javascript:alert(1)"}, "invalid_url", "url"},
		{"header injection", map[string]any{"url": "https://example.com/\r\nSet-Cookie: x=y"}, "invalid_url", "url"},
		{"bad port", map[string]any{"url": "https://example.com:99999/"}, "invalid_url", "url"},
		{"too long", map[string]any{"url": "https://example.com/" + strings.Repeat("a", 4096)}, "url_too_long", "url"},
		{"own host", map[string]any{"url": publicBaseURL + "/abc"}, "own_host", "url"},
		{"own host, other spelling", map[string]any{"url": respell(publicBaseURL) + "/abc"}, "own_host", "url"},
		// A target that would read as another in a preview.
		{"user info posing as the host", map[string]any{"url": "https://www.paypal.com@evil.example/invoice"}, "userinfo_not_allowed", "url"},
		{"right-to-left override", map[string]any{"url": "https://evil.example/invoice\u202efdp.exe"}, "invisible_characters", "url"},
		{"percent-encoded zero-width space", map[string]any{"url": "https://evil.example/pay%E2%80%8Bpal"}, "invisible_characters", "url"},
		{"bad alias", map[string]any{"url": "https://example.com", "alias": "no_underscores"}, "invalid_alias", "alias"},
		{"alias too long", map[string]any{"url": "https://example.com", "alias": strings.Repeat("a", 33)}, "invalid_alias", "alias"},
		{"reserved alias", map[string]any{"url": "https://example.com", "alias": "metrics"}, "reserved_alias", "alias"},
		{"expiry without zone", map[string]any{"url": "https://example.com", "expires_at": "2030-01-01T00:00:00"}, "invalid_expires_at", "expires_at"},
		{"expiry not a string", map[string]any{"url": "https://example.com", "expires_at": 1893456000}, "invalid_type", "expires_at"},
		{"expiry in the past", map[string]any{"url": "https://example.com", "expires_at": now.Add(-time.Minute).Format(time.RFC3339)}, "expires_at_in_past", "expires_at"},
		{"expiry too far", map[string]any{"url": "https://example.com", "expires_at": now.Add(366 * day).Format(time.RFC3339)}, "expires_at_too_far", "expires_at"},
		{"array body", []string{"https://example.com"}, "invalid_json", ""},
		{"member names match exactly", map[string]any{"URL": "https://example.com"}, "missing_field", "url"},
	}
}

// respell writes the host of base as a browser still reads it the same:
// upper case, a trailing dot, the scheme's default port spelt out.
func respell(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		panic(err)
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return u.Scheme + "://" + strings.ToUpper(u.Hostname()) + ".:" + port
}

// rawBadCreates are bodies no JSON encoder would write, with the reason
// and field of the 400 they must get: ambiguity and corruption are
// refused, never resolved silently.
var rawBadCreates = []struct{ name, body, reason, field string }{
	{"not JSON", `{"url":`, "invalid_json", ""},
	{"empty body", ``, "invalid_json", ""},
	{"duplicate member", `{"url":"https://example.com/a","url":"https://evil.example/"}`, "duplicate_field", "url"},
	{"invalid UTF-8", "{\"url\":\"https://example.com/\xff\"}", "invalid_json", ""},
	{"lone surrogate", `{"url":"https://example.com/\ud800"}`, "invalid_json", "url"},
	{"trailing data", `{"url":"https://example.com"} {}`, "invalid_json", ""},
}

// ExpectBadCreates sends every BadCreate, and bodies that are not JSON,
// and expects each to be refused with 400, its reason and its field.
func ExpectBadCreates(t *testing.T, env Env) {
	t.Helper()
	for _, bad := range BadCreates(env.PublicBaseURL, env.now()) {
		t.Run(bad.Name, func(t *testing.T) {
			testkit.ExpectError(t, Create(t, env, bad.Body), http.StatusBadRequest, bad.Reason, bad.Field)
		})
	}
	for _, bad := range rawBadCreates {
		t.Run(bad.name, func(t *testing.T) {
			r := testkit.Do(t, http.MethodPost, env.BaseURL+"/v1/shortlink", "application/json", []byte(bad.body))
			testkit.ExpectError(t, r, http.StatusBadRequest, bad.reason, bad.field)
		})
	}
}
