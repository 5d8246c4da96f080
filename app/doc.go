// Package app holds shortlink's use cases: create a link, resolve a code,
// manage a link (read, change, delete), count visits and read them back,
// keep the code pool stocked, settle the code secret, deliver the cache
// invalidations a store owes, and report readiness. They depend on domain
// and ports only, never on an adapter, and are concrete types; Module
// wires them with fx, and cmd/wiring adds the adapters.
package app
