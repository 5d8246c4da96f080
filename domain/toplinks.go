package domain

import (
	"cmp"
	"container/heap"
	"slices"
)

// TopLinks collects one page of a listing from links offered one at a
// time, in any order, holding no more than the page: for stores that scan
// every link but must not keep them all (an export pages through all of
// them).
type TopLinks struct {
	q    LinkQuery
	page linkHeap // the page so far, its last link (oldest) on top
}

// NewTopLinks collects the page of q.
func NewTopLinks(q LinkQuery) *TopLinks { return &TopLinks{q: q} }

// Offer considers link for the page.
func (t *TopLinks) Offer(link ShortLink) {
	if t.q.Limit <= 0 || !t.q.After.Before(link.CreatedAt(), int64(link.ID())) || !t.q.Matches(link) {
		return
	}
	if len(t.page) < t.q.Limit {
		heap.Push(&t.page, link)
		return
	}
	if newestFirst(link, t.page[0]) < 0 { // comes before the page's last
		t.page[0] = link
		heap.Fix(&t.page, 0)
	}
}

// Page is the page collected, newest first: what ListPage answers.
func (t *TopLinks) Page() []ShortLink {
	page := slices.Clone([]ShortLink(t.page))
	slices.SortFunc(page, newestFirst)
	return page
}

// newestFirst orders links as listings do: by creation, then id, newest first.
func newestFirst(a, b ShortLink) int {
	return cmp.Or(b.CreatedAt().Compare(a.CreatedAt()), cmp.Compare(b.ID(), a.ID()))
}

// linkHeap is a heap whose top is the link listed last.
type linkHeap []ShortLink

func (h linkHeap) Len() int           { return len(h) }
func (h linkHeap) Less(i, j int) bool { return newestFirst(h[i], h[j]) > 0 }
func (h linkHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *linkHeap) Push(x any)        { *h = append(*h, x.(ShortLink)) }
func (h *linkHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
