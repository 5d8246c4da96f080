package doccheck

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/caarlos0/env/v11"

	"github.com/shortlink/shortlink/app/config"
)

// variableRow is a table row of docs/configuration.md: | `NAME` | default | …
var variableRow = regexp.MustCompile("^\\|\\s*`([A-Z][A-Z0-9_]*)`\\s*\\|([^|]*)\\|")

// TestConfigurationPageListsEveryVariable holds docs/configuration.md to
// app/config: every variable has a row, whose default cell shows the
// code's default in backticks, or *(…)* when the code has none.
func TestConfigurationPageListsEveryVariable(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(moduleRoot(t), "docs", "configuration.md"))
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]string{}
	for _, l := range strings.Split(string(raw), "\n") {
		if m := variableRow.FindStringSubmatch(l); m != nil {
			documented[m[1]] = strings.TrimSpace(m[2])
		}
	}
	params, err := env.GetFieldParams(&config.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if len(params) < 30 {
		t.Fatalf("app/config has %d variables: is it read right?", len(params))
	}
	for _, p := range params {
		cell, ok := documented[p.Key]
		switch {
		case !ok:
			t.Errorf("%s (app/config) has no row in docs/configuration.md", p.Key)
		case p.DefaultValue != "" && !strings.Contains(cell, "`"+p.DefaultValue+"`"):
			t.Errorf("%s: docs/configuration.md gives the default %s, app/config `%s`", p.Key, cell, p.DefaultValue)
		case p.DefaultValue == "" && !strings.HasPrefix(cell, "*("):
			t.Errorf("%s: app/config has no default, docs/configuration.md gives %s (write *(empty)* or *(none: …)*)", p.Key, cell)
		}
	}
}
