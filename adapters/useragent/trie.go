package useragent

// A pointer-free copy of github.com/medama-io/go-useragent's trie (MIT
// License, Copyright (c) 2023 medama-io) and of its lookup, RuneTrie.Get
// with addMatch, v1.2.5. The library keeps its trie as 83 000 heap nodes
// linked by pointers (5.4 MB, 3.3 MB of it scanned, held by a package
// variable once NewParser runs), which the garbage collector marks on
// every cycle of the api's life. Here the same trie lives in three slices
// of plain integers (0.8 MB), which the collector allocates as no-scan
// spans and never walks. The trie is
// built by the library's own Put, from a copy of its embedded tokens
// (medama_final.txt), then flattened; the library's version parsing is
// left out, since only the classes are kept. TestFlatTrieIsTheLibrarys
// checks that the flattened trie equals the one NewParser builds, and
// TestParseAgreesWithTheLibrary that lookups agree with the library's.

import (
	_ "embed"
	"math"
	"reflect"
	"slices"
	"strings"
	"unicode"

	medama "github.com/medama-io/go-useragent"
)

//go:embed medama_final.txt
var medamaTokens string

// match is the library's internal.Match, in its order.
type match uint8

const (
	unknown match = iota
	browserAndroid
	browserChrome
	browserEdge
	browserFirefox
	browserIE
	browserOpera
	browserOperaMini
	browserSafari
	browserVivaldi
	browserSamsung
	browserSilk
	browserFalkon
	browserNintendo
	browserYandex
	browserHuawei
	osAndroid
	osChromeOS
	osIOS
	osLinux
	osFreeBSD
	osOpenBSD
	osMacOS
	osWindows
	deviceDesktop
	deviceMobile
	deviceTablet
	deviceTV
	deviceBot
	tokenVersion
	tokenMobileDevice
)

// matchType is the library's internal.MatchType, whose iota runs on
// from the matches' in the library's const block.
type matchType uint8

const (
	matchBrowser matchType = iota + matchType(tokenMobileDevice) + 2
	matchOS
	matchDevice
	matchVersion
)

// precedenceMobile is internal.MatchPrecedenceMap[DeviceMobile].
const precedenceMobile = 2

type flatResult struct {
	match      match
	typ        matchType
	precedence uint8
}

// flatNode is a node of the flat trie. The nodes are numbered breadth
// first, so a node's children are consecutive: nodes[firstChild :
// firstChild+childN], reached by the bytes labels[firstChild:…]; its
// results are results[result : result+resultN]. 8 bytes a node, and one
// for its label, against the library's 48 and more.
type flatNode struct {
	firstChild      uint32
	result          uint16
	childN, resultN uint8
}

// flatTrie is the trie: node 0 is the root.
type flatTrie struct {
	nodes   []flatNode
	labels  []byte // the byte that leads to each node (the tokens are ASCII)
	results []flatResult
}

// newFlatTrie builds the library's trie from its tokens and flattens it;
// the library's nodes are garbage once it returns.
func newFlatTrie() *flatTrie {
	t := medama.NewRuneTrie()
	for line := range strings.Lines(medamaTokens) {
		t.Put(strings.TrimRight(line, "\r\n"))
	}
	return flatten(t)
}

// flatten copies a library trie, breadth first, reading its unexported
// fields (childrenArr []childNode{node, r}, result []resultItem{Match,
// Type, Precedence}) by reflection. It panics if they change or a trie
// outgrows the flat fields, which TestFlatTrieIsTheLibrarys shows first.
func flatten(root *medama.RuneTrie) *flatTrie {
	t := &flatTrie{nodes: []flatNode{{}}, labels: []byte{0}}
	queue := []reflect.Value{reflect.ValueOf(root).Elem()}
	for i := 0; i < len(queue); i++ {
		n := queue[i]
		kids, res := n.FieldByName("childrenArr"), n.FieldByName("result")
		if kids.Len() > math.MaxUint8 || res.Len() > math.MaxUint8 || len(t.results) > math.MaxUint16 || len(queue) > math.MaxUint32-kids.Len() {
			panic("useragent: the library's trie outgrows the flat one")
		}
		t.nodes[i] = flatNode{firstChild: uint32(len(queue)), childN: uint8(kids.Len()), result: uint16(len(t.results)), resultN: uint8(res.Len())}
		for j := range res.Len() {
			r := res.Index(j)
			t.results = append(t.results, flatResult{
				match:      match(r.FieldByName("Match").Uint()),
				typ:        matchType(r.FieldByName("Type").Uint()),
				precedence: uint8(r.FieldByName("Precedence").Uint()),
			})
		}
		for j := range kids.Len() {
			c := kids.Index(j)
			r := c.FieldByName("r").Int()
			if r <= 0 || r > unicode.MaxASCII {
				panic("useragent: a token of the library's is not ASCII")
			}
			queue = append(queue, c.FieldByName("node").Elem())
			t.nodes = append(t.nodes, flatNode{})
			t.labels = append(t.labels, byte(r))
		}
	}
	if len(t.results) > math.MaxUint16 {
		panic("useragent: the library's trie outgrows the flat one")
	}
	// Drop the slack that appending left.
	t.nodes, t.labels, t.results = slices.Clone(t.nodes), slices.Clone(t.labels), slices.Clone(t.results)
	return t
}

// agent is what a lookup finds: the library's UserAgent less the version.
type agent struct {
	browser, os, device                             match
	browserPrecedence, osPrecedence, typePrecedence uint8
}

// trie parsing states, as the library's.
const (
	stateDefault = iota
	stateVersion
	stateSkipWhitespace
	stateSkipClosingParenthesis
	stateSkipToken
)

func isDigit(r rune) bool  { return '0' <= r && r <= '9' }
func isLetter(r rune) bool { return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' }

// get is RuneTrie.Get over the flat trie, without the version buffer
// (whose only effect on the classes is none).
func (t *flatTrie) get(key string) agent {
	state := stateDefault
	node := &t.nodes[0]
	var ua agent
	var skipCount, nest uint8
	versionSeen := false // the library's ua.versionIndex > 0
	for i, r := range key {
		if skipCount > 0 {
			skipCount--
			continue
		}
		switch state {
		case stateSkipWhitespace:
			if r == ' ' {
				state = stateDefault
			}
		case stateSkipClosingParenthesis:
			switch r {
			case '(':
				nest++
			case ')':
				if nest == 0 {
					state = stateDefault
				} else {
					nest--
				}
			}
		case stateSkipToken:
			switch r {
			case ' ', ';', ')', '(', ',', '_', '-', '/':
				state = stateDefault
			}
		case stateVersion:
			if r == '/' {
				continue
			}
			if !isDigit(r) && r != '.' {
				state = stateDefault
			} else {
				versionSeen = true
			}
		case stateDefault:
			switch r {
			case ' ', ';', ')', '(', ',', '_', '-', '/':
				continue
			default:
				if isDigit(r) || (r == '.' && len(key) > i+1 && isDigit(rune(key[i+1]))) {
					continue
				}
				// (The library then skips language codes when r == ' ',
				// which the case above has already ruled out.)
			}
			for _, result := range t.results[node.result : int(node.result)+int(node.resultN)] {
				matched := ua.addMatch(result)
				if (matched && result.typ == matchBrowser && result.match != browserSafari) ||
					(result.typ == matchVersion && !versionSeen) {
					versionSeen = false
					skipCount = 1
					state = stateVersion
				}
				if matched && result.match == deviceMobile {
					state = stateSkipWhitespace
				}
				if matched && result.match == osAndroid {
					state = stateSkipClosingParenthesis
				}
			}
			next := -1
			if r <= unicode.MaxASCII { // no label is anything else
				for k := node.firstChild; k < node.firstChild+uint32(node.childN); k++ {
					if t.labels[k] == byte(r) {
						next = int(k)
						break
					}
				}
			}
			if next < 0 {
				if isLetter(r) {
					state = stateSkipToken
				}
				continue
			}
			node = &t.nodes[next]
		}
	}
	return ua
}

// addMatch is the library's UserAgent.addMatch.
func (ua *agent) addMatch(result flatResult) bool {
	if result.typ == matchBrowser && result.precedence > ua.browserPrecedence {
		switch result.match {
		case browserChrome, browserEdge, browserFirefox, browserIE, browserOpera, browserSafari, browserVivaldi,
			browserSamsung, browserSilk, browserFalkon, browserNintendo, browserYandex, browserHuawei:
			ua.browser = result.match
		case browserOperaMini:
			ua.browser = result.match
			ua.device = deviceMobile
		}
		ua.browserPrecedence = result.precedence
		return true
	}
	if result.typ == matchOS && result.precedence > ua.osPrecedence {
		switch result.match {
		case osChromeOS, osFreeBSD, osOpenBSD, osMacOS, osWindows:
			ua.os = result.match
			ua.device = deviceDesktop
		case osAndroid:
			ua.os = result.match
			ua.device = deviceMobile
			if ua.browser == unknown {
				ua.browser = browserAndroid
				ua.browserPrecedence = precedenceMobile
			}
		case osIOS:
			ua.os = result.match
			if ua.device != deviceTablet {
				ua.device = deviceMobile
			}
		case osLinux:
			ua.os = result.match
			if ua.device != deviceTablet && ua.device != deviceTV {
				ua.device = deviceDesktop
			}
		}
		ua.osPrecedence = result.precedence
		return true
	}
	if result.typ == matchDevice && result.precedence > ua.typePrecedence {
		switch result.match {
		case deviceDesktop, deviceTablet, deviceTV, deviceBot:
			ua.device = result.match
		case deviceMobile, tokenMobileDevice:
			if ua.device != deviceTablet {
				ua.device = deviceMobile
			}
		}
		ua.typePrecedence = result.precedence
		return true
	}
	return false
}
