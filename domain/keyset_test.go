package domain_test

import (
	"testing"

	"github.com/shortlink/shortlink/domain"
)

func TestKeySet(t *testing.T) {
	t.Parallel()
	keys := domain.NewKeySet([]string{"first-key-0123456789", " second-key-0123456789 ", "", "  "})
	for _, tc := range []struct {
		presented string
		want      bool
	}{
		{"first-key-0123456789", true},
		{"second-key-0123456789", true}, // configured with spaces around it: trimmed, as presented keys are
		{" second-key-0123456789 ", false},
		{"first-key-012345678", false},
		{"first-key-0123456789x", false},
		{"", false}, // the empty entries are no key
	} {
		if got := keys.Contains(domain.DigestToken(tc.presented)); got != tc.want {
			t.Errorf("Contains(%q) = %v, want %v", tc.presented, got, tc.want)
		}
	}
	if keys.Empty() || !domain.NewKeySet([]string{"", " "}).Empty() || !domain.NewKeySet(nil).Empty() {
		t.Fatal("Empty is wrong")
	}
}
