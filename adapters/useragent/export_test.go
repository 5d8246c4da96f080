package useragent

import (
	"slices"

	medama "github.com/medama-io/go-useragent"
)

// CachedBytes is the memory the cache holds, for tests.
func (d *Detector) CachedBytes() uint64 { return uint64(len(d.slots)) * 8 }

// Parse classifies without the cache, for benchmarks.
func (d *Detector) Parse(ua string) bool { return d.parse(ua)&classBot != 0 }

// Class is a parse's packed class, without the cache.
func (d *Detector) Class(ua string) uint64 { return d.parse(ua) }

// LibraryClass is the class the library's own parser gives ua, packed as
// Class packs it: what the detector answered before its trie was flat.
func LibraryClass(p *medama.Parser, ua string) uint64 {
	agent := p.Parse(ua)
	class := uint64(classValid)
	device := 0
	switch {
	case agent.IsBot():
		class |= classBot
		device = 4
	case agent.IsTablet():
		device = 3
	case agent.IsMobile():
		device = 2
	case agent.IsDesktop():
		device = 1
	}
	class |= uint64(device)
	class |= uint64(max(slices.Index(browsers, agent.Browser()), 0)) << 3
	class |= uint64(max(slices.Index(systems, agent.OS()), 0)) << 8
	return class
}

// FlatTrieOf flattens the library parser's trie; NewFlatTrie builds the
// detector's. TrieEqual compares two.
func FlatTrieOf(p *medama.Parser) any { return flatten(p.Trie) }
func NewFlatTrie() any                { return newFlatTrie() }
func TrieNodes(t any) int             { return len(t.(*flatTrie).nodes) }
