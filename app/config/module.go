package config

import "go.uber.org/fx"

// Module supplies cfg to an fx application. main loads cfg itself before fx
// starts, because flags and the health probe need it first.
func Module(cfg Config) fx.Option {
	return fx.Module("config", fx.Supply(cfg))
}
