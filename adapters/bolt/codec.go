package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/shortlink/shortlink/domain"
)

// recordV1 starts every stored link: a format version, so the layout can
// change without a migration of old records.
const recordV1 byte = 1

// headerLen is the version byte and two int64 Unix microsecond instants.
const headerLen = 1 + 8 + 8

var errCorruptRecord = errors.New("corrupt link record")

// encodeLink lays a link out as version, created_at and expires_at in Unix
// microseconds (the precision every store keeps), then the URL's bytes.
func encodeLink(link domain.ShortLink) []byte {
	buf := make([]byte, headerLen, headerLen+len(link.URL()))
	buf[0] = recordV1
	binary.BigEndian.PutUint64(buf[1:9], uint64(link.CreatedAt().UnixMicro()))
	binary.BigEndian.PutUint64(buf[9:17], uint64(link.ExpiresAt().UnixMicro()))
	return append(buf, link.URL()...)
}

// decodeLink rebuilds the link stored under code. It copies what it keeps,
// so the result outlives the transaction raw belongs to.
func decodeLink(code domain.Code, raw []byte) (domain.ShortLink, error) {
	if len(raw) <= headerLen || raw[0] != recordV1 {
		return domain.ShortLink{}, fmt.Errorf("%w under code %q", errCorruptRecord, code)
	}
	created := time.UnixMicro(int64(binary.BigEndian.Uint64(raw[1:9])))
	expires := time.UnixMicro(int64(binary.BigEndian.Uint64(raw[9:17])))
	return domain.RestoreShortLink(code, string(raw[headerLen:]), created, expires), nil
}
