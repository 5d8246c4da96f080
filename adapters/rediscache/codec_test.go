package rediscache

import (
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports/porttest"
)

func TestEncodeDecodeRoundTrip(t *testing.T) {
	t.Parallel()
	sample := porttest.Link("abc1234").ID(42).Created(time.Date(2026, 3, 1, 12, 0, 0, 123456000, time.UTC)).Version(3)
	for _, want := range []domain.ShortLink{
		sample.URL("https://example.com/").Build(),
		sample.URL("https://example.com/a b?c=d e#f").State(domain.StateDisabled).Build(),
		sample.URL("https://例え.jp/ü").Build(),
		sample.URL("").State(domain.StateDeleted).Build(),
	} {
		got, ok := decode("abc1234", encode(want))
		if !ok || got != want {
			t.Errorf("decode(encode(%+v)) = %+v, %v", want, got, ok)
		}
	}
}

func TestEncodeKeepsNoOwnerDigest(t *testing.T) {
	t.Parallel()
	r := porttest.Link("abc1234").ID(42).URL("https://example.com/").Created(time.Now()).Version(3).Build().Record()
	r.Owner = domain.DigestToken("secret-token")
	got, ok := decode("abc1234", encode(domain.RestoreShortLink(r)))
	if !ok || !got.Owner().IsZero() {
		t.Fatalf("decoded owner = %x, want none", got.Owner())
	}
}

func TestDecodeRejectsCorruptValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, value string
	}{
		{"empty", ""},
		{"negative marker", missingValue},
		{"first release's format", "1 2 https://example.com"},
		{"truncated header", encodeRaw(1, 1, 2, 1, 0, "https://example.com")[:20]},
		{"empty url of a live link", encodeRaw(1, 1, 2, 1, 0, "")},
		{"expires before created", encodeRaw(1, 5, 4, 1, 0, "https://example.com")},
		{"no id", encodeRaw(0, 1, 2, 1, 0, "https://example.com")},
		{"unknown state", encodeRaw(1, 1, 2, 1, 7, "https://example.com")},
		{"no version", encodeRaw(1, 1, 2, 0, 0, "https://example.com")},
		{"garbage", "\x00\x01\x02"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if link, ok := decode("abc", tt.value); ok {
				t.Fatalf("decode(%q) = %+v, true; want not ok", tt.value, link)
			}
		})
	}
}

// encodeRaw writes a v2 value from raw fields, valid or not.
func encodeRaw(id, created, expires, version int64, state byte, url string) string {
	head := make([]byte, v2HeaderLen)
	copy(head, formatV2)
	h := head[len(formatV2):]
	binary.BigEndian.PutUint64(h[0:8], uint64(id))
	binary.BigEndian.PutUint64(h[8:16], uint64(created))
	binary.BigEndian.PutUint64(h[16:24], uint64(expires))
	binary.BigEndian.PutUint64(h[24:32], uint64(version))
	h[32] = state
	return string(head) + url
}

func BenchmarkDecode(b *testing.B) {
	value := encode(porttest.Link("abc1234").ID(42).URL("https://example.com/some/path").Created(time.Now()).Version(3).Build())
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := decode("abc1234", value); !ok {
			b.Fatal("decode failed")
		}
	}
}

// A link with a feature is written in formatV3, which a release that knows
// only formatV2 reads as a miss (its prefix differs): an old task never
// takes a protected link for a plain one from the cache. The password's
// hash is not cached; that it has one is.
func TestEncodeFeaturesInFormatV3(t *testing.T) {
	t.Parallel()
	base := porttest.Link("abc1234").ID(42).URL("https://example.com/").Created(time.Now().Truncate(time.Microsecond)).Version(3).Build()
	if v := encode(base); v[:len(formatV2)] != formatV2 {
		t.Fatalf("a plain link is encoded as %q…, want formatV2", v[:2])
	}
	for _, r := range []func(*domain.LinkRecord){
		func(r *domain.LinkRecord) { r.ForwardQuery = true },
		func(r *domain.LinkRecord) { r.PasswordHash = "$argon2id$secret" },
		func(r *domain.LinkRecord) { r.ForwardQuery, r.PasswordHash = true, "$argon2id$secret" },
	} {
		rec := base.Record()
		r(&rec)
		link := domain.RestoreShortLink(rec)
		v := encode(link)
		if v[:len(formatV3)] != formatV3 {
			t.Errorf("%+v encoded as %q…, want formatV3", rec, v[:2])
		}
		if strings.Contains(v, "secret") {
			t.Errorf("the password's hash is in the cached value %q", v)
		}
		got, ok := decode("abc1234", v)
		want := rec
		want.Protected = rec.PasswordHash != ""
		want.PasswordHash, want.Owner = "", domain.TokenDigest{}
		if !ok || !cmp.Equal(got.Record(), domain.RestoreShortLink(want).Record()) {
			t.Errorf("decode(encode(%+v)) = %+v, %v", rec, got.Record(), ok)
		}
	}
}
