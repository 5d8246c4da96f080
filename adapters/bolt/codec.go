package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
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
	// recordV3 is recordV2 for a link with anything recordV2 cannot say
	// (features, ownership, labels; see encodeLink): links without any keep
	// recordV2.
	recordV3 byte = 3
)

// The bits of recordV3's flags byte.
const (
	flagForwardQuery byte = 1 << iota
	// flagRules: the link's redirect rules (their JSON, after a 4-byte
	// length) follow the length-prefixed fields.
	flagRules
)

const (
	v1HeaderLen = 1 + 8 + 8
	// v2HeaderLen: version, id, created, expires, link version (8 each but
	// the first), state, disabled-by-admin, owner digest, code length.
	v2HeaderLen = 1 + 8 + 8 + 8 + 8 + 1 + 1 + 32 + 1
	claimLen    = 8 + 8
	// v3Fields is how many length-prefixed fields follow recordV3's flags.
	v3Fields = 6
)

var errCorruptRecord = errors.New("corrupt record")

// encodeLink lays a link out as recordV2: its fixed-size fields, then its
// code and URL. A link with features, an owning workspace or labels is
// recordV3: the same header and code, a flags byte, then the URL,
// workspace, key, title, tags (comma-joined) and password hash, each after
// its 2-byte length.
func encodeLink(link domain.ShortLink) []byte {
	r := link.Record()
	tags := strings.Join(r.Tags, ",")
	if !r.ForwardQuery && r.PasswordHash == "" && r.Workspace == "" && r.CreatedBy == "" && r.Title == "" && tags == "" && r.Rules == nil && r.OriginalCreatedAt.IsZero() {
		buf := make([]byte, v2HeaderLen, v2HeaderLen+len(r.Code)+len(r.URL))
		putV2Header(buf, r)
		buf = append(buf, r.Code...)
		return append(buf, r.URL...)
	}
	fields := [v3Fields]string{r.URL, string(r.Workspace), string(r.CreatedBy), r.Title, tags, r.PasswordHash}
	size := v2HeaderLen + len(r.Code) + 1
	for _, f := range fields {
		size += 2 + len(f)
	}
	buf := make([]byte, v2HeaderLen, size)
	putV2Header(buf, r)
	buf[0] = recordV3
	buf = append(buf, r.Code...)
	var flags byte
	if r.ForwardQuery {
		flags |= flagForwardQuery
	}
	var rules []byte
	if r.Rules != nil {
		flags |= flagRules
		rules = domain.RulesJSON(r.Rules)
	}
	buf = append(buf, flags)
	for _, f := range fields {
		buf = binary.BigEndian.AppendUint16(buf, uint16(len(f)))
		buf = append(buf, f...)
	}
	if rules != nil {
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(rules)))
		buf = append(buf, rules...)
	}
	// An imported link's source date trails the fields and the rules (the
	// previous release reads up to the fields, and ignores it): Unix
	// microseconds.
	if !r.OriginalCreatedAt.IsZero() {
		buf = binary.BigEndian.AppendUint64(buf, uint64(r.OriginalCreatedAt.UnixMicro()))
	}
	return buf
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
	if len(raw) < v2HeaderLen || (raw[0] != recordV2 && raw[0] != recordV3) || len(raw) < v2HeaderLen+int(raw[67]) {
		return domain.ShortLink{}, errCorruptRecord
	}
	r := decodeV2Header(raw)
	codeEnd := v2HeaderLen + int(raw[67])
	r.Code = domain.Code(raw[v2HeaderLen:codeEnd])
	if raw[0] == recordV2 {
		r.URL = string(raw[codeEnd:])
		return domain.RestoreShortLink(r), nil
	}
	if len(raw) <= codeEnd {
		return domain.ShortLink{}, errCorruptRecord
	}
	r.ForwardQuery = raw[codeEnd]&flagForwardQuery != 0
	rest := raw[codeEnd+1:]
	var fields [v3Fields]string
	for i := range fields {
		if len(rest) < 2 || len(rest) < 2+int(binary.BigEndian.Uint16(rest)) {
			return domain.ShortLink{}, errCorruptRecord
		}
		n := int(binary.BigEndian.Uint16(rest))
		fields[i], rest = string(rest[2:2+n]), rest[2+n:]
	}
	r.URL, r.Workspace, r.CreatedBy, r.Title = fields[0], domain.WorkspaceID(fields[1]), domain.KeyID(fields[2]), fields[3]
	if fields[4] != "" {
		r.Tags = strings.Split(fields[4], ",")
	}
	r.PasswordHash = fields[5]
	if raw[codeEnd]&flagRules != 0 {
		if len(rest) < 4 || len(rest)-4 < int(binary.BigEndian.Uint32(rest)) {
			return domain.ShortLink{}, errCorruptRecord
		}
		n := int(binary.BigEndian.Uint32(rest))
		specs, err := domain.ParseRulesJSON(rest[4:4+n], "rules")
		if err != nil {
			return domain.ShortLink{}, errCorruptRecord
		}
		r.Rules = domain.RestoreRules(specs)
		rest = rest[4+n:]
	}
	if len(rest) >= 8 {
		r.OriginalCreatedAt = time.UnixMicro(int64(binary.BigEndian.Uint64(rest))).UTC()
	}
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
