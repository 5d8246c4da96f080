package httpapi

import (
	"math/bits"
	"net/http"
	"regexp"
	"strconv"
	"testing"
)

// TestRequestIDsRevealNoVolume: the ids a process makes for requests that
// bring none are unique, 32 hex digits, and say nothing of how many came
// before: consecutive ids differ in about half their bits (a counter, even
// behind a random prefix, differs in a few), and another process's ids for
// the same counter values are others.
func TestRequestIDsRevealNoVolume(t *testing.T) {
	t.Parallel()
	const n = 20000
	a, b := newRequestIDs(), newRequestIDs()
	hexID := regexp.MustCompile(`^[0-9a-f]{32}$`)
	seen := make(map[string]bool, 2*n)
	var prev string
	var bitsChanged int
	for range n {
		id, header := a.new()
		if !hexID.MatchString(id) || len(header) != 1 || header[0] != id {
			t.Fatalf("id %q (header %q) is not 32 hex digits in its own header value", id, header)
		}
		if !validRequestID(id) {
			t.Fatalf("id %q is one the middleware would refuse from a caller", id)
		}
		if seen[id] {
			t.Fatalf("id %q made twice", id)
		}
		seen[id] = true
		if other, _ := b.new(); seen[other] {
			t.Fatalf("two processes made the same id %q", other)
		} else {
			seen[other] = true
		}
		if prev != "" {
			bitsChanged += hammingHex(prev, id)
		}
		prev = id
	}
	// Random 128-bit values differ in 64 bits on average.
	if mean := float64(bitsChanged) / float64(n-1); mean < 60 || mean > 68 {
		t.Fatalf("consecutive ids differ in %.1f bits on average, want about 64 (unrelated)", mean)
	}
}

func hammingHex(x, y string) int {
	d := 0
	for i := 0; i < len(x) && i < len(y); i++ {
		vx, _ := strconv.ParseUint(x[i:i+1], 16, 8)
		vy, _ := strconv.ParseUint(y[i:i+1], 16, 8)
		d += bits.OnesCount64(vx ^ vy)
	}
	return d
}

// TestSetLocationKeepsTheRequestID: the Location that takes the spare slot
// of a made id's header value leaves the id as it was, and so do a second
// Location and a header map's copy; a caller's id, with no spare, leaves
// the Location a value of its own.
func TestSetLocationKeepsTheRequestID(t *testing.T) {
	t.Parallel()
	id, value := newRequestIDs().new()
	hdr := http.Header{"X-Request-Id": value}
	setLocation(hdr, "https://example.com/a")
	setLocation(hdr, "https://example.com/b")
	clone := hdr.Clone()
	clone.Add("Location", "https://example.com/c")
	if got := hdr.Values("X-Request-Id"); len(got) != 1 || got[0] != id {
		t.Fatalf("X-Request-Id = %q after setLocation, want [%q]", got, id)
	}
	if got := hdr.Values("Location"); len(got) != 1 || got[0] != "https://example.com/b" {
		t.Fatalf("Location = %q, want the last one set alone", got)
	}
	if &hdr["Location"][0] != &value[:2][1] {
		t.Fatal("the Location took a new []string, not the id's spare slot: a redirect allocates once more")
	}

	caller := []string{"caller-id"}
	hdr = http.Header{"X-Request-Id": caller[:1:1]}
	setLocation(hdr, "https://example.com/d")
	if hdr.Get("X-Request-Id") != "caller-id" || hdr.Get("Location") != "https://example.com/d" {
		t.Fatalf("with a caller's id: %q", hdr)
	}
}
