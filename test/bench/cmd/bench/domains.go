package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// publicBaseURL is the PUBLIC_BASE_URL of every api the bench starts, and
// publicHost its host: the default short domain. Every request the bench
// sends an api (wrk's -H, the Go clients' hostTransport, the load tool's
// -header) names publicHost as its Host: once a second short domain is
// registered, a Host that is no registered domain (127.0.0.1, say)
// answers 404 for every code (SPEC §14).
const (
	publicBaseURL = "https://" + publicHost
	publicHost    = "sho.rt"
)

// extraDomains are the short domains the bench registers on the main
// stack (POST /v1/domains with the admin key) before it seeds and
// measures, so that every step of make bench and make bench-quick runs
// with three domains, as the redirect path resolves the Host then.
var extraDomains = []string{"go.bench.test", "exa.bench.test"}

// hostTransport sends every request with Host publicHost.
type hostTransport struct{ base http.RoundTripper }

func (t hostTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context()) // a RoundTripper must not change the caller's request
	r.Host = publicHost
	return t.base.RoundTrip(r)
}

// apiClient is an http.Client whose requests name publicHost, with the
// transport given (nil: a copy of http.DefaultTransport's settings).
func apiClient(timeout time.Duration, tr *http.Transport) *http.Client {
	if tr == nil {
		tr = http.DefaultTransport.(*http.Transport).Clone()
	}
	return &http.Client{Timeout: timeout, Transport: hostTransport{base: tr}}
}

// registerDomains registers extraDomains through the api at base, which
// must have ADMIN_KEYS=adminKey.
func registerDomains(ctx context.Context, base string) error {
	client := apiClient(10*time.Second, nil)
	for _, host := range extraDomains {
		body, _ := json.Marshal(map[string]string{"host": host})
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/domains", bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+adminKey)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			return fmt.Errorf("POST /v1/domains %s: status %d: %s", host, resp.StatusCode, raw)
		}
	}
	return nil
}

// verifyDomains waits until every base answers code (a link on the
// default domain) with 404 for a Host that is no registered domain and
// for each extra domain, and with 302 for publicHost: each api has read
// the registered domains (its own refresh or the change feed), so the
// steps measure the redirect path of several domains.
func verifyDomains(ctx context.Context, code string, timeout time.Duration, bases ...string) error {
	client := &http.Client{
		Timeout:       5 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	status := func(base, host string) (int, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/"+code, nil)
		if err != nil {
			return 0, err
		}
		req.Host = host
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	hosts := append([]string{"127.0.0.1"}, extraDomains...)
	for _, base := range bases {
		deadline := time.Now().Add(timeout)
		for {
			wrong := ""
			for _, host := range hosts {
				s, err := status(base, host)
				if err != nil {
					return err
				}
				if s != http.StatusNotFound {
					wrong = fmt.Sprintf("GET %s/%s with Host %s: %d, want 404", base, code, host, s)
					break
				}
			}
			if wrong == "" {
				s, err := status(base, publicHost)
				if err != nil {
					return err
				}
				if s != http.StatusFound {
					return fmt.Errorf("GET %s/%s with Host %s: %d, want 302", base, code, publicHost, s)
				}
				break
			}
			if time.Now().After(deadline) || ctx.Err() != nil {
				return fmt.Errorf("the registered domains did not reach every api within %s: %s", timeout, wrong)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	return nil
}
