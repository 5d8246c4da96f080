package domain_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/shortlink/shortlink/domain"
)

func TestUTM(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 40) // 80 bytes: cut at a character boundary
	for _, tc := range []struct{ name, query, source, medium, campaign string }{
		{"none", "", "none", "none", "none"},
		{"all three", "utm_source=news&utm_medium=email&utm_campaign=spring", "news", "email", "spring"},
		{"decoded", "utm_campaign=spring%20sale&utm_source=a+b", "a b", "none", "spring sale"},
		{"other parameters", "ref=1&utm_source=x&x=utm_source", "x", "none", "none"},
		{"empty value", "utm_source=&utm_medium", "none", "none", "none"},
		{"bad escape", "utm_source=%zz", "none", "none", "none"},
		{"control characters", "utm_source=a%0Ab", "none", "none", "none"},
		{"not UTF-8", "utm_source=%ff", "none", "none", "none"},
		{"cut", "utm_source=" + long, strings.Repeat("é", 32), "none", "none"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, m, c := domain.UTM(tc.query)
			if s != tc.source || m != tc.medium || c != tc.campaign {
				t.Errorf("UTM(%q) = %q, %q, %q; want %q, %q, %q", tc.query, s, m, c, tc.source, tc.medium, tc.campaign)
			}
		})
	}
}

func TestUTMAllocatesNothingForPlainValues(t *testing.T) {
	q := "utm_source=newsletter&utm_medium=email&utm_campaign=week-3"
	if n := testing.AllocsPerRun(100, func() { domain.UTM(q) }); n != 0 {
		t.Fatalf("UTM allocates %.0f times", n)
	}
}

func TestParseDimensionList(t *testing.T) {
	t.Parallel()
	got, err := domain.ParseDimensionList("country,referrer, utm_campaign")
	if err != nil || strings.Join(got, "|") != "country|referrer|utm_campaign" {
		t.Fatalf("got %v, %v", got, err)
	}
	for _, raw := range []string{"colour", "country,country", "country,"} {
		var v *domain.ValidationError
		if _, err := domain.ParseDimensionList(raw); !errors.As(err, &v) || v.Reason != domain.ReasonInvalidDimension {
			t.Errorf("ParseDimensionList(%q) = %v, want invalid_dimension", raw, err)
		}
	}
	if _, err := domain.ParseStatsFormat("xml"); err == nil {
		t.Error("format=xml accepted")
	}
}

func TestCountryCode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"DE": "DE", "": "XX", "-": "XX", "de": "XX", "ZZ": "XX", "DEU": "XX"} {
		if got := domain.CountryCode(in); got != want {
			t.Errorf("CountryCode(%q) = %q, want %q", in, got, want)
		}
	}
}
