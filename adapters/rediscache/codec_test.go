package rediscache

import (
	"testing"
	"time"

	"github.com/shortlink/shortlink/domain"
)

func TestEncodeDecodeRoundTrip(t *testing.T) {
	t.Parallel()
	created := time.Date(2026, 3, 1, 12, 0, 0, 123456000, time.UTC)
	for _, url := range []string{"https://example.com/", "https://example.com/a b?c=d e#f", "https://例え.jp/ü"} {
		want := domain.RestoreShortLink("abc1234", url, created, created.Add(time.Hour))
		got, ok := decode("abc1234", encode(want))
		if !ok || got != want {
			t.Errorf("decode(encode(%q)) = %+v, %v; want %+v", url, got, ok, want)
		}
	}
}

func TestDecodeRejectsCorruptValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, value string
	}{
		{"empty", ""},
		{"negative marker", missingValue},
		{"no url", "1 2"},
		{"empty url", "1 2 "},
		{"not a number", "x 2 https://example.com"},
		{"expires before created", "5 4 https://example.com"},
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
	value := encode(domain.RestoreShortLink("abc1234", "https://example.com/some/path", time.Now(), time.Now().Add(time.Hour)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := decode("abc1234", value); !ok {
			b.Fatal("decode failed")
		}
	}
}
