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
	targets := make(map[string]string, b.opts.links)
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	work := make(chan int)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	for range 16 {
		wg.Go(func() {
			for range work {
				target := fmt.Sprintf("https://example.com/bench/%020x", rand.Uint64())
				code, err := createLink(ctx, client, base, target)
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

func createLink(ctx context.Context, client *http.Client, base, target string) (string, error) {
	body, _ := json.Marshal(map[string]string{"url": target})
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
	client := &http.Client{
		Timeout:       5 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
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
