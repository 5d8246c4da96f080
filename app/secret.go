package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// CodeSecrets settles, once per process, the secret generated codes are
// minted with: the data set's own (generated on first use with crypto/rand
// and kept in the store), or the operator's CODE_SECRET when it matches the
// fingerprint the data set keeps (domain.ChooseCodeSecret). A store that is
// down only postpones the decision; a mismatch is final.
type CodeSecrets struct {
	store    ports.CodeSecretStore
	explicit string
	rotate   bool
	log      *slog.Logger

	mu  sync.Mutex
	gen *domain.CodeGenerator
	err error // set once the decision failed for good
}

// NewCodeSecrets returns the secrets of the data set behind store.
// explicit is CODE_SECRET (empty when unset), rotate CODE_SECRET_ROTATE.
func NewCodeSecrets(store ports.CodeSecretStore, explicit string, rotate bool, log *slog.Logger) *CodeSecrets {
	return &CodeSecrets{store: store, explicit: explicit, rotate: rotate, log: log}
}

// Generator returns the code generator keyed with the data set's secret.
// Its errors: domain.ErrUnavailable while the store cannot be read, and
// domain.ErrSecretMismatch, for good, when CODE_SECRET is not the data
// set's and no rotation was asked for.
func (s *CodeSecrets) Generator(ctx context.Context) (*domain.CodeGenerator, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gen != nil || s.err != nil {
		return s.gen, s.err
	}
	candidate := domain.NewGeneratedSecret()
	if s.explicit != "" {
		candidate = domain.SecretRecord{Fingerprint: domain.SecretFingerprint(s.explicit)}
	}
	held, err := s.store.LoadOrCreate(ctx, candidate)
	if err != nil {
		return nil, fmt.Errorf("read the code secret: %w", err)
	}
	secret, replace, err := domain.ChooseCodeSecret(s.explicit, s.rotate, held)
	if err != nil {
		s.err = err
		return nil, err
	}
	if replace != nil {
		if err := s.store.Replace(ctx, *replace); err != nil {
			return nil, fmt.Errorf("rotate the code secret: %w", err)
		}
		s.log.Warn("code secret rotated: new codes are minted with the new secret", "fingerprint", replace.Fingerprint)
	}
	if s.gen, err = domain.NewCodeGenerator(secret); err != nil {
		s.err = err
		return nil, err
	}
	return s.gen, nil
}

// Settle decides the secret at start: a mismatch stops the process, while
// a store that is down is only logged (creates answer 503 until it is back).
func (s *CodeSecrets) Settle(ctx context.Context) error {
	_, err := s.Generator(ctx)
	if err != nil && !errors.Is(err, domain.ErrSecretMismatch) {
		s.log.Warn("code secret not settled yet; creates wait for the store", "error", err)
		return nil
	}
	return err
}
