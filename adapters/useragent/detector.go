// Package useragent tells bots from browsers by their User-Agent header,
// and names a browser's device class and browser and OS families, with
// github.com/medama-io/go-useragent's trie parser (maintained and
// allocation-free; its trie is kept here as plain integers the garbage
// collector need not scan, see trie.go) behind a fixed-size cache of
// classes, since a parse costs many times what a cached class does
// (BenchmarkIsBot). One parse serves both.
package useragent

import (
	"hash/maphash"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/medama-io/go-useragent/agents"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// DefaultCacheBytes is the cache's size when Options leave it zero.
const DefaultCacheBytes = 64 << 10

// Options configure a Detector.
type Options struct {
	// CacheBytes is the memory of the verdict cache: 8 bytes a slot,
	// rounded down to a power of two slots (at least 64).
	CacheBytes uint64
}

// Detector implements ports.BotDetector. Its cache is direct-mapped: a
// user agent's 64-bit hash (maphash, seeded per process, so nobody can
// aim collisions) picks one slot, which holds the hash, less its lowest
// classBits bits, and the class packed in those bits. A lookup is one
// hash and one atomic load; a miss parses and overwrites the slot (O(1)
// eviction, no lock, no allocation, memory fixed at start).
type Detector struct {
	trie  *flatTrie
	seed  maphash.Seed
	slots []atomic.Uint64
	mask  uint64
}

var _ ports.BotDetector = (*Detector)(nil)

// sharedTrie is the trie every detector reads (it is never written).
var sharedTrie = sync.OnceValue(newFlatTrie)

// New returns a detector. It builds the parser's trie, which is slow
// enough to do once per process, at start (detectors share it).
func New(opts Options) (*Detector, error) {
	if opts.CacheBytes == 0 {
		opts.CacheBytes = DefaultCacheBytes
	}
	n := uint64(1) << (63 - bits.LeadingZeros64(max(opts.CacheBytes/8, 64)))
	return &Detector{trie: sharedTrie(), seed: maphash.MakeSeed(), slots: make([]atomic.Uint64, n), mask: n - 1}, nil
}

// IsBot implements ports.BotDetector: the library's verdict (crawlers,
// link previewers, HTTP libraries and command-line clients are bots).
func (d *Detector) IsBot(userAgent string) bool { return d.Agent(userAgent).Bot }

// Agent implements ports.BotDetector.
func (d *Detector) Agent(userAgent string) domain.UserAgent {
	h := maphash.String(d.seed, userAgent)
	slot := &d.slots[h&d.mask]
	tag := h &^ classMask
	if v := slot.Load(); v&^classMask == tag && v&classValid != 0 {
		return unpack(v & classMask)
	}
	class := d.parse(userAgent)
	slot.Store(tag | class)
	return unpack(class)
}

// A class packed in a slot's low bits: valid (so no slot reads as empty),
// bot, then the indexes of device, browser and OS in their tables.
const (
	classBits  = 16
	classMask  = 1<<classBits - 1
	classValid = 1 << 15
	classBot   = 1 << 14
)

var (
	devices  = []string{domain.DeviceOther, domain.DeviceDesktop, domain.DeviceMobile, domain.DeviceTablet, domain.DeviceBot}
	browsers = []agents.Browser{"", agents.BrowserAndroid, agents.BrowserChrome, agents.BrowserEdge, agents.BrowserFirefox,
		agents.BrowserIE, agents.BrowserOpera, agents.BrowserOperaMini, agents.BrowserSafari, agents.BrowserVivaldi,
		agents.BrowserSilk, agents.BrowserSamsung, agents.BrowserFalkon, agents.BrowserNintendo, agents.BrowserYandex,
		agents.BrowserHuawei}
	systems = []agents.OS{"", agents.OSAndroid, agents.OSChromeOS, agents.OSIOS, agents.OSLinux, agents.OSFreeBSD,
		agents.OSOpenBSD, agents.OSMacOS, agents.OSWindows}
)

func (d *Detector) parse(userAgent string) uint64 {
	return classOf(d.trie.get(userAgent))
}

// classOf packs what the library's UserAgent methods would answer:
// IsBot, IsTablet, IsMobile, IsDesktop, Browser and OS.
func classOf(agent agent) uint64 {
	class := uint64(classValid)
	device := 0 // other: a TV, or none the parser names
	switch agent.device {
	case deviceBot:
		class |= classBot
		device = 4
	case deviceTablet:
		device = 3
	case deviceMobile:
		device = 2
	case deviceDesktop:
		device = 1
	}
	class |= uint64(device)
	if agent.browser >= browserAndroid && agent.browser <= browserHuawei {
		class |= uint64(max(slices.Index(browsers, browserNames[agent.browser-browserAndroid]), 0)) << 3
	}
	if agent.os >= osAndroid && agent.os <= osWindows {
		class |= uint64(max(slices.Index(systems, osNames[agent.os-osAndroid]), 0)) << 8
	}
	return class
}

// browserNames and osNames are the library's Match.GetMatchBrowser and
// GetMatchOS, in the order of the matches (FreeBSD has no name there).
var (
	browserNames = [...]agents.Browser{agents.BrowserAndroid, agents.BrowserChrome, agents.BrowserEdge, agents.BrowserFirefox,
		agents.BrowserIE, agents.BrowserOpera, agents.BrowserOperaMini, agents.BrowserSafari, agents.BrowserVivaldi,
		agents.BrowserSamsung, agents.BrowserSilk, agents.BrowserFalkon, agents.BrowserNintendo, agents.BrowserYandex,
		agents.BrowserHuawei}
	osNames = [...]agents.OS{agents.OSAndroid, agents.OSChromeOS, agents.OSIOS, agents.OSLinux, "",
		agents.OSOpenBSD, agents.OSMacOS, agents.OSWindows}
)

func unpack(class uint64) domain.UserAgent {
	ua := domain.UserAgent{Bot: class&classBot != 0, Device: devices[min(class&7, 4)], Browser: domain.ValueOther, OS: domain.ValueOther}
	if b := (class >> 3) & 31; b > 0 && int(b) < len(browsers) {
		ua.Browser = string(browsers[b])
	}
	if o := (class >> 8) & 15; o > 0 && int(o) < len(systems) {
		ua.OS = string(systems[o])
	}
	return ua
}
