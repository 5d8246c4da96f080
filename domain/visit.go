package domain

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"slices"
	"time"
)

// Visits are counted per link and hour (UTC): humans, bots and the hosts
// of the pages that referred them. Nothing else about a visitor is kept.

// The referrer names that are not hosts.
const (
	// ReferrerDirect counts visits without a usable Referer: none, or one
	// that is not an absolute URL with a host.
	ReferrerDirect = "direct"
	// ReferrerOther counts the visits of every host beyond the top
	// MaxReferrers of a link and hour.
	ReferrerOther = "other"
	// MaxReferrers is how many hosts a link keeps counts for per hour; the
	// rest are counted as ReferrerOther, so attacker-chosen Referer values
	// cannot grow storage.
	MaxReferrers = 10
	// maxHostLength is the longest DNS name; a longer "host" is no host.
	maxHostLength = 253
)

// ErrNotApplied means a write was certainly not applied (it never reached
// the store, or the store refused it as a whole), so its content may be
// merged into a later write. An error without it leaves a write uncertain:
// it may have been applied, and only the same write may be retried.
var ErrNotApplied = errors.New("write not applied")

// ReferrerHost is the host a Referer header value names, lower-cased,
// without user info, port or trailing dot; ReferrerDirect when the value is
// empty or not an absolute URL with a host. It returns a slice of referer
// when referer's host is already lower case (no allocation, the common case).
func ReferrerHost(referer string) string {
	i := 0 // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"
	for ; i < len(referer); i++ {
		c := referer[i]
		if isLetter(c) || (i > 0 && (isDigit(c) || c == '+' || c == '-' || c == '.')) {
			continue
		}
		break
	}
	if i == 0 || len(referer) < i+3 || referer[i:i+3] != "://" {
		return ReferrerDirect
	}
	authority := referer[i+3:]
	for j := 0; j < len(authority); j++ {
		if c := authority[j]; c == '/' || c == '?' || c == '#' {
			authority = authority[:j]
			break
		}
	}
	for j := len(authority) - 1; j >= 0; j-- { // user info ends at the last '@'
		if authority[j] == '@' {
			authority = authority[j+1:]
			break
		}
	}
	host := authority
	if len(host) > 0 && host[0] == '[' { // an IPv6 literal keeps its brackets
		end := 0
		for end < len(host) && host[end] != ']' {
			end++
		}
		if end == len(host) {
			return ReferrerDirect
		}
		host = host[:end+1]
	} else {
		for j := 0; j < len(host); j++ {
			if host[j] == ':' {
				host = host[:j]
				break
			}
		}
		if len(host) > 0 && host[len(host)-1] == '.' {
			host = host[:len(host)-1]
		}
	}
	if host == "" || len(host) > maxHostLength {
		return ReferrerDirect
	}
	upper := false
	for j := 0; j < len(host); j++ {
		c := host[j]
		switch {
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= 'a' && c <= 'z', isDigit(c), c == '-', c == '.', c == '_', c == '%', c == '~':
		case host[0] == '[' && (c == '[' || c == ']' || c == ':'):
		default:
			return ReferrerDirect
		}
	}
	if !upper {
		return host
	}
	b := []byte(host)
	for j, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[j] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// VisitHour is an hour of UTC time, counted from the Unix epoch: the
// bucket a visit is counted in. An integer, so a map keyed by it hashes
// eight bytes and a redirect computes it without touching a time.Time's
// location.
type VisitHour int64

// VisitHourOf is the hour a visit at t is counted in.
func VisitHourOf(t time.Time) VisitHour {
	s := t.Unix()
	h := s / 3600
	if s%3600 < 0 { // before 1970: round down, not toward zero
		h--
	}
	return VisitHour(h)
}

// Start is the first instant of the hour, in UTC.
func (h VisitHour) Start() time.Time { return time.Unix(int64(h)*3600, 0).UTC() }

// ReferrerCount is the visits one referrer host sent.
type ReferrerCount struct {
	Host   string
	Visits int64
}

// VisitCounts are the visits of one link in one hour.
type VisitCounts struct {
	Link LinkID
	// LinkCreatedAt is when the link was created: stores keep a link's
	// counters with the link (the Postgres partition of its month), so
	// they go when it goes.
	LinkCreatedAt time.Time
	// Hour is the first instant of the hour, in UTC.
	Hour   time.Time
	Humans int64
	Bots   int64
	// Referrers has at most MaxReferrers hosts and ReferrerOther, each once.
	// ReferrerOther may be negative: a host named only once it ranks among
	// the top takes back the visits earlier batches counted as other, so
	// only the sum over a link and hour's batches is never negative.
	Referrers []ReferrerCount
	// Dimensions are the visits by each visitor dimension's value (Host
	// holds the value), capped like Referrers, with ReferrerOther for the
	// rest. Stores keep them per link and day.
	Dimensions [NumDimensions][]ReferrerCount
	// Uniques are the keyed hashes of the hour's visitors (VisitorHash),
	// in any order, repeats allowed: stores merge them into the link and
	// day's unique-visitor sketch by union (MergeUniques), so they add
	// nothing twice.
	Uniques []uint64
}

// Total is humans and bots.
func (c VisitCounts) Total() int64 { return c.Humans + c.Bots }

// VisitBatchID names one batch of counts for good: a store applies a
// batch id at most once, so a write whose outcome was lost can be retried.
type VisitBatchID [16]byte

// NewVisitBatchID returns a random (version 4 UUID) batch id.
func NewVisitBatchID() VisitBatchID {
	var id VisitBatchID
	_, _ = rand.Read(id[:]) // crypto/rand.Read never fails (Go ≥ 1.24)
	id[6] = id[6]&0x0f | 0x40
	id[8] = id[8]&0x3f | 0x80
	return id
}

// String is the id as a UUID.
func (id VisitBatchID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], id[0:4])
	hex.Encode(b[9:13], id[4:6])
	hex.Encode(b[14:18], id[6:8])
	hex.Encode(b[19:23], id[8:10])
	hex.Encode(b[24:], id[10:])
	b[8], b[13], b[18], b[23] = '-', '-', '-', '-'
	return string(b[:])
}

// VisitBatch is what one flush of a process writes: at most one VisitCounts
// per link and hour.
type VisitBatch struct {
	ID VisitBatchID
	// Made is when the batch was taken (the app's clock): stores remember
	// its id until they are told to forget ids made before some instant.
	Made   time.Time
	Counts []VisitCounts
}

// Visits is the number of visits in the batch.
func (b VisitBatch) Visits() int64 {
	var n int64
	for _, c := range b.Counts {
		n += c.Total()
	}
	return n
}

// AddReferrers adds more to into, keeping at most keep hosts: the hosts
// with the most visits (ties by name), the rest and any ReferrerOther
// summed as ReferrerOther, which is listed last. into is reused.
func AddReferrers(into, more []ReferrerCount, keep int) []ReferrerCount {
	for _, r := range more {
		if i := slices.IndexFunc(into, func(x ReferrerCount) bool { return x.Host == r.Host }); i >= 0 {
			into[i].Visits += r.Visits
		} else {
			into = append(into, r)
		}
	}
	return CapReferrers(into, keep)
}

// CapReferrers keeps the keep hosts of refs with the most visits (ties by
// name) and folds the others, with ReferrerOther, into one ReferrerOther
// entry at the end, left out when it sums to nothing. It may be negative:
// a batch's other can be (see VisitCounts), and so can a sum of batches
// that is not a link and hour's whole. refs must name each host once; it
// is reordered in place.
func CapReferrers(refs []ReferrerCount, keep int) []ReferrerCount {
	var other int64
	hosts := refs[:0]
	for _, r := range refs {
		if r.Host == ReferrerOther {
			other += r.Visits
		} else {
			hosts = append(hosts, r)
		}
	}
	SortReferrers(hosts)
	if len(hosts) > keep {
		for _, r := range hosts[keep:] {
			other += r.Visits
		}
		hosts = hosts[:keep]
	}
	if other != 0 {
		hosts = append(hosts, ReferrerCount{Host: ReferrerOther, Visits: other})
	}
	return hosts
}

// SortReferrers orders refs by visits, most first, then by host.
func SortReferrers(refs []ReferrerCount) {
	slices.SortFunc(refs, func(a, b ReferrerCount) int {
		if c := cmp.Compare(b.Visits, a.Visits); c != 0 {
			return c
		}
		return cmp.Compare(a.Host, b.Host)
	})
}
