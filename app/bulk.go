package app

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// BulkResult is the outcome of one create of a bulk create: what Create
// would have answered.
type BulkResult struct {
	Created Created
	Err     error
}

// bulkParallelism is how many creates of one bulk request are in flight at
// once: as many as one Postgres batch holds (its insertBatcher groups them).
const bulkParallelism = 64

// CreateMany is Create of each of reqs, answered in order: each result is
// what Create answers for its request, and a bad request fails alone. The
// links are stored in as few commits as the store allows
// (ports.BulkInserter, or concurrent inserts its batcher groups).
func (c *Creator) CreateMany(ctx context.Context, reqs []CreateRequest) []BulkResult {
	results := make([]BulkResult, len(reqs))
	pending := make([]pendingCreate, len(reqs))
	ok := make([]bool, len(reqs))
	c.parallel(len(reqs), func(i int) {
		p, err := c.prepare(ctx, reqs[i])
		if err != nil {
			results[i].Err = err
			return
		}
		pending[i], ok[i] = p, true
	})
	if bulk, isBulk := c.store.(ports.BulkInserter); isBulk {
		var (
			idx       []int
			links     []domain.ShortLink
			freeAfter []time.Time
		)
		for i := range reqs {
			if ok[i] {
				idx = append(idx, i)
				links = append(links, pending[i].link)
				freeAfter = append(freeAfter, c.quarantine.FreeAfter(pending[i].link))
			}
		}
		if len(links) > 0 {
			stored, errs := bulk.InsertMany(ctx, links, freeAfter)
			c.parallel(len(idx), func(j int) {
				i := idx[j]
				results[i].Created, results[i].Err = c.settle(ctx, pending[i], stored[j], errs[j])
			})
		}
		return results
	}
	c.parallel(len(reqs), func(i int) {
		if !ok[i] {
			return
		}
		p := pending[i]
		stored, err := c.store.Insert(ctx, p.link, c.quarantine.FreeAfter(p.link))
		results[i].Created, results[i].Err = c.settle(ctx, p, stored, err)
	})
	return results
}

// parallel runs f(0) … f(n-1) on at most bulkParallelism goroutines.
func (c *Creator) parallel(n int, f func(i int)) {
	workers := min(n, bulkParallelism)
	var (
		wg   sync.WaitGroup
		next = make(chan int)
	)
	wg.Add(workers)
	for range workers {
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// Check is Create without storing anything (an import's dry run): the
// checks of the request's values (its domain's too), and whether its alias
// is held by a link the store finds on that domain. A code in quarantine (held by no link) is not seen here:
// the import itself refuses it.
func (c *Creator) Check(ctx context.Context, req CreateRequest) error {
	target, err := c.urls.Parse(req.URL)
	if err != nil {
		return err
	}
	if c.domains != nil && c.domains.Set().Targets(target) {
		return &domain.ValidationError{Field: "url", Reason: domain.ReasonOwnHost, Message: "url must not point at this service (one of its short domains)"}
	}
	alias, err := domain.ParseAlias(req.Alias)
	if err != nil {
		return err
	}
	now := c.clock.Now()
	if _, err := c.expiry.ExpiresAt(req.ExpiresAt, now); err != nil {
		return err
	}
	if _, err := domain.ParseTitle(req.Title); err != nil {
		return err
	}
	if _, err := domain.ParseTags(req.Tags); err != nil {
		return err
	}
	if req.Password != "" {
		if err := domain.CheckPassword(req.Password); err != nil {
			return err
		}
	}
	host, err := c.domainOf(ctx, req)
	if err != nil {
		return err
	}
	if alias == "" {
		return nil
	}
	switch _, err := c.store.Find(ctx, domain.CodeOn(host, "", alias), now); {
	case err == nil:
		return domain.ErrAliasTaken
	case errors.Is(err, domain.ErrNotFound):
		return nil
	default:
		return err
	}
}

// RecordImport records in the audit log that who imported n links into
// ws (nothing for a dry run, or an anonymous import: the log is the
// workspaces' and administrators').
func (a *Auditor) RecordImport(ctx context.Context, ws domain.WorkspaceID, who domain.Who, n int) {
	if who == "" || n == 0 {
		return
	}
	a.record(ctx, ws, who, domain.AuditLinksImported, strconv.Itoa(n))
}

// CheckMany is Check of each of reqs, in order, concurrently.
func (c *Creator) CheckMany(ctx context.Context, reqs []CreateRequest) []error {
	errs := make([]error, len(reqs))
	c.parallel(len(reqs), func(i int) { errs[i] = c.Check(ctx, reqs[i]) })
	return errs
}
