//go:build e2e

package e2e

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testkit"
)

// testShutdown checks the graceful stop on a second api (same database
// and Redis servers): requests in flight at SIGTERM finish with their normal
// answer, later ones are refused at connect, none gets a 5xx or a broken
// response, and the process exits 0 within SHUTDOWN_TIMEOUT.
func testShutdown(t *testing.T, s *stack) {
	port := testkit.FreePort(t)
	p := s.startAPI(t, port)
	addr := fmt.Sprintf("127.0.0.1:%d", port)

	// Slow creates: headers and half the body before SIGTERM, the rest after.
	const slow = 20
	release := make(chan struct{})
	var sent sync.WaitGroup
	sent.Add(slow)
	slowResults := make([]testkit.Response, slow)
	var wg sync.WaitGroup
	for i := range slow {
		wg.Go(func() {
			slowResults[i] = slowCreate(addr, fmt.Sprintf("https://example.com/drain/%d", i), &sent, release)
		})
	}

	// Fast creates in a loop on fresh connections, across the whole shutdown,
	// each with its own alias so that its fate can be looked up afterwards.
	type outcome struct {
		testkit.Response
		alias string
		at    time.Time
	}
	stop := make(chan struct{})
	var fastMu sync.Mutex
	var fast []outcome
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	run := testkit.RandomHex(3)
	for worker := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				alias := fmt.Sprintf("drain-%s-%d-%d", run, worker, i)
				r := testkit.Send(client, http.MethodPost, "http://"+addr+"/v1/shortlink", "application/json",
					[]byte(fmt.Sprintf(`{"url":"https://example.com/fast","alias":%q}`, alias)), nil)
				fastMu.Lock()
				fast = append(fast, outcome{r, alias, time.Now()})
				fastMu.Unlock()
				if r.Err != nil {
					time.Sleep(5 * time.Millisecond)
				}
			}
		})
	}

	sent.Wait()
	time.Sleep(300 * time.Millisecond) // the api has read the slow requests' headers
	termAt := time.Now()
	p.Terminate()
	time.Sleep(300 * time.Millisecond)
	close(release)

	select {
	case <-p.Done():
	case <-time.After(shutdownTimeout + 2*time.Second):
		close(stop)
		wg.Wait()
		t.Fatalf("api still running %v after SIGTERM (SHUTDOWN_TIMEOUT %v)", time.Since(termAt).Round(time.Millisecond), shutdownTimeout)
	}
	took := time.Since(termAt)
	time.Sleep(200 * time.Millisecond) // fast loopers now meet a closed port
	close(stop)
	wg.Wait()

	if p.Err() != nil {
		t.Errorf("api exited with %v after SIGTERM, want exit status 0", p.Err())
	}
	if took > shutdownTimeout {
		t.Errorf("api took %v to exit, more than SHUTDOWN_TIMEOUT %v", took, shutdownTimeout)
	}
	for i, r := range slowResults {
		if r.Err != nil || r.Status != http.StatusCreated {
			t.Errorf("in-flight create %d: %s; want 201", i, r)
			continue
		}
		// 201 means committed: the link resolves through the main stack.
		var env struct {
			Data struct{ Code, URL string } `json:"data"`
		}
		if err := json.Unmarshal(r.Body, &env); err != nil {
			t.Errorf("in-flight create %d: %v: %s", i, err, r.Body)
			continue
		}
		testkit.ExpectRedirects(t, s.proxyURL, env.Data.Code, env.Data.URL)
	}
	var before, after, refused, dropped int
	for _, o := range fast {
		switch {
		case o.Err == nil && o.Status >= 500:
			t.Errorf("create during shutdown answered %d: %s", o.Status, o.Body)
		case o.Err == nil && o.at.Before(termAt):
			before++
		case o.Err == nil:
			after++
		case errors.Is(o.Err, syscall.ECONNREFUSED) && o.at.After(termAt):
			refused++
		case o.at.After(termAt):
			// A connection the kernel accepted just as the listener closed is
			// dropped unread (EOF or reset). That is only acceptable if the
			// create was never processed: its alias must not exist.
			dropped++
			if r := httpsuite.Get(t, s.proxyURL+"/"+o.alias); r.Status != http.StatusNotFound {
				t.Errorf("create %s got no answer (%v) but was processed: GET answers %d", o.alias, o.Err, r.Status)
			}
		default:
			t.Errorf("create before SIGTERM failed with %v", o.Err)
		}
	}
	t.Logf("exit after %v; fast creates: %d answered before SIGTERM, %d after, %d refused, %d dropped unprocessed at accept",
		took.Round(time.Millisecond), before, after, refused, dropped)
	if refused == 0 {
		t.Errorf("no create was refused after the api exited; the loop did not reach the closed port")
	}
	if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		conn.Close()
		t.Errorf("%s still accepts connections after the api exited", addr)
	}
}

// slowCreate sends a create on its own connection in two parts: the headers
// and half the body, then (after release) the rest. It reports the answer,
// or any error, including a response cut short.
func slowCreate(addr, target string, sent *sync.WaitGroup, release <-chan struct{}) testkit.Response {
	body := fmt.Sprintf(`{"url":%q}`, target)
	half := len(body) / 2
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		sent.Done()
		return testkit.Response{Err: err}
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	head := fmt.Sprintf("POST /v1/shortlink HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", addr, len(body))
	_, err = io.WriteString(conn, head+body[:half])
	sent.Done()
	if err != nil {
		return testkit.Response{Err: err}
	}
	<-release
	if _, err := io.WriteString(conn, body[half:]); err != nil {
		return testkit.Response{Err: fmt.Errorf("second half of the body: %w", err)}
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return testkit.Response{Err: fmt.Errorf("read response: %w", err)}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return testkit.Response{Status: resp.StatusCode, Err: fmt.Errorf("response cut short: %w", err)}
	}
	return testkit.Response{Status: resp.StatusCode, Body: b}
}
