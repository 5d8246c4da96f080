package wiring

import (
	"strings"
	"testing"

	"github.com/shortlink/shortlink/app/config"
)

func TestGreetingOnlyInEmbeddedMode(t *testing.T) {
	t.Parallel()
	if greeting(config.Defaults()) != nil {
		t.Fatal("a server behind a proxy greets: its logs are for machines")
	}
	cfg, err := config.Load(config.WithEmbeddedStore(func(string) (string, bool) { return "", false }))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	greetingTo(cfg, &out)("http://localhost:8000/")
	const want = "shortlink is running: open http://localhost:8000/ (links are kept in data/shortlink.db; Ctrl-C stops it)\n"
	if out.String() != want {
		t.Fatalf("the greeting is %q, want %q", out.String(), want)
	}
}
