package rediscache

import (
	"encoding/binary"
	"strings"
	"time"

	"github.com/shortlink/shortlink/domain"
)

// missingValue marks a negative entry. No encoded link is this short, and it
// cannot parse as one.
const missingValue = "-"

// formatV2 starts every value encode writes: a byte no text starts with,
// then a version. The first release wrote "<created> <expires> <url>" in
// text; its values decode as misses here, and ours as misses there, so both
// can share a cache during a rolling deploy.
const formatV2 = "\x00\x02"

// v2HeaderLen is formatV2, then the link's id, created and expires instants
// (Unix microseconds) and version as big-endian 8-byte numbers, then its
// state: fixed offsets, so a hit decodes without parsing.
const v2HeaderLen = len(formatV2) + 4*8 + 1

// encode lays link out as v2HeaderLen bytes then the URL (a deleted link's
// is empty), in one allocation, exact for the microsecond instants the
// domain uses. The owner's digest is not kept: only management reads it,
// and management reads the store.
func encode(link domain.ShortLink) string {
	var b strings.Builder
	b.Grow(v2HeaderLen + len(link.URL()))
	var head [v2HeaderLen]byte
	copy(head[:], formatV2)
	h := head[len(formatV2):]
	binary.BigEndian.PutUint64(h[0:8], uint64(link.ID()))
	binary.BigEndian.PutUint64(h[8:16], uint64(link.CreatedAt().UnixMicro()))
	binary.BigEndian.PutUint64(h[16:24], uint64(link.ExpiresAt().UnixMicro()))
	binary.BigEndian.PutUint64(h[24:32], uint64(link.Version()))
	h[32] = byte(link.State())
	b.Write(head[:])
	b.WriteString(link.URL())
	return b.String()
}

// decode reads a value written by encode. ok is false for anything else,
// which callers treat as a miss.
func decode(code domain.Code, value string) (link domain.ShortLink, ok bool) {
	if len(value) < v2HeaderLen || value[:len(formatV2)] != formatV2 {
		return domain.ShortLink{}, false
	}
	h := value[len(formatV2):v2HeaderLen]
	id := int64(beUint64(h[0:8]))
	created, expires := int64(beUint64(h[8:16])), int64(beUint64(h[16:24]))
	version, state := int64(beUint64(h[24:32])), domain.LinkState(h[32])
	url := value[v2HeaderLen:]
	switch {
	case id <= 0, expires <= created, state > domain.StateDeleted, version < 1,
		url == "" && state != domain.StateDeleted:
		return domain.ShortLink{}, false
	}
	return domain.RestoreShortLink(domain.LinkRecord{
		ID: domain.LinkID(id), Code: code, URL: url,
		CreatedAt: time.UnixMicro(created), ExpiresAt: time.UnixMicro(expires), State: state, Version: version,
	}), true
}

// beUint64 is binary.BigEndian.Uint64 of a string's 8 bytes, without
// converting it to a slice.
func beUint64(s string) uint64 {
	_ = s[7]
	return uint64(s[7]) | uint64(s[6])<<8 | uint64(s[5])<<16 | uint64(s[4])<<24 |
		uint64(s[3])<<32 | uint64(s[2])<<40 | uint64(s[1])<<48 | uint64(s[0])<<56
}
