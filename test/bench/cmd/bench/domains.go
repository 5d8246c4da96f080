package main

import (
	"context"
	"fmt"
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
// stack before its apis start, so that every step of make bench and make
// bench-quick runs with three domains, as the redirect path resolves the
// Host then.
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

// registerDomains registers extraDomains in the stack's database, as
// POST /v1/domains stores them (short_domain rows, normalised hosts,
// shared), before any api starts: each reads them when it starts, so no
// step can begin before every api knows them (a POST would reach the
// other apis through the change feed, about a second later).
func registerDomains(ctx context.Context, dbURL string) error {
	stmts := make([]string, len(extraDomains))
	for i, host := range extraDomains {
		stmts[i] = fmt.Sprintf("INSERT INTO short_domain (host, created_at) VALUES ('%s', now())", host)
	}
	return execAll(ctx, dbURL, stmts...)
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
