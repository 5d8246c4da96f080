package domain_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/shortlink/shortlink/domain"
)

// TestTopLinksIsListPage: links offered one at a time, in any order, make
// the page ListPage makes of them all, for every cursor along the way.
func TestTopLinksIsListPage(t *testing.T) {
	t.Parallel()
	base := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(1, 2))
	var links []domain.ShortLink
	for i := range 500 {
		ws := domain.WorkspaceID("")
		if i%3 == 0 {
			ws = "ws1"
		}
		links = append(links, domain.RestoreShortLink(domain.LinkRecord{
			ID: domain.LinkID(i + 1), Code: domain.Code(fmt.Sprintf("c%04d", i)), URL: "https://example.com/",
			// Few distinct times: ties are broken by id.
			CreatedAt: base.Add(time.Duration(rng.IntN(50)) * time.Second), ExpiresAt: base.Add(48 * time.Hour),
			Workspace: ws,
		}))
	}
	for _, scope := range []domain.WorkspaceScope{{All: true}, {Workspace: "ws1"}, {}} {
		for _, limit := range []int{1, 7, 100, 1000} {
			q := domain.LinkQuery{Scope: scope, Limit: limit, Now: base}
			pages := 0
			for {
				want := domain.ListPage(links, q)
				top := domain.NewTopLinks(q)
				for _, i := range rng.Perm(len(links)) {
					top.Offer(links[i])
				}
				got := top.Page()
				if !slices.Equal(codes(want), codes(got)) {
					t.Fatalf("scope %+v, limit %d, page %d: TopLinks made %v, ListPage %v", scope, limit, pages, codes(got), codes(want))
				}
				if len(got) < limit {
					break
				}
				last := got[len(got)-1]
				q.After = domain.Cursor{CreatedAt: last.CreatedAt(), ID: int64(last.ID())}
				pages++
			}
		}
	}
}

func codes(links []domain.ShortLink) []string {
	out := make([]string, len(links))
	for i, l := range links {
		out[i] = string(l.Code())
	}
	return out
}
