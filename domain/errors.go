// Package domain holds shortlink's business rules: what a short link is,
// which codes, aliases, target URLs and expiry dates are acceptable, and the
// errors the rest of the service speaks in. It imports the standard library
// and the golang.org/x packages that extend it (x/net/idna), nothing else
// (depguard's domain-is-pure), so every rule can be tested without a server.
package domain

import (
	"errors"
	"fmt"
)

// Sentinel errors. Adapters translate driver errors into these and the HTTP
// layer maps them to statuses; compare them with errors.Is only.
var (
	// ErrInvalidInput is matched by every *ValidationError.
	ErrInvalidInput = errors.New("invalid input")
	// ErrNotFound means no live link has the code; an expired link is not found.
	ErrNotFound = errors.New("short link not found")
	// ErrGone means the link was disabled or deleted: it answers 410.
	ErrGone = errors.New("short link is gone")
	// ErrAliasTaken means the requested alias is claimed: by a live link, or
	// by one that stopped resolving less than the code quarantine ago.
	ErrAliasTaken = errors.New("alias is already taken")
	// ErrCodeTaken is what a store returns when the code is claimed; the
	// create use case turns it into ErrAliasTaken or tries another code.
	ErrCodeTaken = errors.New("code is already taken")
	// ErrUnauthenticated means a management request carried no credentials.
	ErrUnauthenticated = errors.New("credentials required")
	// ErrForbidden means the credentials do not grant the request.
	ErrForbidden = errors.New("not allowed")
	// ErrTakenDown refuses the owner any change of a link an administrator
	// disabled (a takedown): only an administrator may change or delete it.
	ErrTakenDown = fmt.Errorf("%w: an administrator took this link down; only an administrator can change or delete it", ErrForbidden)
	// ErrAdminOnly refuses the owner what only an administrator may do:
	// enable a link an administrator disabled. It is a takedown's refusal.
	ErrAdminOnly = fmt.Errorf("%w: only an administrator can enable it", ErrTakenDown)
	// ErrLinkExpired means a change needs a live link, and it has expired.
	ErrLinkExpired = errors.New("the link has expired and cannot be revived")
	// ErrFeatureNotEnabled refuses a feature whose rows the previous
	// release would serve wrongly (a password-protected link) until the
	// operator has run the contract step of the deploy (`migrate contract`).
	ErrFeatureNotEnabled = errors.New("feature not enabled until the deploy's contract step has run")
	// ErrPasswordRequired means the link asks for its password before it
	// leads on.
	ErrPasswordRequired = errors.New("this link is protected by a password")
	// ErrWrongPassword means an unlock presented a password that is not
	// the link's.
	ErrWrongPassword = errors.New("wrong password")
	// ErrUnavailable means a dependency the operation needs is down.
	ErrUnavailable = errors.New("service temporarily unavailable")
	// ErrCodeSpaceExhausted means the counter has passed the last generated code.
	ErrCodeSpaceExhausted = errors.New("generated code space exhausted")
)

// Reason is a stable, machine-readable word (snake_case) for why a request
// was refused: clients branch on it, people read the message beside it.
// The domain names the reasons of its validation errors; the HTTP layer
// names those of its own answers and of the sentinel errors above.
type Reason string

// The reasons of validation errors.
const (
	ReasonMissingField     Reason = "missing_field"
	ReasonInvalidURL       Reason = "invalid_url"
	ReasonURLTooLong       Reason = "url_too_long"
	ReasonOwnHost          Reason = "own_host"
	ReasonDeniedHost       Reason = "denied_host"
	ReasonInvisibleChars   Reason = "invisible_characters"
	ReasonUserinfo         Reason = "userinfo_not_allowed"
	ReasonInvalidAlias     Reason = "invalid_alias"
	ReasonReservedAlias    Reason = "reserved_alias"
	ReasonInvalidCode      Reason = "invalid_code"
	ReasonInvalidExpiresAt Reason = "invalid_expires_at"
	ReasonExpiresAtPast    Reason = "expires_at_in_past"
	ReasonExpiresAtTooFar  Reason = "expires_at_too_far"
	ReasonInvalidWindow    Reason = "invalid_window"
	ReasonInvalidInterval  Reason = "invalid_interval"
	// The reasons of workspaces, keys, titles, tags and listing, docs/api.md.
	ReasonInvalidRole      Reason = "invalid_role"
	ReasonInvalidName      Reason = "invalid_name"
	ReasonInvalidTitle     Reason = "invalid_title"
	ReasonInvalidTag       Reason = "invalid_tag"
	ReasonTooManyTags      Reason = "too_many_tags"
	ReasonInvalidCursor    Reason = "invalid_cursor"
	ReasonInvalidFilter    Reason = "invalid_filter"
	ReasonInvalidDimension Reason = "invalid_dimension"
	ReasonInvalidFormat    Reason = "invalid_format"
	ReasonInvalidPassword  Reason = "invalid_password"
)

// ValidationError says which input field broke which rule: Reason for
// programs, Message (a sentence naming the field) for people.
type ValidationError struct {
	Field   string
	Reason  Reason
	Message string
}

func (e *ValidationError) Error() string { return e.Message }

// Is lets callers test any validation failure with errors.Is(err, ErrInvalidInput).
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidInput }

func invalid(field string, reason Reason, message string) error {
	return &ValidationError{Field: field, Reason: reason, Message: message}
}
