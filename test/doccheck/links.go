package doccheck

import (
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// skippedDirs are never searched for documents: tools and packages
// installed into the tree (bin, node_modules), test fixtures, version
// control and other hidden directories.
var skippedDirs = map[string]bool{"bin": true, "node_modules": true, "testdata": true}

// generatedDirs hold reports written by a run, not documents (git ignores
// them), relative to the repository root.
var generatedDirs = []string{filepath.Join("test", "bench", "results")}

// markdownFiles lists the repository's Markdown documents, relative to
// root, in lexical order.
func markdownFiles(root string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			if rel != "." && (skippedDirs[d.Name()] || strings.HasPrefix(d.Name(), ".") || slices.Contains(generatedDirs, rel)) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.EqualFold(filepath.Ext(path), ".md") {
			files = append(files, rel)
		}
		return nil
	})
	return files, err
}

// absoluteURL matches a target with a scheme (https:, mailto:) or a
// protocol-relative one (//host): not a file of the repository.
var absoluteURL = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*:|//)`)

// linkChecker resolves the links of the documents under root, reading each
// linked document once.
type linkChecker struct {
	root string
	docs map[string]document // by path relative to root
}

func newLinkChecker(root string) *linkChecker {
	return &linkChecker{root: root, docs: map[string]document{}}
}

func (c *linkChecker) document(rel string) (document, error) {
	if doc, ok := c.docs[rel]; ok {
		return doc, nil
	}
	raw, err := os.ReadFile(filepath.Join(c.root, rel))
	if err != nil {
		return document{}, err
	}
	doc := parse(string(raw))
	c.docs[rel] = doc
	return doc, nil
}

// broken returns one line per link of the file (relative to root) that
// leads nowhere: a missing file or directory, a heading the linked
// document does not have, or a place outside the repository.
func (c *linkChecker) broken(file string) ([]string, error) {
	doc, err := c.document(file)
	if err != nil {
		return nil, err
	}
	var problems []string
	for _, l := range doc.links {
		if problem := c.check(file, l.target); problem != "" {
			problems = append(problems, fmt.Sprintf("%s:%d: %s", filepath.ToSlash(file), l.line, problem))
		}
	}
	return problems, nil
}

// check says why target, a link of file, leads nowhere, or "".
func (c *linkChecker) check(file, target string) string {
	if target == "" {
		return "a link without a target"
	}
	if absoluteURL.MatchString(target) {
		return ""
	}
	pathPart, fragment, _ := strings.Cut(target, "#")
	pathPart, _, _ = strings.Cut(pathPart, "?")
	decoded, err := url.PathUnescape(pathPart)
	if err != nil {
		return fmt.Sprintf("%q: %v", target, err)
	}
	linked := file // a bare #fragment points into the file itself
	switch {
	case decoded == "":
	case strings.HasPrefix(decoded, "/"):
		linked = filepath.Clean(strings.TrimPrefix(decoded, "/"))
	default:
		linked = filepath.Join(filepath.Dir(file), decoded)
	}
	if linked == ".." || strings.HasPrefix(linked, ".."+string(filepath.Separator)) {
		return fmt.Sprintf("%q leads outside the repository", target)
	}
	info, err := os.Stat(filepath.Join(c.root, linked))
	if err != nil {
		return fmt.Sprintf("%q: %s does not exist", target, filepath.ToSlash(linked))
	}
	if fragment == "" || info.IsDir() || !strings.EqualFold(filepath.Ext(linked), ".md") {
		return "" // GitHub's #L10 line anchors of code files are not checked
	}
	anchor, err := url.PathUnescape(fragment)
	if err != nil {
		return fmt.Sprintf("%q: %v", target, err)
	}
	doc, err := c.document(linked)
	if err != nil {
		return fmt.Sprintf("%q: %v", target, err)
	}
	if !doc.anchors[anchor] {
		return fmt.Sprintf("%q: %s has no heading with the anchor #%s", target, filepath.ToSlash(linked), anchor)
	}
	return ""
}
