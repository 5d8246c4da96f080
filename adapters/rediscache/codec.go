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

// encode writes link as "<createdUnixMicro> <expiresUnixMicro> <url>": one
// allocation, and exact for the microsecond instants the domain uses. The
// URL goes last, so it may hold any byte.
func encode(link domain.ShortLink) string {
	var b strings.Builder
	b.Grow(2*20 + 2 + len(link.URL()))
	var num [20]byte
	b.Write(strconv.AppendInt(num[:0], link.CreatedAt().UnixMicro(), 10))
	b.WriteByte(' ')
	b.Write(strconv.AppendInt(num[:0], link.ExpiresAt().UnixMicro(), 10))
	b.WriteByte(' ')
	b.WriteString(link.URL())
	return b.String()
}

// decode parses a value written by encode. ok is false for anything else,
// which callers treat as a miss.
func decode(code domain.Code, value string) (link domain.ShortLink, ok bool) {
	created, rest, ok1 := strings.Cut(value, " ")
	expires, url, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 || url == "" {
		return domain.ShortLink{}, false
	}
	c, err1 := strconv.ParseInt(created, 10, 64)
	e, err2 := strconv.ParseInt(expires, 10, 64)
	if err1 != nil || err2 != nil || e <= c {
		return domain.ShortLink{}, false
	}
	return domain.RestoreShortLink(code, url, time.UnixMicro(c), time.UnixMicro(e)), true
}
