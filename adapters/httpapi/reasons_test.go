package httpapi_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestEveryReasonIsDocumented fails when a reason the code (or the shipped
// nginx) can answer is missing from the OpenAPI document's enum or from
// docs/reasons.md, or when either lists one nothing answers. A reason is
// found in the source as a constant of type Reason, a `reason: "…"` field
// of a literal, or a conversion domain.Reason("…"), in the packages that
// make answers: domain, app and this one.
func TestEveryReasonIsDocumented(t *testing.T) {
	t.Parallel()
	inCode := map[string]string{} // reason → where
	for _, dir := range []string{"../../domain", "../../app", "."} {
		for reason, where := range reasonsInSource(t, dir) {
			inCode[reason] = where
		}
	}
	conf, err := os.ReadFile("../../compose/nginx/shortlink.conf")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`"reason":"([^"]*)"`).FindAllStringSubmatch(string(conf), -1) {
		inCode[m[1]] = "compose/nginx/shortlink.conf"
	}
	if len(inCode) < 20 {
		t.Fatalf("found only %d reasons in the source: %v; the scan is broken", len(inCode), inCode)
	}
	word := regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)
	for reason, where := range inCode {
		if !word.MatchString(reason) {
			t.Errorf("reason %q (%s) is not a snake_case word", reason, where)
		}
	}

	enum := errorReasons(t)
	readme, err := os.ReadFile("../../docs/reasons.md")
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\|").FindAllStringSubmatch(string(readme), -1) {
		documented = append(documented, m[1])
	}

	for reason, where := range inCode {
		if !slices.Contains(enum, reason) {
			t.Errorf("reason %q (%s) is not in openapi.yaml's ErrorEnvelope reason enum", reason, where)
		}
		if !slices.Contains(documented, reason) {
			t.Errorf("reason %q (%s) has no row in docs/reasons.md", reason, where)
		}
	}
	for _, reason := range enum {
		if _, ok := inCode[reason]; !ok {
			t.Errorf("openapi.yaml lists reason %q, which nothing answers", reason)
		}
	}
	for _, reason := range documented {
		if _, ok := inCode[reason]; !ok {
			t.Errorf("docs/reasons.md documents reason %q, which nothing answers", reason)
		}
	}
	if len(documented) != len(enum) {
		t.Errorf("docs/reasons.md has %d rows, openapi.yaml %d reasons", len(documented), len(enum))
	}
}

// errorReasons is the enum of data.reason in openapi.yaml's ErrorEnvelope.
// It is written next to the $ref to Envelope, so the loader keeps it as one
// more allOf part of the schema.
func errorReasons(t *testing.T) []string {
	t.Helper()
	doc, _, _ := loadOpenAPI(t)
	envelope := doc.Components.Schemas["ErrorEnvelope"].Value
	for _, part := range append(openapi3.SchemaRefs{{Value: envelope}}, envelope.AllOf...) {
		data := part.Value.Properties["data"]
		if data == nil || data.Value.Properties["reason"] == nil {
			continue
		}
		var enum []string
		for _, v := range data.Value.Properties["reason"].Value.Enum {
			enum = append(enum, v.(string))
		}
		return enum
	}
	t.Fatal("openapi.yaml's ErrorEnvelope has no data.reason")
	return nil
}

// reasonsInSource collects the reasons written in the Go files (not tests)
// of dir, with the file and line of each.
func reasonsInSource(t *testing.T, dir string) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]string{}
	fset := token.NewFileSet()
	add := func(lit ast.Expr) {
		if b, ok := lit.(*ast.BasicLit); ok && b.Kind == token.STRING {
			if s, err := strconv.Unquote(b.Value); err == nil {
				found[s] = fset.Position(b.Pos()).String()
			}
		}
	}
	isReason := func(e ast.Expr) bool {
		switch e := e.(type) {
		case *ast.Ident:
			return e.Name == "Reason"
		case *ast.SelectorExpr:
			return e.Sel.Name == "Reason"
		}
		return false
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				if n.Type != nil && isReason(n.Type) {
					for _, v := range n.Values {
						add(v)
					}
				}
			case *ast.KeyValueExpr:
				if key, ok := n.Key.(*ast.Ident); ok && key.Name == "reason" {
					add(n.Value)
				}
			case *ast.CallExpr:
				if isReason(n.Fun) && len(n.Args) == 1 {
					add(n.Args[0])
				}
			}
			return true
		})
	}
	return found
}
