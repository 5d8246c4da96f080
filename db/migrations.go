// Package db ships the dbmate migrations inside every binary that needs
// them, so a container image needs no migration files beside it.
package db

import "embed"

// Migrations holds the migration files under the folder MigrationsFSDir.
//
//go:embed migrations/*.sql
var Migrations embed.FS

// MigrationsFSDir is where the files sit inside Migrations.
const MigrationsFSDir = "migrations"
