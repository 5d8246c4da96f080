package testkit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// Response is one answer of the API, or the transport error in its place.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// Err is the transport error, when there was no complete answer.
	Err error
	// Envelope is the decoded JSON envelope, when the body is one.
	Envelope struct {
		Status int            `json:"status"`
		Data   map[string]any `json:"data"`
	}
	envelopeErr error // a JSON body that is not the envelope
}

// ErrorMessage is data.error of an error envelope.
func (r Response) ErrorMessage() string { return r.Field("error") }

// Reason is data.reason of an error envelope.
func (r Response) Reason() string { return r.Field("reason") }

// Field is data.<name> of the envelope, as a string.
func (r Response) Field(name string) string { s, _ := r.Envelope.Data[name].(string); return s }

// Location is the Location header of a redirect.
func (r Response) Location() string { return r.Header.Get("Location") }

func (r Response) String() string {
	if r.Err != nil {
		return "transport error: " + r.Err.Error()
	}
	return fmt.Sprintf("%d %s", r.Status, bytes.TrimSpace(r.Body))
}

// Client never follows a redirect (a redirect is the answer under test)
// and gives up on a request after 10 s. Parallel tests share it, so none
// may call its CloseIdleConnections: that also breaks another test's
// answer in flight (the transport parks a connection before it hands the
// answer over). CloseConnectionsTo closes one server's connections.
var Client = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Transport: &http.Transport{
		Proxy:               nil, // tests talk to loopback servers, never through HTTP_PROXY
		DialContext:         clientConns.dial,
		MaxIdleConnsPerHost: 64,
	},
}

var clientConns = connSet{dialer: net.Dialer{Timeout: 2 * time.Second}, open: map[*trackedConn]struct{}{}}

// CloseConnectionsTo closes every connection Client holds to addr (host:port),
// idle or not. A test server's cleanup calls it once its tests are done, so
// its Shutdown need not wait for connections Client dialed and never used.
func CloseConnectionsTo(addr string) {
	clientConns.mu.Lock()
	var closing []*trackedConn
	for c := range clientConns.open {
		if c.addr == addr {
			closing = append(closing, c)
		}
	}
	clientConns.mu.Unlock()
	for _, c := range closing {
		_ = c.Close()
	}
}

// connSet remembers Client's open connections by the address they were dialed to.
type connSet struct {
	dialer net.Dialer
	mu     sync.Mutex
	open   map[*trackedConn]struct{}
}

func (s *connSet) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	conn, err := s.dialer.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	c := &trackedConn{Conn: conn, addr: addr, set: s}
	s.mu.Lock()
	s.open[c] = struct{}{}
	s.mu.Unlock()
	return c, nil
}

type trackedConn struct {
	net.Conn
	addr string
	set  *connSet
}

func (c *trackedConn) Close() error {
	c.set.mu.Lock()
	delete(c.set.open, c)
	c.set.mu.Unlock()
	return c.Conn.Close()
}

// Send makes one request with client (nil: Client) and never fails the
// test, so goroutines and load loops may call it. Header may be nil; a
// non-empty contentType is set as Content-Type.
func Send(client *http.Client, method, url, contentType string, body []byte, header http.Header) Response {
	if client == nil {
		client = Client
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return Response{Err: err}
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if host := req.Header.Get("Host"); host != "" { // the client sends req.Host, never a Host header
		req.Host = host
		req.Header.Del("Host")
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := client.Do(req)
	if err != nil {
		return Response{Err: err}
	}
	defer resp.Body.Close()
	r := Response{Status: resp.StatusCode, Header: resp.Header}
	if r.Body, r.Err = io.ReadAll(resp.Body); r.Err != nil {
		return r
	}
	// Every JSON body is the envelope, but /v1/health's, kept bare for compatibility.
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") && !strings.HasSuffix(req.URL.Path, "/v1/health") {
		r.envelopeErr = json.Unmarshal(r.Body, &r.Envelope)
	}
	return r
}

// SendJSON sends body marshalled as JSON.
func SendJSON(client *http.Client, method, url string, body any) Response {
	raw, err := json.Marshal(body)
	if err != nil {
		return Response{Err: err}
	}
	return Send(client, method, url, "application/json", raw, nil)
}

// Do sends one request with Client and fails the test on a transport error
// or on a JSON body that is not the envelope.
func Do(t testing.TB, method, url, contentType string, body []byte) Response {
	t.Helper()
	r := Send(nil, method, url, contentType, body, nil)
	if r.Err != nil {
		t.Fatalf("%s %s: %v", method, url, r.Err)
	}
	if r.envelopeErr != nil {
		t.Fatalf("%s %s: body is not the JSON envelope: %v: %s", method, url, r.envelopeErr, r.Body)
	}
	return r
}

// Get sends a GET without following redirects; see Do.
func Get(t testing.TB, url string) Response {
	t.Helper()
	return Do(t, http.MethodGet, url, "", nil)
}
