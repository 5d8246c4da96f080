//go:build e2e

package e2e

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/redis/rueidis"

	"github.com/shortlink/shortlink/adapters/redisclient"
	"github.com/shortlink/shortlink/test/testkit"
)

// mixedLoad is the load of the rolling restart, through the front door:
// each worker, in a loop, redirects to a link created earlier (75 %),
// creates a link (20 %) or races one alias with three concurrent creates
// (5 %). It keeps every acknowledged create and counts every answer.
//
// test/load's mixed scenario does much the same, but as a command: it
// reports a summary, not each acknowledged code, which the checks need.
type mixedLoad struct {
	base      string
	urlPrefix string
	client    *http.Client
	stopCh    chan struct{}
	wg        sync.WaitGroup

	mu      sync.Mutex
	links   []createdLink
	results loadStats
}

type createdLink struct{ code, url string }

// loadStats counts the load's requests and what went wrong with them.
type loadStats struct {
	requests, creates, redirects, aliasRaces int
	// failed requests got no answer; serverErrors got a 5xx; unexpected
	// got another status or a wrong Location.
	failed, serverErrors, unexpected int
	firstProblems                    []string
}

func (s loadStats) String() string {
	return fmt.Sprintf("%d requests (%d creates, %d redirects, %d alias races of 3 creates), %d failed, %d 5xx, %d unexpected",
		s.requests, s.creates, s.redirects, s.aliasRaces, s.failed, s.serverErrors, s.unexpected)
}

// startMixedLoad seeds 50 links, then runs workers until stop.
func startMixedLoad(t *testing.T, base string, workers int) *mixedLoad {
	t.Helper()
	l := &mixedLoad{
		base:      base,
		urlPrefix: "https://example.com/rolling/" + testkit.RandomHex(4) + "/",
		stopCh:    make(chan struct{}),
		client: &http.Client{
			Timeout:       15 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			Transport: &http.Transport{
				Proxy:               nil,
				DialContext:         (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
				MaxIdleConnsPerHost: workers * 3,
			},
		},
	}
	for range 50 {
		l.create()
	}
	if l.results.failed+l.results.serverErrors+l.results.unexpected > 0 {
		t.Fatalf("seeding the load: %s: %v", l.results, l.results.firstProblems)
	}
	for range workers {
		l.wg.Go(l.work)
	}
	t.Cleanup(func() { l.stop() })
	return l
}

func (l *mixedLoad) work() {
	for {
		select {
		case <-l.stopCh:
			return
		default:
		}
		switch n := rand.IntN(100); {
		case n < 75:
			l.redirect()
		case n < 95:
			l.create()
		default:
			l.raceAlias()
		}
	}
}

// stop ends the load (once) and returns its counts.
func (l *mixedLoad) stop() loadStats {
	select {
	case <-l.stopCh:
	default:
		close(l.stopCh)
	}
	l.wg.Wait()
	l.client.CloseIdleConnections()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.results
}

// record counts one answer; problem, when not "", says what was wrong.
func (l *mixedLoad) record(r testkit.Response, problem string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.results.requests++
	switch {
	case r.Err != nil:
		l.results.failed++
		problem = r.Err.Error()
	case r.Status >= 500:
		l.results.serverErrors++
		problem = r.String()
	case problem != "":
		l.results.unexpected++
	default:
		return
	}
	if len(l.results.firstProblems) < 5 {
		l.results.firstProblems = append(l.results.firstProblems, problem)
	}
}

func (l *mixedLoad) create() {
	url := l.urlPrefix + testkit.RandomHex(6)
	r := testkit.SendJSON(l.client, http.MethodPost, l.base+"/v1/shortlink", map[string]string{"url": url})
	l.acknowledge(r, url, http.StatusCreated)
}

// acknowledge records a create's answer and keeps its link when it is a 201.
func (l *mixedLoad) acknowledge(r testkit.Response, url string, want ...int) {
	problem := ""
	switch {
	case r.Err != nil || r.Status >= 500:
	case r.Status == http.StatusCreated && (r.Field("url") != url || r.Field("code") == ""):
		problem = "create answered 201 without its link: " + r.String()
	case !slices.Contains(want, r.Status):
		problem = fmt.Sprintf("create answered %s, want %v", r, want)
	}
	l.record(r, problem)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.results.creates++
	if r.Err == nil && r.Status == http.StatusCreated && problem == "" {
		l.links = append(l.links, createdLink{code: r.Field("code"), url: url})
	}
}

func (l *mixedLoad) redirect() {
	l.mu.Lock()
	link := l.links[rand.IntN(len(l.links))]
	l.results.redirects++
	l.mu.Unlock()
	r := testkit.Send(l.client, http.MethodGet, l.base+"/"+link.code, "", nil, nil)
	problem := ""
	if r.Err == nil && (r.Status != http.StatusFound || r.Location() != link.url) {
		problem = fmt.Sprintf("GET /%s = %s (Location %q), want 302 to %s", link.code, r, r.Location(), link.url)
	}
	l.record(r, problem)
}

// raceAlias sends three creates of one new alias at once: nginx spreads
// them over the replicas; exactly one may win.
func (l *mixedLoad) raceAlias() {
	alias := "roll-" + testkit.RandomHex(5)
	url := l.urlPrefix + alias
	answers := make([]testkit.Response, 3)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Go(func() {
			answers[i] = testkit.SendJSON(l.client, http.MethodPost, l.base+"/v1/shortlink", map[string]string{"url": url, "alias": alias})
		})
	}
	wg.Wait()
	won := 0
	for _, r := range answers {
		l.acknowledge(r, url, http.StatusCreated, http.StatusConflict)
		if r.Err == nil && r.Status == http.StatusCreated {
			won++
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.results.aliasRaces++
	if won != 1 {
		l.results.unexpected++
		if len(l.results.firstProblems) < 5 {
			l.results.firstProblems = append(l.results.firstProblems, fmt.Sprintf("alias %s raced three times: %d winners, want 1", alias, won))
		}
	}
}

// codes are the codes of every acknowledged create.
func (l *mixedLoad) codes() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	codes := make([]string, len(l.links))
	for i, link := range l.links {
		codes[i] = link.code
	}
	return codes
}

// checkEveryCreateResolves: every acknowledged link redirects to its URL
// through the front door.
func (l *mixedLoad) checkEveryCreateResolves(t *testing.T) {
	t.Helper()
	l.mu.Lock()
	links := append([]createdLink(nil), l.links...)
	l.mu.Unlock()
	var (
		mu     sync.Mutex
		wrong  int
		sample []string
		wg     sync.WaitGroup
	)
	next := make(chan createdLink)
	for range 8 {
		wg.Go(func() {
			for link := range next {
				r := testkit.Send(l.client, http.MethodGet, l.base+"/"+link.code, "", nil, nil)
				if r.Err != nil || r.Status != http.StatusFound || r.Location() != link.url {
					mu.Lock()
					wrong++
					if len(sample) < 5 {
						sample = append(sample, fmt.Sprintf("%s: %s", link.code, r))
					}
					mu.Unlock()
				}
			}
		})
	}
	for _, link := range links {
		next <- link
	}
	close(next)
	wg.Wait()
	if wrong > 0 {
		t.Errorf("%d of %d acknowledged creates do not redirect to their URL; first: %v", wrong, len(links), sample)
	}
}

// newCodesClient is a client of the codes Redis, for reading the pool.
func newCodesClient(url string) (rueidis.Client, error) {
	return redisclient.Dial(url, 2*time.Second, 0)
}
