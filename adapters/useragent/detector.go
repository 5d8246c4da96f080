// Package useragent tells bots from browsers by their User-Agent header,
// with github.com/medama-io/go-useragent (a maintained, allocation-free trie
// parser) behind a cache bounded in bytes, since a parse costs about a
// microsecond and a cached verdict a small fraction of that.
package useragent

import (
	"fmt"
	"strings"

	"github.com/maypok86/otter/v2"
	medama "github.com/medama-io/go-useragent"

	"github.com/shortlink/shortlink/ports"
)

const (
	// DefaultCacheBytes is the cache's bound when Options leave it zero.
	DefaultCacheBytes = 1 << 20
	// maxCachedLength is the longest user agent whose verdict is cached:
	// browsers send 100–250 bytes; longer ones are parsed every time, so
	// padded headers cannot evict the common ones cheaply.
	maxCachedLength = 512
	// entryOverhead approximates an entry's cost beyond its key: the
	// hash table node and the eviction policy's metadata.
	entryOverhead = 96
)

// Options configure a Detector.
type Options struct {
	// CacheBytes bounds the memory of cached verdicts (keys included).
	CacheBytes uint64
}

// Detector implements ports.BotDetector.
type Detector struct {
	parser   *medama.Parser
	verdicts *otter.Cache[string, bool]
}

var _ ports.BotDetector = (*Detector)(nil)

// New returns a detector. Building the parser's trie takes a few
// milliseconds, once per process.
func New(opts Options) (*Detector, error) {
	if opts.CacheBytes == 0 {
		opts.CacheBytes = DefaultCacheBytes
	}
	verdicts, err := otter.New(&otter.Options[string, bool]{
		MaximumWeight: opts.CacheBytes,
		Weigher:       func(ua string, _ bool) uint32 { return uint32(entryOverhead + len(ua)) },
	})
	if err != nil {
		return nil, fmt.Errorf("user agent cache: %w", err)
	}
	return &Detector{parser: medama.NewParser(), verdicts: verdicts}, nil
}

// IsBot implements ports.BotDetector: the library's verdict (crawlers,
// link previewers, HTTP libraries and command-line clients are bots).
func (d *Detector) IsBot(userAgent string) bool {
	if len(userAgent) > maxCachedLength {
		return d.parse(userAgent)
	}
	if bot, ok := d.verdicts.GetIfPresent(userAgent); ok {
		return bot
	}
	bot := d.parse(userAgent)
	d.verdicts.Set(strings.Clone(userAgent), bot) // the header's string may pin a larger buffer
	return bot
}

func (d *Detector) parse(userAgent string) bool {
	agent := d.parser.Parse(userAgent)
	return agent.IsBot()
}
