package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// bulkItems is how many links each way of the bulk comparison creates.
const bulkItems = 1000

// bulkRuns is how many times each way runs; the report shows medians.
const bulkRuns = 3

// bulkConns is the concurrent connections of the concurrent single creates.
const bulkConns = 16

// bulkResult is one run of the bulk comparison: the wall time and server
// CPU of 1,000 links created by single creates one after another, by
// single creates on bulkConns connections, and by one bulk request.
type bulkResult struct {
	sequential, concurrent, bulk          time.Duration
	cpuSequential, cpuConcurrent, cpuBulk time.Duration
}

// measureBulk compares 1,000 single creates with one bulk create of 1,000
// (SPEC §17: at least 5× faster), through nginx (started here with
// -quick, whose steps need none).
func (b *bench) measureBulk(ctx context.Context) error {
	if b.nginx == nil {
		if err := b.startNginx(ctx); err != nil {
			return err
		}
	}
	base, servers := b.nginx.url, pids(b.nginx, b.api)
	b.bulkVia = "nginx → api"
	client := apiClient(2*time.Minute, &http.Transport{MaxIdleConnsPerHost: bulkConns})
	defer client.CloseIdleConnections()
	timed := func(f func() error) (time.Duration, time.Duration, error) {
		procs := servers()
		cpu0, _ := cpuTime(procs...)
		start := time.Now()
		err := f()
		wall := time.Since(start)
		cpu1, _ := cpuTime(procs...)
		return wall, cpu1 - cpu0, err
	}
	for run := range bulkRuns {
		var r bulkResult
		var err error
		prefix := fmt.Sprintf("https://example.com/bulk-bench/%d/%d", time.Now().UnixNano(), run)
		if r.sequential, r.cpuSequential, err = timed(func() error { return singleCreates(ctx, client, base, prefix+"/s", 1) }); err != nil {
			return err
		}
		if r.concurrent, r.cpuConcurrent, err = timed(func() error { return singleCreates(ctx, client, base, prefix+"/c", bulkConns) }); err != nil {
			return err
		}
		if r.bulk, r.cpuBulk, err = timed(func() error { return bulkCreate(ctx, client, base, prefix+"/b") }); err != nil {
			return err
		}
		b.logf("bulk %d/%d: 1,000 single creates %s (on %d connections %s), one bulk of 1,000 %s: %.1f× (%.1f×)", run+1, bulkRuns,
			r.sequential.Round(time.Millisecond), bulkConns, r.concurrent.Round(time.Millisecond), r.bulk.Round(time.Millisecond),
			r.sequential.Seconds()/r.bulk.Seconds(), r.concurrent.Seconds()/r.bulk.Seconds())
		b.bulk = append(b.bulk, r)
	}
	return nil
}

// singleCreates creates bulkItems links with POST /v1/shortlink on conns
// connections, each link's 201 awaited before the connection's next.
func singleCreates(ctx context.Context, client *http.Client, base, prefix string, conns int) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	next := make(chan int)
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				body := fmt.Sprintf(`{"url":"%s/%d"}`, prefix, i)
				if err := post(ctx, client, base+"/v1/shortlink", body, http.StatusCreated); err != nil {
					mu.Lock()
					first = err
					mu.Unlock()
				}
			}
		}()
	}
	for i := range bulkItems {
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}

// bulkCreate creates bulkItems links in one POST /v1/shortlinks/bulk and
// checks that every item was created.
func bulkCreate(ctx context.Context, client *http.Client, base, prefix string) error {
	items := make([]map[string]string, bulkItems)
	for i := range items {
		items[i] = map[string]string{"url": fmt.Sprintf("%s/%d", prefix, i)}
	}
	raw, err := json.Marshal(map[string]any{"items": items})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/shortlinks/bulk", bytes.NewReader(raw))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var answer struct {
		Data struct {
			Created int `json:"created"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		return fmt.Errorf("bulk create: %d: %w", resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK || answer.Data.Created != bulkItems {
		return fmt.Errorf("bulk create: %d, %d of %d created", resp.StatusCode, answer.Data.Created, bulkItems)
	}
	return nil
}

func post(ctx context.Context, client *http.Client, url, body string, want int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader([]byte(body)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != want {
		return fmt.Errorf("POST %s: %d, want %d", url, resp.StatusCode, want)
	}
	return nil
}

// bulkReport is the report's lines on the bulk comparison.
func (b *bench) bulkReport(p func(string, ...any)) {
	if len(b.bulk) == 0 {
		return
	}
	col := func(f func(bulkResult) float64) []float64 {
		out := make([]float64, len(b.bulk))
		for i, r := range b.bulk {
			out[i] = f(r)
		}
		return out
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	p("Bulk create, through %s, %d runs: 1,000 links by single creates one after another, by single creates on %d connections, "+
		"and by one `POST /v1/shortlinks/bulk` of 1,000 items (server CPU: the api and nginx's workers):", b.bulkVia, len(b.bulk), bulkConns)
	p("")
	p("| 1,000 links | wall ms median (min–max) | server CPU ms median |")
	p("|---|---:|---:|")
	p("| single creates, sequential | %s | %.0f |", withSpread(col(func(r bulkResult) float64 { return ms(r.sequential) }), "%.0f"), median(col(func(r bulkResult) float64 { return ms(r.cpuSequential) })))
	p("| single creates, %d connections | %s | %.0f |", bulkConns, withSpread(col(func(r bulkResult) float64 { return ms(r.concurrent) }), "%.0f"), median(col(func(r bulkResult) float64 { return ms(r.cpuConcurrent) })))
	p("| one bulk request | %s | %.0f |", withSpread(col(func(r bulkResult) float64 { return ms(r.bulk) }), "%.0f"), median(col(func(r bulkResult) float64 { return ms(r.cpuBulk) })))
	p("")
	seq := median(col(func(r bulkResult) float64 { return r.sequential.Seconds() / r.bulk.Seconds() }))
	con := median(col(func(r bulkResult) float64 { return r.concurrent.Seconds() / r.bulk.Seconds() }))
	p("- bulk ratio (wall time of 1,000 single creates ÷ one bulk of 1,000): sequential %.1f× (target ≥ 5×: %s), on %d connections %.1f×; "+
		"server CPU %.1f× less than sequential", seq, passed(seq >= 5), bulkConns, con,
		median(col(func(r bulkResult) float64 { return r.cpuSequential.Seconds() / max(r.cpuBulk.Seconds(), 1e-9) })))
	p("")
}
