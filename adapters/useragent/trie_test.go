package useragent_test

import (
	"reflect"
	"strings"
	"testing"

	medama "github.com/medama-io/go-useragent"
	"github.com/medama-io/go-useragent/data"

	"github.com/shortlink/shortlink/adapters/useragent"
	"github.com/shortlink/shortlink/test/testkit"
)

// The detector's trie is the one the library builds from its own
// embedded tokens (so medama_final.txt is the library's file, and must
// be copied again when the library is upgraded).
func TestFlatTrieIsTheLibrarys(t *testing.T) {
	t.Parallel()
	ours, theirs := useragent.NewFlatTrie(), useragent.FlatTrieOf(medama.NewParser())
	if n := useragent.TrieNodes(theirs); n < 1000 {
		t.Fatalf("the library's trie flattened to %d nodes", n)
	}
	if !reflect.DeepEqual(ours, theirs) {
		t.Fatalf("the detector's trie (%d nodes) differs from the library's (%d nodes): copy data/final.txt of the library's version to medama_final.txt",
			useragent.TrieNodes(ours), useragent.TrieNodes(theirs))
	}
}

// Every class the detector answers is the one the library's own parser
// gives, on the library's test cases, ours, and variants of both.
func TestParseAgreesWithTheLibrary(t *testing.T) {
	t.Parallel()
	d, err := useragent.New(useragent.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := medama.NewParser()
	var corpus []string
	for _, tc := range data.AllTestCases {
		corpus = append(corpus, tc.UserAgent)
	}
	for _, tc := range testkit.UserAgents {
		corpus = append(corpus, tc.Header)
	}
	if len(corpus) < 50 {
		t.Fatalf("corpus of %d agents", len(corpus))
	}
	for _, ua := range corpus[:len(corpus):len(corpus)] {
		corpus = append(corpus, strings.ToLower(ua), ua+" en-US", "x"+ua, ua[:len(ua)/2], strings.ReplaceAll(ua, " ", ""))
	}
	distinct := map[uint64]bool{}
	for _, ua := range corpus {
		got, want := d.Class(ua), useragent.LibraryClass(p, ua)
		if got != want {
			t.Errorf("class of %q = %#x, the library's %#x", ua, got, want)
		}
		distinct[got] = true
	}
	if len(distinct) < 10 {
		t.Fatalf("only %d distinct classes over %d agents", len(distinct), len(corpus))
	}
}
