package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/shortlink/shortlink/test/testkit"
)

func newClient(cfg config) *http.Client {
	tr := &http.Transport{
		Proxy:               nil, // never send load through an HTTP_PROXY
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        cfg.Profile.VUs + 16,
		MaxIdleConnsPerHost: cfg.Profile.VUs + 16,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   cfg.Timeout,
		// A redirect is the answer under test: never follow it.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// link is a created short link.
type link struct {
	Code string
	URL  string
}

func randomURL() string {
	return "https://example.com/load/" + testkit.RandomHex(12) + "?src=shortlink-load"
}

type createResponse struct {
	Status int `json:"status"`
	Data   struct {
		Code     string `json:"code"`
		ShortURL string `json:"short_url"`
		URL      string `json:"url"`
		Error    string `json:"error"`
	} `json:"data"`
}

// create sends one POST /v1/shortlink and checks the answer.
func create(ctx context.Context, c *http.Client, cfg config) (outcome, link) {
	target := randomURL()
	body, err := json.Marshal(map[string]string{"url": target})
	if err != nil {
		return outcome{failure: "marshal: " + err.Error()}, link{}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.Target+"/v1/shortlink", bytes.NewReader(body))
	if err != nil {
		return outcome{failure: "request: " + err.Error()}, link{}
	}
	setHeaders(req, cfg)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")

	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return outcome{latency: time.Since(start), failure: transportFailure(err)}, link{}
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	o := outcome{latency: time.Since(start), status: resp.StatusCode}
	if err != nil {
		o.failure = "read body: " + transportFailure(err)
		return o, link{}
	}
	if resp.StatusCode != http.StatusCreated {
		o.failure = fmt.Sprintf("status %d (want 201)", resp.StatusCode)
		return o, link{}
	}
	var cr createResponse
	switch {
	case json.Unmarshal(raw, &cr) != nil:
		o.failure = "check: body is not JSON"
	case cr.Status != http.StatusCreated:
		o.failure = "check: envelope status is not 201"
	case cr.Data.Code == "":
		o.failure = "check: no data.code"
	case !strings.HasSuffix(cr.Data.ShortURL, "/"+cr.Data.Code):
		o.failure = "check: data.short_url does not end with /code"
	case cr.Data.URL != target:
		o.failure = "check: data.url differs from the sent url"
	}
	if o.failure != "" {
		return o, link{}
	}
	return o, link{Code: cr.Data.Code, URL: target}
}

// redirect sends one GET /{code} and checks for a 302 to the stored URL.
func redirect(ctx context.Context, c *http.Client, cfg config, l link) outcome {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, cfg.Target+"/"+l.Code, nil)
	if err != nil {
		return outcome{failure: "request: " + err.Error()}
	}
	setHeaders(req, cfg)
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return outcome{latency: time.Since(start), failure: transportFailure(err)}
	}
	_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	o := outcome{latency: time.Since(start), status: resp.StatusCode}
	switch {
	case err != nil:
		o.failure = "read body: " + transportFailure(err)
	case resp.StatusCode != http.StatusFound:
		o.failure = fmt.Sprintf("status %d (want 302)", resp.StatusCode)
	case resp.Header.Get("Location") != l.URL:
		o.failure = "check: Location differs from the created url"
	}
	return o
}

// setHeaders adds the -header flags to req. A "Host" one becomes the
// request's Host (net/http ignores Host in Header): with several short
// domains the service resolves a code on the Host, and a target such as
// http://127.0.0.1:8080 is then no registered domain.
func setHeaders(req *http.Request, cfg config) {
	for k, v := range cfg.Headers {
		if k == "Host" {
			if len(v) > 0 {
				req.Host = v[0]
			}
			continue
		}
		req.Header[k] = v
	}
}

// transportFailure shortens a transport error to a groupable reason.
func transportFailure(err error) string {
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed early"
	}
	return "transport: " + err.Error()
}

// seed creates n links for the redirect scenario, 10 at a time.
func seed(ctx context.Context, c *http.Client, cfg config, n int) ([]link, error) {
	var (
		mu    sync.Mutex
		links = make([]link, 0, n)
		first string
		wg    sync.WaitGroup
		next  = make(chan struct{})
	)
	for range min(10, n) {
		wg.Go(func() {
			for range next {
				o, l := create(ctx, c, cfg)
				mu.Lock()
				if o.failure == "" {
					links = append(links, l)
				} else if first == "" {
					first = o.failure
				}
				mu.Unlock()
			}
		})
	}
	for range n {
		next <- struct{}{}
	}
	close(next)
	wg.Wait()
	if len(links) < n {
		return links, fmt.Errorf("seeding: %d of %d creates failed, first: %s", n-len(links), n, first)
	}
	return links, nil
}
