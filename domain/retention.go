package domain

import "time"

// Retention is what the stores keep of what has ended: a link is kept
// while it is live and, once it expired or was deleted, for VisitMonths
// more (its owner still sees it and its statistics), then deleted (its
// code's claim stays, §8); visit counters are kept by the month of the
// visit, for VisitMonths whole months before the current one. A permanent
// link never ends, so nothing of its own ever pins a month's counters.
type Retention struct {
	// VisitMonths is VISIT_RETENTION.
	VisitMonths int
}

// StatsSpan is the longest statistics window worth reading under r: a
// longer one could only add months whose counters are gone.
func (r Retention) StatsSpan() time.Duration {
	return time.Duration(r.VisitMonths+1) * 31 * 24 * time.Hour
}

// RetentionCutoffs are the instants one retention run at Now applies.
type RetentionCutoffs struct {
	Now time.Time
	// LinksEndedBefore: links whose expiry (a deletion's included) is
	// earlier are deleted.
	LinksEndedBefore time.Time
	// VisitsBefore: counters of earlier hours are dropped. It is the first
	// instant of a month (UTC).
	VisitsBefore time.Time
}

// Cutoffs are r's cutoffs at now.
func (r Retention) Cutoffs(now time.Time) RetentionCutoffs {
	now = now.UTC()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	return RetentionCutoffs{
		Now:              now,
		LinksEndedBefore: now.AddDate(0, -r.VisitMonths, 0),
		VisitsBefore:     month.AddDate(0, -r.VisitMonths, 0),
	}
}
