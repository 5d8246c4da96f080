package rediscache

import (
	"testing"
	"time"

	"github.com/shortlink/shortlink/domain"
)

func testLink(url string, state domain.LinkState, created time.Time) domain.ShortLink {
	return domain.RestoreShortLink(domain.LinkRecord{
		ID: 42, Code: "abc1234", URL: url, CreatedAt: created, ExpiresAt: created.Add(time.Hour), State: state, Version: 3,
	})
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	t.Parallel()
	created := time.Date(2026, 3, 1, 12, 0, 0, 123456000, time.UTC)
	for _, want := range []domain.ShortLink{
		testLink("https://example.com/", domain.StateActive, created),
		testLink("https://example.com/a b?c=d e#f", domain.StateDisabled, created),
		testLink("https://例え.jp/ü", domain.StateActive, created),
		testLink("", domain.StateDeleted, created),
	} {
		got, ok := decode("abc1234", encode(want))
		if !ok || got != want {
			t.Errorf("decode(encode(%+v)) = %+v, %v", want, got, ok)
		}
	}
}

func TestEncodeKeepsNoOwnerDigest(t *testing.T) {
	t.Parallel()
	r := testLink("https://example.com/", domain.StateActive, time.Now()).Record()
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
		{"no url", "v2 1 1 2 0 1"},
		{"empty url of a live link", "v2 1 1 2 0 1 "},
		{"not a number", "v2 1 x 2 0 1 https://example.com"},
		{"expires before created", "v2 1 5 4 0 1 https://example.com"},
		{"no id", "v2 0 1 2 0 1 https://example.com"},
		{"unknown state", "v2 1 1 2 7 1 https://example.com"},
		{"no version", "v2 1 1 2 0 0 https://example.com"},
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

func BenchmarkDecode(b *testing.B) {
	value := encode(testLink("https://example.com/some/path", domain.StateActive, time.Now()))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := decode("abc1234", value); !ok {
			b.Fatal("decode failed")
		}
	}
}
