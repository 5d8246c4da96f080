package doccheck

import (
	"maps"
	"slices"
	"testing"
)

func TestSlugFollowsGitHub(t *testing.T) {
	for _, tc := range []struct{ heading, want string }{
		{"Quick start", "quick-start"},
		{"On this machine's Postgres and Redis", "on-this-machines-postgres-and-redis"},
		{"Scale: make bench-scale", "scale-make-bench-scale"},
		{"Baseline figures (round three)", "baseline-figures-round-three"},
		{"1. Bootstrap the shared resources (once per account)", "1-bootstrap-the-shared-resources-once-per-account"},
		{"Load, stress and soak tests", "load-stress-and-soak-tests"},
		{"`MAX_TTL` and `CACHE_TTL`", "max_ttl-and-cache_ttl"},
		{"Guarantees, threat model — and privacy", "guarantees-threat-model--and-privacy"},
		{"Codes, claims and the secret", "codes-claims-and-the-secret"},
		{"Héllo wörld", "héllo-wörld"},
	} {
		if got := slug(headingText(tc.heading)); got != tc.want {
			t.Errorf("slug(%q) = %q, want %q", tc.heading, got, tc.want)
		}
	}
}

func TestHeadingTextKeepsALinksTextOnly(t *testing.T) {
	if got := slug(headingText("See [the API](docs/api.md#routes)")); got != "see-the-api" {
		t.Errorf("got %q", got)
	}
}

func TestParseReadsLinksOutsideCodeOnly(t *testing.T) {
	text := "# Title\n" +
		"A [link](docs/a.md) and ![an image](img/b.png \"title\") and [c](<docs/with space.md#x>).\n" +
		"Code `[not](a-link.md)` and ``[nor](this.md) ` inside``, a URL [d](https://example.com/x_(y)).\n" +
		"```sh\n" +
		"[not](in-a-fence.md)\n" +
		"# not a heading\n" +
		"```\n" +
		"~~~~\n" +
		"```\n" +
		"[still](fenced.md)\n" +
		"~~~~\n" +
		"Inline ```` ```sh ```` is a code span, [e](e.md) is a link.\n" +
		"[ref]: ref/target.md\n" +
		"<a href=\"html.md\">html</a> <img src='pic.svg'>\n" +
		"[nested](dir/(paren).md)\n"
	var got []link
	got = append(got, parse(text).links...)
	want := []link{
		{2, "docs/a.md"}, {2, "img/b.png"}, {2, "docs/with space.md#x"},
		{3, "https://example.com/x_(y)"},
		{12, "e.md"},
		{13, "ref/target.md"},
		{14, "html.md"}, {14, "pic.svg"},
		{15, "dir/(paren).md"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("links:\n got %v\nwant %v", got, want)
	}
}

func TestParseNumbersRepeatedHeadingsAndReadsHTMLAnchors(t *testing.T) {
	doc := parse("# Setup\n## Setup\n### Setup ###\n<a id=\"custom-place\"></a>\n```\n# Fenced\n```\n")
	got := slices.Sorted(maps.Keys(doc.anchors))
	want := []string{"custom-place", "setup", "setup-1", "setup-2"}
	if !slices.Equal(got, want) {
		t.Errorf("anchors = %v, want %v", got, want)
	}
}
