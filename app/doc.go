// Package app holds shortlink's use cases: create a link, resolve a code,
// keep the code pool stocked, report readiness. They depend on ports only,
// never on an adapter, and are concrete types wired by cmd.
package app
