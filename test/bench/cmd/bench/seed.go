package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// seed creates the redirect steps' links through the api and writes their
// codes to a file for the Lua script. It returns target URL by code.
func (b *bench) seed(ctx context.Context) (map[string]string, error) {
	targets, file, err := b.seedThrough(ctx, b.api.url, "codes.txt")
	b.codes = file
	return targets, err
}

// seedThrough creates -links links through the api at base and writes
// their codes to file (in the work directory), one a line.
func (b *bench) seedThrough(ctx context.Context, base, file string) (map[string]string, string, error) {
	return b.seedLinks(ctx, base, file, false)
}

// benchRules are the three redirect rules of step 2R's links: by OS, by
// OS and device, by language (the user-agent parse visit counting makes
// anyway, and Accept-Language; no country, whose lookup visit counting
// makes only with VISIT_DIMENSIONS).
var benchRules = []map[string]any{
	{"when": map[string]any{"os": []string{"ios"}}, "url": "https://apps.apple.com/app/id1"},
	{"when": map[string]any{"os": []string{"android"}, "device": []string{"mobile", "tablet"}}, "url": "https://play.google.com/store/apps/details?id=x"},
	{"when": map[string]any{"language": []string{"fr"}}, "url": "https://example.com/fr"},
}

// seedRules creates -links links with benchRules through the api (step
// 2R) and returns the file of their codes.
func (b *bench) seedRules(ctx context.Context) (string, error) {
	_, file, err := b.seedLinks(ctx, b.api.url, "codes-rules.txt", true)
	return file, err
}

// seedLinks creates -links links through the api at base, with
// benchRules when rules, and writes their codes to file.
func (b *bench) seedLinks(ctx context.Context, base, file string, rules bool) (map[string]string, string, error) {
	targets := make(map[string]string, b.opts.links)
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	work := make(chan int)
	client := apiClient(10*time.Second, &http.Transport{MaxIdleConnsPerHost: 16})
	for range 16 {
		wg.Go(func() {
			for range work {
				target := fmt.Sprintf("https://example.com/bench/%020x", rand.Uint64())
				body := map[string]any{"url": target}
				if rules {
					body["rules"] = benchRules
				}
				code, err := createLinkWith(ctx, client, base, body)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				if err == nil {
					targets[code] = target
				}
				mu.Unlock()
			}
		})
	}
	for i := range b.opts.links {
		work <- i
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return nil, "", fmt.Errorf("seed: %w", firstErr)
	}
	var codes strings.Builder
	for code := range targets {
		codes.WriteString(code + "\n")
	}
	path := filepath.Join(b.dir, file)
	return targets, path, os.WriteFile(path, []byte(codes.String()), 0o644)
}

func createLinkWith(ctx context.Context, client *http.Client, base string, fields map[string]any) (string, error) {
	body, _ := json.Marshal(fields)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/shortlink", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("POST /v1/shortlink: status %d: %s", resp.StatusCode, raw)
	}
	var env struct {
		Data struct {
			Code string `json:"code"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &env); err != nil || env.Data.Code == "" {
		return "", fmt.Errorf("POST /v1/shortlink: no data.code in %s", raw)
	}
	return env.Data.Code, nil
}

// verifyRedirects checks, before any load, that each base answers a sample
// of the seeded codes with 302 and the right Location: wrk counts a 200 or
// a wrong target as a success.
func verifyRedirects(ctx context.Context, targets map[string]string, bases ...string) error {
	client := apiClient(5*time.Second, nil)
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	n := 0
	for code, target := range targets {
		if n++; n > 20 {
			break
		}
		for _, base := range bases {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/"+code, nil)
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != target {
				return fmt.Errorf("GET %s/%s: %d Location %q, want 302 %q", base, code, resp.StatusCode, resp.Header.Get("Location"), target)
			}
		}
	}
	return nil
}
