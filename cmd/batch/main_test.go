package main

import (
	"testing"

	"go.uber.org/fx"

	"github.com/shortlink/shortlink/app/config"
)

// TestWiring checks that fx can build the batch, once and looping.
func TestWiring(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	if err := fx.ValidateApp(modules(cfg), fx.Invoke(runLoop)); err != nil {
		t.Fatal(err)
	}
}
