// Package domain holds shortlink's business rules: what a short link is,
// which codes, aliases, target URLs and expiry dates are acceptable, and the
// errors the rest of the service speaks in. It imports the standard library
// only, so every rule can be tested without a server.
package domain

import "errors"

// Sentinel errors. Adapters translate driver errors into these and the HTTP
// layer maps them to statuses; compare them with errors.Is only.
var (
	// ErrInvalidInput is matched by every *ValidationError.
	ErrInvalidInput = errors.New("invalid input")
	// ErrNotFound means no live link has the code; an expired link is not found.
	ErrNotFound = errors.New("short link not found")
	// ErrAliasTaken means a live link already uses the requested alias.
	ErrAliasTaken = errors.New("alias is already taken")
	// ErrCodeTaken is what a store returns when a live link already holds the
	// code; the create use case turns it into ErrAliasTaken or tries another code.
	ErrCodeTaken = errors.New("code is already taken")
	// ErrUnavailable means a dependency the operation needs is down.
	ErrUnavailable = errors.New("service temporarily unavailable")
	// ErrCodeSpaceExhausted means the counter has passed the last generated code.
	ErrCodeSpaceExhausted = errors.New("generated code space exhausted")
)

// ValidationError says which input field broke which rule. Its message is
// written for the API client.
type ValidationError struct {
	Field  string
	Reason string
}

func (e *ValidationError) Error() string { return e.Field + ": " + e.Reason }

// Is lets callers test any validation failure with errors.Is(err, ErrInvalidInput).
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidInput }

func invalid(field, reason string) error { return &ValidationError{Field: field, Reason: reason} }
