package httpclient

import "fmt"

// APIError is an answer that refused the request (any status but 2xx).
type APIError struct {
	Status int
	// Message is the server's message for people.
	Message string
	// Reason is the stable word a program branches on ("" when the answer
	// was not the API's error envelope, e.g. from a proxy in between).
	Reason string
	// Field names the request field at fault, when one is.
	Field string
	// RetryAfter is the answer's Retry-After, when it has one.
	RetryAfter string
}

func (e *APIError) Error() string {
	if e.Reason == "" {
		return e.Message
	}
	return fmt.Sprintf("%s (%s)", e.Message, e.Reason)
}

// UnreachableError is a request that got no answer from the API.
type UnreachableError struct {
	URL string
	Err error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("cannot reach the API at %s: %v", e.URL, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }
