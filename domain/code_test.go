package domain_test

import (
	"errors"
	"slices"
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

func TestParseAliasRefusesRouteNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		alias    string
		reserved bool
	}{
		{"v1", true},
		{"metrics", true},
		{"health", true},
		{"ready", true},
		{"openapi", true},
		{"Metrics", false}, // paths are case-sensitive: /Metrics is no route
		{"V1", false},
		{"v2", false},
		{"healthy", false},
		{"metrics-2024", false},
	}
	for _, tt := range tests {
		t.Run(tt.alias, func(t *testing.T) {
			t.Parallel()
			code, err := domain.ParseAlias(tt.alias)
			var verr *domain.ValidationError
			if tt.reserved && (!errors.As(err, &verr) || verr.Field != "alias") {
				t.Fatalf("ParseAlias(%q) = %q, %v; want a validation error on alias", tt.alias, code, err)
			}
			if !tt.reserved && (err != nil || string(code) != tt.alias) {
				t.Fatalf("ParseAlias(%q) = %q, %v", tt.alias, code, err)
			}
		})
	}
}

func TestReservedAliasesAreRefused(t *testing.T) {
	t.Parallel()
	names := domain.ReservedAliases()
	for _, name := range []string{"v1", "metrics", "health", "ready", "openapi"} {
		if !slices.Contains(names, name) {
			t.Errorf("ReservedAliases() = %q, missing %q", names, name)
		}
	}
	for _, name := range names {
		if _, err := domain.ParseAlias(name); !errors.Is(err, domain.ErrInvalidInput) {
			t.Errorf("ParseAlias(%q) error = %v, want a validation error", name, err)
		}
	}
	names[0] = "changed"
	if domain.ReservedAliases()[0] == "changed" {
		t.Error("ReservedAliases returned its own list, not a copy")
	}
}

func FuzzParseAlias(f *testing.F) {
	for _, s := range []string{"", "a", "my-link", "-a", "a-", strings.Repeat("Z", 33), "ü", "a\x00b", "metrics", "v1"} {
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
		if slices.Contains(domain.ReservedAliases(), s) {
			t.Fatalf("accepted the reserved name %q", s)
		}
	})
}
