package domain_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/shortlink/shortlink/domain"
)

func TestParseCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input string
		ok    bool
	}{
		{"generated", "aZ09xYz", true},
		{"single character", "a", true},
		{"32 characters", strings.Repeat("a", 32), true},
		{"inner dash", "my-link", true},
		{"double inner dash", "my--link", true},
		{"empty", "", false},
		{"33 characters", strings.Repeat("a", 33), false},
		{"leading dash", "-abc", false},
		{"trailing dash", "abc-", false},
		{"lone dash", "-", false},
		{"underscore", "a_b", false},
		{"slash", "a/b", false},
		{"dot", "a.b", false},
		{"non-ASCII", "café", false},
		{"space", "a b", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, err := domain.ParseCode(tt.input)
			if tt.ok != (err == nil) {
				t.Fatalf("ParseCode(%q) error = %v, want ok=%v", tt.input, err, tt.ok)
			}
			if tt.ok && string(code) != tt.input {
				t.Fatalf("ParseCode(%q) = %q", tt.input, code)
			}
			if !tt.ok && !errors.Is(err, domain.ErrInvalidInput) {
				t.Fatalf("ParseCode(%q) error %v is not ErrInvalidInput", tt.input, err)
			}
		})
	}
}

func TestParseAliasEmptyMeansNoAlias(t *testing.T) {
	t.Parallel()
	code, err := domain.ParseAlias("")
	if err != nil || code != "" {
		t.Fatalf("ParseAlias(\"\") = %q, %v", code, err)
	}
	var verr *domain.ValidationError
	if _, err := domain.ParseAlias("bad_alias"); !errors.As(err, &verr) || verr.Field != "alias" {
		t.Fatalf("ParseAlias(bad_alias) error = %v, want a validation error on alias", err)
	}
}

func FuzzParseAlias(f *testing.F) {
	for _, s := range []string{"", "a", "my-link", "-a", "a-", strings.Repeat("Z", 33), "ü", "a\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, err := domain.ParseAlias(s)
		if err != nil {
			if !errors.Is(err, domain.ErrInvalidInput) {
				t.Fatalf("error %v is not a validation error", err)
			}
			return
		}
		if string(code) != s {
			t.Fatalf("ParseAlias(%q) = %q", s, code)
		}
		if s == "" {
			return
		}
		if len(s) > domain.MaxCodeLength || s[0] == '-' || s[len(s)-1] == '-' {
			t.Fatalf("accepted %q", s)
		}
		if strings.Trim(s, "-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			t.Fatalf("accepted %q, which has characters outside base62 and '-'", s)
		}
	})
}
