package main

import (
	"errors"
	"fmt"

	"github.com/shortlink/shortlink/adapters/httpclient"
)

// Exit codes: scripts tell a refusal from a mistake from an outage.
const (
	exitOK          = 0
	exitRefused     = 1 // the API refused the request, or another failure
	exitUsage       = 2 // the command line is wrong (arguments, flags, configuration)
	exitUnreachable = 3 // no answer from the API
)

// usageError is a mistake in how the command was called.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

func usageErrorf(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// exitCode classifies err. Before a command starts running, every error is
// cobra's: an unknown command or flag, a wrong number of arguments.
func exitCode(err error, started bool) int {
	var (
		usage       usageError
		unreachable *httpclient.UnreachableError
		refused     *httpclient.APIError
	)
	switch {
	case errors.As(err, &unreachable):
		return exitUnreachable
	case errors.As(err, &refused):
		return exitRefused
	case errors.As(err, &usage), !started:
		return exitUsage
	default:
		return exitRefused
	}
}
