package domain

import (
	"cmp"
	"slices"
	"time"
)

// WorkspaceTopLinks is how many links a workspace's stats answer lists.
const WorkspaceTopLinks = 10

// WorkspaceVisitQuery asks a store for the visits of the links of a scope
// (a workspace, the anonymous links, or every link) in a window of whole
// UTC days.
type WorkspaceVisitQuery struct {
	Scope  WorkspaceScope
	Window VisitWindow
}

// LinkVisits are one link's visits in a window.
type LinkVisits struct {
	Link   LinkID
	Code   Code
	Humans int64
	Bots   int64
}

// Total is the link's humans and bots.
func (l LinkVisits) Total() int64 { return l.Humans + l.Bots }

// WorkspaceVisits are the visits of a scope's links in a window: its daily
// series (the non-empty days in order; the use case fills in the rest),
// how many links had any, and the WorkspaceTopLinks links with the most.
type WorkspaceVisits struct {
	Window VisitWindow
	Series []VisitBucket
	// Links is how many of the scope's links had a visit in the window.
	Links int64
	// Top are the links with the most visits, most first, ties by code.
	Top []LinkVisits
}

// Humans, Bots and Total sum the series.
func (w WorkspaceVisits) Humans() int64 { return VisitStats{Series: w.Series}.Humans() }
func (w WorkspaceVisits) Bots() int64   { return VisitStats{Series: w.Series}.Bots() }
func (w WorkspaceVisits) Total() int64  { return w.Humans() + w.Bots() }

// WorkspaceVisitSum adds up the daily visits of links, for stores that
// sum in Go.
type WorkspaceVisitSum struct {
	window VisitWindow
	days   map[time.Time]*VisitBucket
	links  map[LinkID]*LinkVisits
}

// NewWorkspaceVisitSum returns an empty sum over w.
func NewWorkspaceVisitSum(w VisitWindow) *WorkspaceVisitSum {
	return &WorkspaceVisitSum{window: w, days: map[time.Time]*VisitBucket{}, links: map[LinkID]*LinkVisits{}}
}

// Add adds one hour's (or day's) counters of link (in the window).
func (s *WorkspaceVisitSum) Add(link LinkID, code Code, at time.Time, humans, bots int64) {
	if humans == 0 && bots == 0 {
		return
	}
	day := DayOf(at)
	b := s.days[day]
	if b == nil {
		b = &VisitBucket{Start: day}
		s.days[day] = b
	}
	b.Humans += humans
	b.Bots += bots
	l := s.links[link]
	if l == nil {
		l = &LinkVisits{Link: link, Code: code}
		s.links[link] = l
	}
	l.Humans += humans
	l.Bots += bots
}

// Visits is the sum.
func (s *WorkspaceVisitSum) Visits() WorkspaceVisits {
	out := WorkspaceVisits{Window: s.window, Links: int64(len(s.links))}
	for _, b := range s.days {
		out.Series = append(out.Series, *b)
	}
	slices.SortFunc(out.Series, func(a, b VisitBucket) int { return a.Start.Compare(b.Start) })
	for _, l := range s.links {
		out.Top = append(out.Top, *l)
	}
	SortLinkVisits(out.Top)
	if len(out.Top) > WorkspaceTopLinks {
		out.Top = out.Top[:WorkspaceTopLinks]
	}
	return out
}

// SortLinkVisits orders links by visits, most first, ties by code.
func SortLinkVisits(links []LinkVisits) {
	slices.SortFunc(links, func(a, b LinkVisits) int {
		if c := cmp.Compare(b.Total(), a.Total()); c != 0 {
			return c
		}
		return cmp.Compare(a.Code, b.Code)
	})
}

// InScope reports whether link belongs to scope.
func (s WorkspaceScope) InScope(link ShortLink) bool {
	return s.All || link.Ownership().Workspace == s.Workspace
}
