package domain_test

import (
	"errors"
	"testing"

	"github.com/shortlink/shortlink/domain"
)

func TestChooseCodeSecret(t *testing.T) {
	t.Parallel()
	generated := domain.NewGeneratedSecret()
	explicitRecord := domain.SecretRecord{Fingerprint: domain.SecretFingerprint("operator-secret")}
	tests := []struct {
		name        string
		explicit    string
		rotate      bool
		held        domain.SecretRecord
		want        string // "" with wantErr
		wantErr     error
		wantReplace bool
	}{
		{"unset: the data set's generated secret", "", false, generated, generated.Secret, nil, false},
		{"unset on an explicit data set: refused", "", false, explicitRecord, "", domain.ErrSecretMismatch, false},
		{"unset, rotating away from an explicit one", "", true, explicitRecord, "", nil, true},
		{"explicit and matching", "operator-secret", false, explicitRecord, "operator-secret", nil, false},
		{"explicit over a generated one: refused", "operator-secret", false, generated, "", domain.ErrSecretMismatch, false},
		{"explicit and different: refused", "other-secret", false, explicitRecord, "", domain.ErrSecretMismatch, false},
		{"explicit and different, rotating", "other-secret", true, explicitRecord, "other-secret", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, replace, err := domain.ChooseCodeSecret(tt.explicit, tt.rotate, tt.held)
			if !errors.Is(err, tt.wantErr) || (replace != nil) != tt.wantReplace {
				t.Fatalf("ChooseCodeSecret = %q, %+v, %v", got, replace, err)
			}
			if tt.want != "" && got != tt.want {
				t.Fatalf("secret = %q, want %q", got, tt.want)
			}
			if replace != nil && (got == "" || replace.Fingerprint != domain.SecretFingerprint(got)) {
				t.Fatalf("replacement %+v does not fingerprint the chosen secret %q", replace, got)
			}
		})
	}
}

func TestGeneratedSecretsDiffer(t *testing.T) {
	t.Parallel()
	a, b := domain.NewGeneratedSecret(), domain.NewGeneratedSecret()
	if a.Secret == b.Secret || len(a.Secret) < 64 || a.Fingerprint != domain.SecretFingerprint(a.Secret) {
		t.Fatalf("generated secrets %+v and %+v", a, b)
	}
}
