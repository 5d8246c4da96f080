package config

import (
	"io"
	"log/slog"
	"os"

	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"
)

// Module provides the process logger. The Config itself is supplied by main,
// which needs it before fx starts (flags, health probe).
var Module = fx.Module("config",
	fx.Provide(func(cfg Config) *slog.Logger { return NewLogger(cfg, os.Stdout) }),
)

// NewLogger returns the structured JSON logger at LOG_LEVEL.
func NewLogger(cfg Config, w io.Writer) *slog.Logger {
	level, _ := cfg.SlogLevel() // validated by Load
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

// FxLogger reports fx's own failures (a constructor or start hook that
// failed, a port already taken) as JSON on stderr, and nothing else.
func FxLogger() fxevent.Logger {
	return &fxevent.SlogLogger{Logger: slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))}
}
