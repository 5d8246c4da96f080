package wiring

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/shortlink/shortlink/adapters/bolt"
	"github.com/shortlink/shortlink/app/config"
)

// greeting is, in embedded mode, the api's first words to the person who
// started it (`make run`): a plain line on stderr, before any JSON log
// line, saying which URL to open. Servers log as ever (nil).
func greeting(cfg config.Config) func(url string) { return greetingTo(cfg, os.Stderr) }

func greetingTo(cfg config.Config, w io.Writer) func(url string) {
	if cfg.Store != "embedded" {
		return nil
	}
	file := filepath.Join(cfg.DataDir, bolt.FileName)
	return func(url string) {
		_, _ = fmt.Fprintf(w, "shortlink is running: open %s (links are kept in %s; Ctrl-C stops it)\n", url, file)
	}
}
