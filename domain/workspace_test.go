package domain_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/domain"
)

func TestNewAPIKeyIsParsedBackToItsID(t *testing.T) {
	t.Parallel()
	key, secret, err := domain.NewAPIKey("ws", domain.RoleEditor, "ci", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(secret, "_")
	if len(parts) != 4 || parts[0] != "slk" || parts[1] != string(key.ID) || len(parts[2]) < 26 {
		t.Fatalf("key %q is not slk_<id>_<secret ≥ 128 bits>_<checksum>", secret)
	}
	if id, ok := domain.ParseKey(secret); !ok || id != key.ID {
		t.Fatalf("ParseKey(%q) = %q, %v; want %q", secret, id, ok, key.ID)
	}
	if !key.Matches(domain.DigestToken(secret)) || key.Matches(domain.DigestToken(secret+"x")) {
		t.Fatal("the key's digest does not match it alone")
	}
	key.RevokedAt = time.Now()
	if key.Matches(domain.DigestToken(secret)) {
		t.Fatal("a revoked key still matches")
	}
}

func TestParseKeyRefusesTyposAndOtherCredentials(t *testing.T) {
	t.Parallel()
	_, secret, _ := domain.NewAPIKey("ws", domain.RoleViewer, "v", time.Now())
	typo := []byte(secret)
	typo[10] = map[byte]byte{'a': 'b'}[typo[10]] | 'a'
	if string(typo) == secret {
		typo[10] = 'c'
	}
	for _, s := range []string{string(typo), secret + "a", "slk_", "slk_a_b", "not-a-key", "httpsuite-admin-key-0123456789abcdef", strings.ToUpper(secret)} {
		if _, ok := domain.ParseKey(s); ok {
			t.Errorf("ParseKey(%q) accepted", s)
		}
	}
}

func TestParseRoleTagsAndTitle(t *testing.T) {
	t.Parallel()
	if _, err := domain.ParseRole("admin"); !errors.Is(err, domain.ErrInvalidInput) {
		t.Errorf("ParseRole(admin) = %v", err)
	}
	tags, err := domain.ParseTags([]string{"B", "a", "b", " c.d_e-f "})
	if err != nil || strings.Join(tags, ",") != "a,b,c.d_e-f" {
		t.Errorf("ParseTags = %v, %v; want sorted, lower-cased, distinct", tags, err)
	}
	for _, bad := range [][]string{{""}, {"a b"}, {strings.Repeat("a", 33)}, {"ü"}, {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}} {
		if _, err := domain.ParseTags(bad); !errors.Is(err, domain.ErrInvalidInput) {
			t.Errorf("ParseTags(%q) = %v, want invalid", bad, err)
		}
	}
	if _, err := domain.ParseTitle(strings.Repeat("é", 200)); err != nil {
		t.Errorf("a title of 200 characters: %v", err)
	}
	for _, bad := range []string{strings.Repeat("a", 201), "a\u202eb"} {
		if _, err := domain.ParseTitle(bad); !errors.Is(err, domain.ErrInvalidInput) {
			t.Errorf("ParseTitle(%q) = %v, want invalid", bad, err)
		}
	}
}

func TestCursorRoundTrips(t *testing.T) {
	t.Parallel()
	c := domain.Cursor{CreatedAt: time.Date(2030, 1, 2, 3, 4, 5, 6000, time.UTC), ID: 42}
	back, err := domain.ParseCursor(c.String())
	if err != nil || back != c {
		t.Fatalf("ParseCursor(String()) = %v, %v; want %v", back, err, c)
	}
	for _, bad := range []string{"x", "AAAA", c.String() + "A"} {
		if _, err := domain.ParseCursor(bad); !errors.Is(err, domain.ErrInvalidInput) {
			t.Errorf("ParseCursor(%q) = %v, want invalid", bad, err)
		}
	}
}
