package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/shortlink/shortlink/domain"
)

// Record layouts start with a format version, so they can change without
// rewriting old records.
const (
	// recordV1 is the first release's link, kept under its code: created_at
	// and expires_at in Unix microseconds, then the URL. Open migrates them.
	recordV1 byte = 1
	// recordV2 is a link kept under its id (see encodeLink).
	recordV2 byte = 2
	// recordV3 is recordV2 with a link's optional features (see
	// encodeLink): links without any keep recordV2.
	recordV3 byte = 3
)

// The bits of recordV3's flags byte.
const (
	flagForwardQuery byte = 1 << iota
)

const (
	v1HeaderLen = 1 + 8 + 8
	// v2HeaderLen: version, id, created, expires, link version (8 each but
	// the first), state, disabled-by-admin, owner digest, code length.
	v2HeaderLen = 1 + 8 + 8 + 8 + 8 + 1 + 1 + 32 + 1
	claimLen    = 8 + 8
	// v3HeaderLen: v2HeaderLen, then flags and the password hash's length
	// (2 bytes); the hash follows the code.
	v3HeaderLen = v2HeaderLen + 1 + 2
)

var errCorruptRecord = errors.New("corrupt record")

// encodeLink lays a link out as recordV2, its fixed-size fields, then its
// code and URL; or, when it forwards queries or has a password, as
// recordV3: the same with the flags and the hash's length after the
// fixed-size fields and the hash between the code and the URL.
func encodeLink(link domain.ShortLink) []byte {
	r := link.Record()
	if r.ForwardQuery || r.PasswordHash != "" {
		return encodeLinkV3(r)
	}
	buf := make([]byte, v2HeaderLen, v2HeaderLen+len(r.Code)+len(r.URL))
	putV2Header(buf, r)
	buf = append(buf, r.Code...)
	return append(buf, r.URL...)
}

func encodeLinkV3(r domain.LinkRecord) []byte {
	buf := make([]byte, v3HeaderLen, v3HeaderLen+len(r.Code)+len(r.PasswordHash)+len(r.URL))
	putV2Header(buf, r)
	buf[0] = recordV3
	if r.ForwardQuery {
		buf[v2HeaderLen] = flagForwardQuery
	}
	binary.BigEndian.PutUint16(buf[v2HeaderLen+1:], uint16(len(r.PasswordHash)))
	buf = append(buf, r.Code...)
	buf = append(buf, r.PasswordHash...)
	return append(buf, r.URL...)
}

// putV2Header writes recordV2's fixed-size fields of r into buf.
func putV2Header(buf []byte, r domain.LinkRecord) {
	buf[0] = recordV2
	binary.BigEndian.PutUint64(buf[1:9], uint64(r.ID))
	binary.BigEndian.PutUint64(buf[9:17], uint64(r.CreatedAt.UnixMicro()))
	binary.BigEndian.PutUint64(buf[17:25], uint64(r.ExpiresAt.UnixMicro()))
	binary.BigEndian.PutUint64(buf[25:33], uint64(r.Version))
	buf[33] = byte(r.State)
	if r.DisabledByAdmin {
		buf[34] = 1
	}
	copy(buf[35:67], r.Owner[:])
	buf[67] = byte(len(r.Code))
}

// decodeLink rebuilds a link written by encodeLink. It copies what it
// keeps, so the result outlives the transaction raw belongs to.
func decodeLink(raw []byte) (domain.ShortLink, error) {
	if len(raw) > 0 && raw[0] == recordV3 {
		return decodeLinkV3(raw)
	}
	if len(raw) < v2HeaderLen || raw[0] != recordV2 || len(raw) < v2HeaderLen+int(raw[67]) {
		return domain.ShortLink{}, errCorruptRecord
	}
	r := decodeV2Header(raw)
	codeEnd := v2HeaderLen + int(raw[67])
	r.Code = domain.Code(raw[v2HeaderLen:codeEnd])
	r.URL = string(raw[codeEnd:])
	return domain.RestoreShortLink(r), nil
}

func decodeLinkV3(raw []byte) (domain.ShortLink, error) {
	if len(raw) < v3HeaderLen {
		return domain.ShortLink{}, errCorruptRecord
	}
	codeEnd := v3HeaderLen + int(raw[67])
	hashEnd := codeEnd + int(binary.BigEndian.Uint16(raw[v2HeaderLen+1:]))
	if len(raw) < hashEnd {
		return domain.ShortLink{}, errCorruptRecord
	}
	r := decodeV2Header(raw)
	r.ForwardQuery = raw[v2HeaderLen]&flagForwardQuery != 0
	r.Code = domain.Code(raw[v3HeaderLen:codeEnd])
	r.PasswordHash = string(raw[codeEnd:hashEnd])
	r.URL = string(raw[hashEnd:])
	return domain.RestoreShortLink(r), nil
}

// decodeV2Header reads recordV2's fixed-size fields.
func decodeV2Header(raw []byte) domain.LinkRecord {
	var r domain.LinkRecord
	r.ID = domain.LinkID(binary.BigEndian.Uint64(raw[1:9]))
	r.CreatedAt = time.UnixMicro(int64(binary.BigEndian.Uint64(raw[9:17])))
	r.ExpiresAt = time.UnixMicro(int64(binary.BigEndian.Uint64(raw[17:25])))
	r.Version = int64(binary.BigEndian.Uint64(raw[25:33]))
	r.State = domain.LinkState(raw[33])
	r.DisabledByAdmin = raw[34] == 1
	copy(r.Owner[:], raw[35:67])
	return r
}

// decodeV1Link reads a first-release link kept under code.
func decodeV1Link(code domain.Code, raw []byte) (domain.ShortLink, error) {
	if len(raw) <= v1HeaderLen || raw[0] != recordV1 {
		return domain.ShortLink{}, fmt.Errorf("%w under code %q", errCorruptRecord, code)
	}
	created := time.UnixMicro(int64(binary.BigEndian.Uint64(raw[1:9])))
	expires := time.UnixMicro(int64(binary.BigEndian.Uint64(raw[9:17])))
	return domain.RestoreShortLink(domain.LinkRecord{Code: code, URL: string(raw[v1HeaderLen:]), CreatedAt: created, ExpiresAt: expires, Version: 1}), nil
}

// claim is who holds a code, and from when another link may claim it.
type claim struct {
	link      domain.LinkID
	freeAfter time.Time
}

func encodeClaim(c claim) []byte {
	buf := make([]byte, claimLen)
	binary.BigEndian.PutUint64(buf[0:8], uint64(c.link))
	binary.BigEndian.PutUint64(buf[8:16], uint64(c.freeAfter.UnixMicro()))
	return buf
}

func decodeClaim(raw []byte) (claim, error) {
	if len(raw) != claimLen {
		return claim{}, errCorruptRecord
	}
	return claim{
		link:      domain.LinkID(binary.BigEndian.Uint64(raw[0:8])),
		freeAfter: time.UnixMicro(int64(binary.BigEndian.Uint64(raw[8:16]))),
	}, nil
}

func idKey(id domain.LinkID) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(id))
}
