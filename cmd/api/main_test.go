package main

import (
	"testing"

	"go.uber.org/fx"

	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/cmd/wiring"
)

// TestWiring checks that fx can build the api in both modes: every
// constructor's dependencies are provided, nothing is provided twice.
func TestWiring(t *testing.T) {
	t.Parallel()
	for _, store := range []string{"postgres", "embedded"} {
		t.Run(store, func(t *testing.T) {
			t.Parallel()
			cfg, err := config.Load(func(k string) (string, bool) {
				if k == "STORE" {
					return store, true
				}
				return "", false
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := fx.ValidateApp(wiring.API(cfg)); err != nil {
				t.Fatal(err)
			}
		})
	}
}
