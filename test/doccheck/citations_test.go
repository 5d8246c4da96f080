package doccheck

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// outsideCitation matches what points a reader at a document outside the
// repository: the product contract's sections ("SPEC §8"), the house style,
// tracker issues ("issue 12"), or paths of the machine it was written on.
var outsideCitation = regexp.MustCompile(`\bSPEC\b|\bSTYLE\.md\b|§\s*\d|(?i:\bissues? #?\d+)|\.\./shared/|/work/`)

// TestDocumentsCiteOnlyTheRepository fails when a Markdown document, code
// blocks included, sends its reader to a document outside the repository:
// say it in the repository's own words instead.
func TestDocumentsCiteOnlyTheRepository(t *testing.T) {
	root := moduleRoot(t)
	files, err := markdownFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range strings.Split(string(raw), "\n") {
			if m := outsideCitation.FindString(l); m != "" {
				t.Errorf("%s:%d cites %q, outside the repository: %s", filepath.ToSlash(f), i+1, m, strings.TrimSpace(l))
			}
		}
	}
}

func TestOutsideCitationPattern(t *testing.T) {
	for text, cites := range map[string]bool{
		"expand-only (SPEC §8)":              true,
		"see SPEC.md":                        true,
		"as issue 12 asks":                   true,
		"Issues #3 and #4":                   true,
		"see ../shared/notes.md":             true,
		"in /work/main/README.md":            true,
		"the OpenAPI spec":                   false,
		"an issue with the cache":            false,
		"the `issuer` claim, 12 of them":     false,
		"STYLE rules keep ports small":       false,
		"[operations](operations.md#issues)": false,
	} {
		if got := outsideCitation.MatchString(text); got != cites {
			t.Errorf("%q: cites = %v, want %v", text, got, cites)
		}
	}
}
