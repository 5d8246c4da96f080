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

// formatV3 starts the value of a link with an optional feature (query
// forwarding, a password): formatV2's layout with a flags byte after the
// state. A release that knows only formatV2 reads it as a miss and asks
// its store, so it never takes a protected link for a plain one from the
// cache; links without such features keep formatV2, which every release
// since the second reads.
const formatV3 = "\x00\x03"

// formatV4 starts the value of a link with redirect rules (SPEC §15):
// formatV3's layout, then the rules' JSON after a 4-byte length, then the
// URL. A release that knows only formatV3 reads it as a miss and asks its
// store, so it never takes a link with rules for a plain one.
const formatV4 = "\x00\x04"

// The bits of formatV3's flags byte. The password's hash is never cached:
// an unlock reads the store.
const (
	flagForwardQuery byte = 1 << iota
	flagProtected
)

// v2HeaderLen is formatV2, then the link's id, created and expires instants
// (Unix microseconds) and version as big-endian 8-byte numbers, then its
// state: fixed offsets, so a hit decodes without parsing.
const v2HeaderLen = len(formatV2) + 4*8 + 1

// encode lays link out as v2HeaderLen bytes then the URL (a deleted link's
// is empty), in one allocation, exact for the microsecond instants the
// domain uses. The owner's digest is not kept: only management reads it,
// and management reads the store.
func encode(link domain.ShortLink) string {
	var flags byte
	if link.ForwardQuery() {
		flags |= flagForwardQuery
	}
	if link.Protected() {
		flags |= flagProtected
	}
	var rules []byte
	if link.HasRules() {
		rules = domain.RulesJSON(link.Rules())
	}
	var b strings.Builder
	b.Grow(v2HeaderLen + 1 + 4 + len(rules) + len(link.URL()))
	var head [v2HeaderLen + 1 + 4]byte
	n := v2HeaderLen
	copy(head[:], formatV2)
	switch {
	case rules != nil:
		copy(head[:], formatV4)
		head[v2HeaderLen] = flags
		binary.BigEndian.PutUint32(head[v2HeaderLen+1:], uint32(len(rules)))
		n += 1 + 4
	case flags != 0:
		copy(head[:], formatV3)
		head[v2HeaderLen] = flags
		n++
	}
	h := head[len(formatV2):]
	binary.BigEndian.PutUint64(h[0:8], uint64(link.ID()))
	binary.BigEndian.PutUint64(h[8:16], uint64(link.CreatedAt().UnixMicro()))
	binary.BigEndian.PutUint64(h[16:24], uint64(link.ExpiresAt().UnixMicro()))
	binary.BigEndian.PutUint64(h[24:32], uint64(link.Version()))
	h[32] = byte(link.State())
	b.Write(head[:n])
	b.Write(rules)
	b.WriteString(link.URL())
	return b.String()
}

// decode reads a value written by encode. ok is false for anything else,
// which callers treat as a miss.
func decode(code domain.Code, value string) (link domain.ShortLink, ok bool) {
	if len(value) < v2HeaderLen {
		return domain.ShortLink{}, false
	}
	var flags byte
	var rules *domain.Rules
	urlAt := v2HeaderLen
	switch value[:len(formatV2)] {
	case formatV2:
	case formatV3:
		if len(value) < v2HeaderLen+1 {
			return domain.ShortLink{}, false
		}
		flags = value[v2HeaderLen]
		urlAt++
	case formatV4:
		if len(value) < v2HeaderLen+1+4 {
			return domain.ShortLink{}, false
		}
		flags = value[v2HeaderLen]
		l := value[v2HeaderLen+1 : v2HeaderLen+5]
		n := int(l[0])<<24 | int(l[1])<<16 | int(l[2])<<8 | int(l[3])
		urlAt += 1 + 4 + n
		if n == 0 || len(value) < urlAt {
			return domain.ShortLink{}, false
		}
		specs, err := domain.ParseRulesJSON([]byte(value[v2HeaderLen+5:urlAt]), "rules")
		if err != nil || len(specs) == 0 {
			return domain.ShortLink{}, false
		}
		rules = domain.RestoreRules(specs)
	default:
		return domain.ShortLink{}, false
	}
	h := value[len(formatV2):v2HeaderLen]
	id := int64(beUint64(h[0:8]))
	created, expires := int64(beUint64(h[8:16])), int64(beUint64(h[16:24]))
	version, state := int64(beUint64(h[24:32])), domain.LinkState(h[32])
	url := value[urlAt:]
	switch {
	case id <= 0, expires <= created, state > domain.StateDeleted, version < 1,
		url == "" && state != domain.StateDeleted:
		return domain.ShortLink{}, false
	}
	return domain.RestoreShortLink(domain.LinkRecord{
		ID: domain.LinkID(id), Code: code, URL: url,
		CreatedAt: time.UnixMicro(created), ExpiresAt: time.UnixMicro(expires), State: state, Version: version,
		ForwardQuery: flags&flagForwardQuery != 0, Protected: flags&flagProtected != 0, Rules: rules,
	}), true
}

// beUint64 is binary.BigEndian.Uint64 of a string's 8 bytes, without
// converting it to a slice.
func beUint64(s string) uint64 {
	_ = s[7]
	return uint64(s[7]) | uint64(s[6])<<8 | uint64(s[5])<<16 | uint64(s[4])<<24 |
		uint64(s[3])<<32 | uint64(s[2])<<40 | uint64(s[1])<<48 | uint64(s[0])<<56
}
