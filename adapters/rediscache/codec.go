package rediscache

import (
	"strconv"
	"strings"
	"time"

	"github.com/shortlink/shortlink/domain"
)

// missingValue marks a negative entry. No encoded link is this short, and it
// cannot parse as one.
const missingValue = "-"

// formatV2 starts every value encode writes. The first release wrote
// "<created> <expires> <url>"; its values decode as misses here, and ours
// as misses there, so both can share a cache during a rolling deploy.
const formatV2 = "v2 "

// encode writes link as "v2 <id> <createdUnixMicro> <expiresUnixMicro>
// <state> <version> <url>": one allocation, and exact for the microsecond instants
// the domain uses. The URL goes last, so it may hold any byte (a deleted
// link's is empty). The owner's digest is not kept: only management reads
// it, and management reads the store.
func encode(link domain.ShortLink) string {
	var b strings.Builder
	b.Grow(len(formatV2) + 4*20 + 5 + 3 + len(link.URL()))
	var num [20]byte
	b.WriteString(formatV2)
	b.Write(strconv.AppendInt(num[:0], int64(link.ID()), 10))
	b.WriteByte(' ')
	b.Write(strconv.AppendInt(num[:0], link.CreatedAt().UnixMicro(), 10))
	b.WriteByte(' ')
	b.Write(strconv.AppendInt(num[:0], link.ExpiresAt().UnixMicro(), 10))
	b.WriteByte(' ')
	b.Write(strconv.AppendUint(num[:0], uint64(link.State()), 10))
	b.WriteByte(' ')
	b.Write(strconv.AppendInt(num[:0], link.Version(), 10))
	b.WriteByte(' ')
	b.WriteString(link.URL())
	return b.String()
}

// decode parses a value written by encode. ok is false for anything else,
// which callers treat as a miss.
func decode(code domain.Code, value string) (link domain.ShortLink, ok bool) {
	rest, ok := strings.CutPrefix(value, formatV2)
	if !ok {
		return domain.ShortLink{}, false
	}
	var fields [5]int64
	for i := range fields {
		var field string
		if field, rest, ok = strings.Cut(rest, " "); !ok {
			return domain.ShortLink{}, false
		}
		n, err := strconv.ParseInt(field, 10, 64)
		if err != nil {
			return domain.ShortLink{}, false
		}
		fields[i] = n
	}
	id, created, expires, state, version := fields[0], fields[1], fields[2], fields[3], fields[4]
	switch {
	case id <= 0, expires <= created, state < 0, state > int64(domain.StateDeleted), version < 1,
		rest == "" && domain.LinkState(state) != domain.StateDeleted:
		return domain.ShortLink{}, false
	}
	return domain.RestoreShortLink(domain.LinkRecord{
		ID: domain.LinkID(id), Code: code, URL: rest,
		CreatedAt: time.UnixMicro(created), ExpiresAt: time.UnixMicro(expires), State: domain.LinkState(state), Version: version,
	}), true
}
