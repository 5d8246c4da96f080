package testkit

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// ExpectStatus fails the test unless r has status, in the HTTP status line
// and in the envelope, and (when errorContains is not empty) an error
// message containing errorContains.
func ExpectStatus(t testing.TB, r Response, status int, errorContains string) {
	t.Helper()
	if r.Err != nil || r.Status != status || r.Envelope.Status != status {
		t.Fatalf("status = %d (envelope %d), want %d; %s", r.Status, r.Envelope.Status, status, r)
	}
	if errorContains != "" && !strings.Contains(r.ErrorMessage(), errorContains) {
		t.Fatalf("error = %q, want it to contain %q", r.ErrorMessage(), errorContains)
	}
}

// ExpectError fails the test unless r is an error answer with status (in
// the status line and in the envelope, with a JSON content type), reason,
// and field as the request field at fault ("" when the answer must name
// none). Its message must read as a sentence: not empty, and not starting
// with a "field:" prefix, since the field is a member of its own.
func ExpectError(t testing.TB, r Response, status int, reason, field string) {
	t.Helper()
	if r.Err != nil || r.Status != status || r.Envelope.Status != status {
		t.Fatalf("status = %d (envelope %d), want %d with reason %q; %s", r.Status, r.Envelope.Status, status, reason, r)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%d answered with Content-Type %q, want JSON; %s", status, ct, r)
	}
	if got := r.Reason(); got != reason {
		t.Fatalf("reason = %q, want %q; %s", got, reason, r)
	}
	if got, named := r.Envelope.Data["field"]; got != field && (named || field != "") {
		t.Fatalf("field = %v, want %q; %s", got, field, r)
	}
	msg := r.ErrorMessage()
	if msg == "" || (field != "" && strings.HasPrefix(msg, field+":")) {
		t.Fatalf("error = %q, want a message for people that does not start %q; %s", msg, field+":", r)
	}
}

// ExpectRedirect fails the test unless a GET of url answers 302 to location.
func ExpectRedirect(t testing.TB, url, location string) {
	t.Helper()
	if r := Send(nil, http.MethodGet, url, "", nil, nil); r.Err != nil || r.Status != http.StatusFound || r.Location() != location {
		t.Fatalf("GET %s = %s, Location %q; want 302 to %q", url, r, r.Location(), location)
	}
}

// ExpectRedirects checks that both redirect routes of code, /{code} and
// /v1/shortlink/{code}, answer 302 to location.
func ExpectRedirects(t testing.TB, baseURL, code, location string) {
	t.Helper()
	for _, path := range []string{"/v1/shortlink/" + code, "/" + code} {
		ExpectRedirect(t, baseURL+path, location)
	}
}

// Metric reads one unlabelled sample from the /metrics of the API at baseURL.
func Metric(t testing.TB, baseURL, name string) float64 {
	t.Helper()
	r := Send(nil, http.MethodGet, baseURL+"/metrics", "", nil, nil)
	if r.Err != nil || r.Status != http.StatusOK {
		t.Fatalf("GET %s/metrics: %s", baseURL, r)
	}
	value, ok := ParseMetrics(bytes.NewReader(r.Body))[name]
	if !ok {
		t.Fatalf("/metrics has no sample %s", name)
	}
	v, err := strconv.ParseFloat(value, 64)
	if err != nil {
		t.Fatalf("metric %s = %q: %v", name, value, err)
	}
	return v
}

// Scrape reads the /metrics of the API at baseURL as series → value; nil
// when it does not answer.
func Scrape(ctx context.Context, baseURL string) map[string]string {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/metrics", nil)
	if err != nil {
		return nil
	}
	resp, err := Client.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	return ParseMetrics(resp.Body)
}

// ParseMetrics reads the Prometheus text format as series → value, the
// series with its labels as written (`name{label="v"}`), comments skipped.
func ParseMetrics(r io.Reader) map[string]string {
	series := map[string]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		if i := strings.LastIndexByte(line, ' '); i > 0 {
			series[line[:i]] = line[i+1:]
		}
	}
	return series
}
