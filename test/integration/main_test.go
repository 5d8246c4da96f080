//go:build integration

// Package integration checks the roles of the two Redis servers and the
// service's behaviour under faults (a killed api, a restarted Postgres, a
// Redis going away) against real servers: the real api and batch binaries or
// the real use cases and adapters assembled in process. Outages are staged
// on private redis-server and PostgreSQL processes, so the machine's shared
// servers are never disturbed.
package integration

import (
	"testing"

	"github.com/shortlink/shortlink/test/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }
