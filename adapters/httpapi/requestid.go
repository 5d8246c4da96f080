package httpapi

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"net/http"
	"sync/atomic"
	"unsafe"
)

// requestIDs makes the ids of requests that arrive without one: a
// process-wide counter encrypted with AES under a key drawn once at start,
// in hex. Encryption is a permutation, so ids never repeat within a
// process, and without the key consecutive ids look unrelated: an id tells
// nobody how many requests the process has served (a plain counter did).
// No syscall per request (the key is drawn once) and one allocation.
type requestIDs struct {
	block cipher.Block
	next  atomic.Uint64
	start uint64 // random, so two processes' ids differ even under one key
}

func newRequestIDs() *requestIDs {
	var key [16]byte
	_, _ = rand.Read(key[:]) // crypto/rand.Read never fails (Go ≥ 1.24)
	block, err := aes.NewCipher(key[:])
	if err != nil {
		panic("request ids: " + err.Error()) // a 16-byte key is always valid
	}
	ids := &requestIDs{block: block}
	var start [8]byte
	_, _ = rand.Read(start[:])
	ids.start = binary.LittleEndian.Uint64(start[:])
	return ids
}

// requestIDHeader holds one id and the header value naming it, in one
// allocation: the id's bytes, its hex and the []string the header map wants,
// with a spare slot past the value's length for the answer's Location
// (setLocation), which a redirect would otherwise allocate on its own.
type requestIDHeader struct {
	block  [aes.BlockSize]byte
	text   [2 * aes.BlockSize]byte
	values [2]string // the id, and the spare
}

// new returns a fresh id and the header value holding it, the spare slot
// within its capacity.
func (r *requestIDs) new() (string, []string) {
	h := new(requestIDHeader)
	binary.LittleEndian.PutUint64(h.block[:8], r.start)
	binary.LittleEndian.PutUint64(h.block[8:], r.next.Add(1))
	r.block.Encrypt(h.block[:], h.block[:])
	hex.Encode(h.text[:], h.block[:])
	// The text is never written again, so the string may share its bytes.
	h.values[0] = unsafe.String(&h.text[0], len(h.text))
	return h.values[0], h.values[:1:2]
}

// setLocation sets the answer's Location to to. When X-Request-Id holds a
// value requestIDs made, its spare slot holds the Location, so a redirect
// allocates no []string for it; a caller's id has no spare, and the
// Location gets its own. Nothing appends to X-Request-Id, which would write
// over the spare.
func setLocation(hdr http.Header, to string) {
	if id := hdr["X-Request-Id"]; len(id) == 1 && cap(id) == 2 {
		spare := id[1:2:2]
		spare[0] = to
		hdr["Location"] = spare
		return
	}
	hdr["Location"] = []string{to}
}
