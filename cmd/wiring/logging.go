package wiring

import (
	"io"
	"log/slog"
	"os"

	"go.uber.org/fx/fxevent"

	"github.com/shortlink/shortlink/app/config"
)

// NewLogger returns the process's structured JSON logger on stdout at LOG_LEVEL.
func NewLogger(cfg config.Config) *slog.Logger {
	return NewLoggerTo(cfg, os.Stdout)
}

// NewLoggerTo is NewLogger writing to w.
func NewLoggerTo(cfg config.Config, w io.Writer) *slog.Logger {
	level, _ := cfg.SlogLevel() // validated by config.Load
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

// FxLogger reports fx's own failures (a constructor or start hook that
// failed, a port already taken) as JSON on stderr, and nothing else.
func FxLogger() fxevent.Logger {
	return &fxevent.SlogLogger{Logger: slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))}
}
