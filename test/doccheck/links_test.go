package doccheck

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shortlink/shortlink/test/testkit"
)

// TestRelativeLinksLeadSomewhere checks every relative link and anchor of
// every Markdown document of the repository.
func TestRelativeLinksLeadSomewhere(t *testing.T) {
	root := moduleRoot(t)
	files, err := markdownFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"README.md", filepath.Join("docs", "api.md")} {
		if !slices.Contains(files, want) {
			t.Fatalf("the documents found (%v) do not include %s", files, want)
		}
	}
	c := newLinkChecker(root)
	links := 0
	for _, f := range files {
		problems, err := c.broken(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range problems {
			t.Error(p)
		}
		links += len(c.docs[f].links)
	}
	if links < 20 {
		t.Fatalf("found only %d links in %d documents: is the reader broken?", links, len(files))
	}
}

func TestLinkCheckerReportsWhatLeadsNowhere(t *testing.T) {
	root := t.TempDir()
	write := func(rel, text string) {
		t.Helper()
		path := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("docs/page.md", "# Page\n## Two words\n")
	write("docs/code.go", "package x\n")
	write("bin/tool/README.md", "[ignored](nowhere.md)\n")
	write("README.md", strings.Join([]string{
		"# Top",
		"[ok](docs/page.md) [ok](docs/page.md#two-words) [ok](#top) [ok](docs/) [ok](docs/code.go#L1)",
		"[ok](/docs/page.md) [ok](https://example.com/nowhere.md) [ok](docs/page.md?plain=1)",
		"[missing](docs/nope.md)",
		"[no such heading](docs/page.md#three-words)",
		"[no such heading here](#bottom)",
		"[outside](../shared/SPEC.md)",
		"[escaped outside](docs/../../x.md)",
	}, "\n"))

	files, err := markdownFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"README.md", filepath.Join("docs", "page.md")}; !slices.Equal(files, want) {
		t.Errorf("files = %v, want %v (bin/ is skipped)", files, want)
	}
	got, err := newLinkChecker(root).broken("README.md")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`README.md:4: "docs/nope.md": docs/nope.md does not exist`,
		`README.md:5: "docs/page.md#three-words": docs/page.md has no heading with the anchor #three-words`,
		`README.md:6: "#bottom": README.md has no heading with the anchor #bottom`,
		`README.md:7: "../shared/SPEC.md" leads outside the repository`,
		`README.md:8: "docs/../../x.md" leads outside the repository`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := testkit.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}
