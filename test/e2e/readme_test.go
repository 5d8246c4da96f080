//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// TestREADMEExamples runs every curl example of README.md and of each
// docs/*.md page, as printed, against a fresh `api -embedded` (what
// `make run` serves), and checks the answers their comments show, so the
// documents cannot drift from the service.
//
// What counts as an example:
//
//   - only fenced blocks whose info string is sh, bash or shell are run.
//     A block fenced otherwise (text, console, none, …) is shown to the
//     reader and never run: that is where a command goes that cannot run
//     against `api -embedded` — one aimed at the Docker Compose stack on
//     :8080, at AWS, or needing Postgres. A runnable block's curl commands
//     must call localhost:8000, or the test refuses them (see lintExample).
//   - in such a block, a command: a line starting with "curl" or
//     "shortlink" (the command line, docs/cli.md), or a capture such as
//     token=$(curl … | jq -r .data.manage_token), with its "\"
//     continuation lines. Other lines (make, go run, export, prose) are not
//     run. shortlink runs from the binaries the test built, with
//     SHORTLINK_URL naming the test's api and SHORTLINK_KEY its admin key,
//     as docs/cli.md's configuration sets them.
//   - its expected answer: the comment lines right under it (or a comment
//     at the end of its last line). A line "# HTTP/1.1 302 Found" checks the
//     status code; "# Location: https://…" lines after it check headers; a
//     line starting with "# {" (continued on the comment lines that follow
//     until its braces close) checks the JSON body: the same status and the
//     same keys at every level, and the same values but where they differ
//     per run: RFC 3339 timestamps, generated 7-character codes (also at
//     the end of a URL), manage_token, and any value written with "…"
//     (alone: anything; inside a string: any text there). A capture prints
//     what it captured, for the comments under it to check. Other comments
//     under a curl command are prose and are not checked; under a shortlink
//     command they are its output, line by line, each … standing for any
//     text (so a doc shows what a person sees, and it cannot drift).
//
// Each file gets an api of its own, with a fresh DATA_DIR and the admin key
// docs/api.md starts `make run` with, so one file's aliases do not collide
// with another's. The blocks of one section (the text under one heading,
// of any level) run in order in one bash session, so a capture serves the
// commands after it; each section gets a new session, in the file's order.
// The api listens on a free port, and "localhost:8000" in commands and
// comments is rewritten to it, so a developer's `make run` on :8000 does
// not get in the way. README_FILE names one file to check instead (a page
// being rewritten).
//
// The examples must be usable as printed: they must use :8000 (the port
// `make run` serves) and no absolute date (it would pass); the test
// refuses both before running anything.
func TestREADMEExamples(t *testing.T) {
	files := exampleFiles(t)
	total := 0
	for _, f := range files {
		n := 0
		for _, s := range f.sections {
			n += len(s.examples)
			for _, ex := range s.examples {
				if problem := lintExample(ex); problem != "" {
					t.Errorf("%s:%d (%s): %s:\n%s", f.name, ex.line, s.title, problem, ex.command)
				}
			}
		}
		if want := minExamples[f.name]; n < want {
			t.Errorf("%s has %d curl examples in sh blocks, want at least %d: were its blocks fenced as text by mistake?", f.name, n, want)
		}
		total += n
	}
	if total == 0 {
		t.Fatalf("no curl example found in %d files", len(files))
	}
	if t.Failed() {
		t.FailNow()
	}
	for _, f := range files {
		if strings.Contains(f.text, "| jq") {
			if _, err := exec.LookPath("jq"); err != nil {
				t.Fatalf("the examples of %s use jq, which is not installed: run `make testpackages` (test/services.sh install) or `apt-get install jq`", f.name)
			}
		}
	}

	for _, f := range files {
		if f.examples() == 0 {
			continue
		}
		t.Run(filepath.Base(f.name), func(t *testing.T) {
			port := startEmbedded(t, exampleEnv[f.name])
			rewrite := strings.NewReplacer("localhost:8000", fmt.Sprintf("localhost:%d", port))
			env := []string{
				"PATH=" + testenv.BuildBinaries(t) + string(os.PathListSeparator) + os.Getenv("PATH"),
				fmt.Sprintf("SHORTLINK_URL=http://localhost:%d", port), "SHORTLINK_KEY=" + readmeAdminKey,
			}
			for _, s := range f.sections {
				if len(s.examples) == 0 {
					continue
				}
				t.Run(s.title, func(t *testing.T) {
					results := runSection(t, s, rewrite, env)
					for i, ex := range s.examples {
						r := results[i]
						where := fmt.Sprintf("%s:%d", f.name, ex.line)
						if r.exit != 0 {
							t.Errorf("%s: exit status %d:\n%s\nstdout:\n%s\nstderr of the section:\n%s", where, r.exit, ex.command, r.stdout, tail(r.stderr, 20))
							continue
						}
						check := checkAnswer
						if ex.cli && len(ex.expect) > 0 && !strings.HasPrefix(ex.expect[0], "{") {
							check = checkLines
						}
						for _, problem := range check(ex.expect, r.stdout, rewrite) {
							t.Errorf("%s: %s\n%s\ngot:\n%s", where, problem, ex.command, r.stdout)
						}
					}
				})
			}
		})
	}
}

// minExamples is how many examples the pages that teach the API hold at
// least, so a parser or fence mistake that hides them fails the test
// instead of passing it with nothing run.
var minExamples = map[string]int{"README.md": 5, "docs/api.md": 10, "docs/cli.md": 10}

// exampleFile is one document and its examples.
type exampleFile struct {
	name     string // relative to the module root, e.g. docs/api.md
	text     string
	sections []readmeSection
}

func (f exampleFile) examples() int {
	n := 0
	for _, s := range f.sections {
		n += len(s.examples)
	}
	return n
}

// exampleFiles reads README.md and docs/*.md, or only README_FILE when set.
func exampleFiles(t *testing.T) []exampleFile {
	t.Helper()
	root, err := testkit.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	if one := os.Getenv("README_FILE"); one != "" {
		paths = []string{one}
	} else {
		docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(docs)
		paths = append([]string{filepath.Join(root, "README.md")}, docs...)
	}
	files := make([]exampleFile, 0, len(paths))
	for _, path := range paths {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		name := path
		if rel, err := filepath.Rel(root, path); err == nil && !strings.HasPrefix(rel, "..") {
			name = filepath.ToSlash(rel)
		}
		files = append(files, exampleFile{name: name, text: string(raw), sections: parseREADME(string(raw))})
	}
	return files
}

// exampleEnv is what a page's examples start `make run` with besides the
// admin key, as the page says at its top.
var exampleEnv = map[string]map[string]string{
	"docs/api.md": {"MAX_TTL": "never", "VISIT_DIMENSIONS": "true"},
	"docs/cli.md": {"VISIT_DIMENSIONS": "true"},
}

// readmeAdminKey is the admin key docs/api.md starts `make run` with.
const readmeAdminKey = "local-admin-key-0123456789"

// startEmbedded runs `api -embedded` as `make run` does, with a fresh
// DATA_DIR and on a free port instead of :8000, and with the admin key the
// documents start it with, and returns the port. The api stops when t ends.
func startEmbedded(t *testing.T, more map[string]string) int {
	t.Helper()
	bin := testenv.BuildBinaries(t)
	port := testkit.FreePort(t)
	vars := map[string]string{
		"API_ADDR": fmt.Sprintf("127.0.0.1:%d", port), "DATA_DIR": t.TempDir(), "LOG_REQUESTS": "false",
		"ADMIN_KEYS": readmeAdminKey,
	}
	maps.Copy(vars, more)
	api := testenv.StartProcess(t, "api -embedded", filepath.Join(bin, "api"), vars, "-embedded")
	api.WaitHTTP(fmt.Sprintf("http://127.0.0.1:%d/v1/health", port), 200, 30*time.Second)
	return port
}

// readmeSection is the curl examples under one heading of a document.
type readmeSection struct {
	title    string
	examples []readmeExample
}

type readmeExample struct {
	line    int    // 1-based, of the command's first line
	command string // as printed, continuation lines included
	capture string // the variable a NAME=$(curl …) line assigns
	cli     bool   // a shortlink command: its comments are its output
	expect  []string
}

var (
	curlLine    = regexp.MustCompile(`^(curl\s|shortlink\s|([A-Za-z_][A-Za-z0-9_]*)=\$\((curl|shortlink)\s)`)
	headingLine = regexp.MustCompile(`^#{1,6}\s+(.*)$`)
	fenceLine   = regexp.MustCompile("^(`{3,}|~{3,})\\s*([^`\\s]*)")
)

// runnableFence says whether a fenced block with this info string's first
// word is run.
func runnableFence(lang string) bool {
	switch strings.ToLower(lang) {
	case "sh", "bash", "shell":
		return true
	}
	return false
}

// parseREADME finds the examples of every section, in order: the curl
// commands of runnable fenced blocks and the comments under them.
func parseREADME(text string) []readmeSection {
	sections := []readmeSection{{title: "top"}}
	lines := strings.Split(text, "\n")
	fence, runnable := "", false // the open fence's marker, "" outside one
	for i := 0; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], "\r")
		trimmed := strings.TrimSpace(line)
		// A backtick fence's info string holds no backtick: a line such as
		// "```` ```sh ````" is a code span, not a fence.
		if m := fenceLine.FindStringSubmatch(trimmed); m != nil && (m[1][0] != '`' || !strings.Contains(trimmed[len(m[1]):], "`")) {
			switch {
			case fence == "":
				fence, runnable = m[1], runnableFence(m[2])
				continue
			case m[1][0] == fence[0] && len(m[1]) >= len(fence) && strings.TrimSpace(trimmed[len(m[1]):]) == "":
				fence, runnable = "", false
				continue
			}
		}
		if fence == "" {
			if m := headingLine.FindStringSubmatch(line); m != nil {
				sections = append(sections, readmeSection{title: strings.TrimSpace(m[1])})
			}
			continue
		}
		if !runnable {
			continue
		}
		m := curlLine.FindStringSubmatch(trimmed)
		if m == nil {
			continue
		}
		ex := readmeExample{line: i + 1, capture: m[2], cli: strings.HasPrefix(trimmed, "shortlink") || m[3] == "shortlink"}
		command := []string{line}
		for strings.HasSuffix(strings.TrimRight(lines[i], "\r"), `\`) && i+1 < len(lines) {
			i++
			command = append(command, strings.TrimRight(lines[i], "\r"))
		}
		ex.command = strings.Join(command, "\n")
		if c, ok := trailingComment(command[len(command)-1]); ok {
			ex.expect = append(ex.expect, c)
		}
		for i+1 < len(lines) {
			next := strings.TrimSpace(strings.TrimRight(lines[i+1], "\r"))
			if !strings.HasPrefix(next, "#") || strings.HasPrefix(next, "```") {
				break
			}
			i++
			ex.expect = append(ex.expect, strings.TrimSpace(strings.TrimPrefix(next, "#")))
		}
		last := &sections[len(sections)-1]
		last.examples = append(last.examples, ex)
	}
	return sections
}

// trailingComment is the text after an unquoted " #" on a shell line.
func trailingComment(line string) (string, bool) {
	var quote rune
	prev := ' '
	for i, r := range line {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '#' && (prev == ' ' || prev == '\t'):
			return strings.TrimSpace(line[i+1:]), true
		}
		prev = r
	}
	return "", false
}

var (
	otherPort    = regexp.MustCompile(`localhost:(\d+)`)
	absoluteDate = regexp.MustCompile(`\b20\d\d-\d\d-\d\d`)
)

// lintExample says why a command cannot work as printed for long, or "".
// A shortlink command finds the API by SHORTLINK_URL and need not name it.
func lintExample(ex readmeExample) string {
	command := ex.command
	for _, m := range otherPort.FindAllStringSubmatch(command, -1) {
		if m[1] != "8000" {
			return fmt.Sprintf("uses localhost:%s, but `make run` serves localhost:8000 (fence it as text if it is not meant to run against make run)", m[1])
		}
	}
	if !ex.cli && !strings.Contains(command, "localhost:8000") {
		return "does not call localhost:8000, which `make run` serves: fence it as text if it is not meant to run against make run"
	}
	if absoluteDate.MatchString(command) {
		return "names an absolute date, which will pass: compute one, e.g. $(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)"
	}
	return ""
}

// sectionResult is what one example printed and how it exited.
type sectionResult struct {
	stdout, stderr string
	exit           int
}

// runSection runs the section's examples in order in one bash session and
// splits what each printed.
func runSection(t *testing.T, s readmeSection, rewrite *strings.Replacer, env []string) []sectionResult {
	t.Helper()
	var script strings.Builder
	script.WriteString("set -o pipefail\n")
	for i, ex := range s.examples {
		fmt.Fprintf(&script, "printf '\\n@@begin %d@@\\n'\n%s\n__status=$?\n", i, rewrite.Replace(ex.command))
		if ex.capture != "" {
			fmt.Fprintf(&script, "printf '%%s\\n' \"$%s\"\n", ex.capture)
		}
		fmt.Fprintf(&script, "printf '\\n@@end %d %%d@@\\n' $__status\n", i)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "--noprofile", "--norc", "-c", script.String())
	cmd.Dir = t.TempDir()
	cmd.Env = append([]string{"HOME=" + os.Getenv("HOME"), "TMPDIR=" + os.TempDir(), "LC_ALL=C.UTF-8"}, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("bash: %v\nstderr:\n%s", err, stderr.String())
	}
	results := make([]sectionResult, len(s.examples))
	out := stdout.String()
	for i := range s.examples {
		begin := fmt.Sprintf("\n@@begin %d@@\n", i)
		start := strings.Index(out, begin)
		end := strings.Index(out, fmt.Sprintf("\n@@end %d ", i))
		if start < 0 || end < start {
			t.Fatalf("the output of example %d is missing:\n%s", i, out)
		}
		results[i].stdout = out[start+len(begin) : end]
		_, _ = fmt.Sscanf(out[end+len(fmt.Sprintf("\n@@end %d ", i)):], "%d@@", &results[i].exit)
		results[i].stderr = stderr.String()
	}
	return results
}

// answer is one example's output: a status line and headers when curl
// printed them (-i), then the body.
type answer struct {
	status  string // e.g. "302", "" when not printed
	headers map[string]string
	body    string
}

func parseAnswer(out string) answer {
	a := answer{headers: map[string]string{}}
	out = strings.ReplaceAll(out, "\r\n", "\n")
	if !strings.HasPrefix(out, "HTTP/") {
		a.body = out
		return a
	}
	head, body, _ := strings.Cut(out, "\n\n")
	lines := strings.Split(head, "\n")
	if f := strings.Fields(lines[0]); len(f) > 1 {
		a.status = f[1]
	}
	for _, l := range lines[1:] {
		if name, value, ok := strings.Cut(l, ":"); ok {
			a.headers[strings.ToLower(strings.TrimSpace(name))] = strings.TrimSpace(value)
		}
	}
	a.body = body
	return a
}

var headerExpect = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9-]*):\s*(.*)$`)

// checkAnswer compares an example's output with its expectation comments
// and returns what differs.
func checkAnswer(expect []string, out string, rewrite *strings.Replacer) []string {
	got := parseAnswer(out)
	var problems []string
	sawStatus := false
	for i := 0; i < len(expect); i++ {
		line := rewrite.Replace(expect[i])
		switch {
		case strings.HasPrefix(line, "HTTP/"):
			sawStatus = true
			if f := strings.Fields(line); len(f) < 2 || f[1] != got.status {
				problems = append(problems, fmt.Sprintf("status: want %q, got %q", line, got.status))
			}
		case strings.HasPrefix(line, "{"):
			text := line
			for depth := braceDepth(text); depth > 0 && i+1 < len(expect); depth = braceDepth(text) {
				i++
				text += " " + rewrite.Replace(expect[i])
			}
			problems = append(problems, checkJSON(text, got.body)...)
		case sawStatus && headerExpect.MatchString(line):
			m := headerExpect.FindStringSubmatch(line)
			value, ok := got.headers[strings.ToLower(m[1])]
			if !ok || !matchText(m[2], value) {
				problems = append(problems, fmt.Sprintf("header %s: want %q, got %q (present: %v)", m[1], m[2], value, ok))
			}
		}
	}
	return problems
}

// checkLines compares a shortlink command's output with the comment lines
// under it, line by line (each trimmed, as a comment cannot start with
// spaces), where … in a comment stands for any text.
func checkLines(expect []string, out string, rewrite *strings.Replacer) []string {
	got := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if strings.TrimSpace(out) == "" {
		got = nil
	}
	var problems []string
	for i := range max(len(expect), len(got)) {
		var want, line string
		if i < len(expect) {
			want = rewrite.Replace(expect[i])
		}
		if i < len(got) {
			line = strings.TrimSpace(got[i])
		}
		if !matchText(want, line) {
			problems = append(problems, fmt.Sprintf("output line %d: want %q, got %q", i+1, want, line))
		}
	}
	return problems
}

// braceDepth is how many { and [ of text are still open, outside strings.
func braceDepth(text string) int {
	depth, inString, escaped := 0, false, false
	for _, r := range text {
		switch {
		case escaped:
			escaped = false
		case inString && r == '\\':
			escaped = true
		case r == '"':
			inString = !inString
		case inString:
		case r == '{' || r == '[':
			depth++
		case r == '}' || r == ']':
			depth--
		}
	}
	return depth
}

// anyValue stands for a bare … in an expected JSON document.
const anyValue = "\x00any"

var bareEllipsis = regexp.MustCompile(`("(?:[^"\\]|\\.)*")|…`)

func checkJSON(want, body string) []string {
	lenient := bareEllipsis.ReplaceAllStringFunc(want, func(m string) string {
		if m == "…" {
			return `"\u0000any"` // anyValue, escaped: JSON text may not hold a raw NUL
		}
		return m
	})
	var w, g any
	if err := json.Unmarshal([]byte(lenient), &w); err != nil {
		return []string{fmt.Sprintf("the README's JSON %s does not parse: %v", want, err)}
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(body)), &g); err != nil {
		return []string{fmt.Sprintf("the answer is not JSON: %v", err)}
	}
	return matchJSON("", w, g)
}

var (
	generatedCode = regexp.MustCompile(`^[0-9A-Za-z]{7}$`)
	urlWithCode   = regexp.MustCompile(`^(.*/)[0-9A-Za-z]{7}$`)
)

// matchJSON compares got with the shape want shows, at path.
func matchJSON(path string, want, got any) []string {
	if s, ok := want.(string); ok && s == anyValue {
		return nil
	}
	mismatch := func() []string {
		return []string{fmt.Sprintf("%s: want %s, got %s", orRoot(path), jsonString(want), jsonString(got))}
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return mismatch()
		}
		var problems []string
		for k := range w {
			if _, ok := g[k]; !ok {
				problems = append(problems, fmt.Sprintf("%s: missing key %q", orRoot(path), k))
			}
		}
		for k, gv := range g {
			wv, ok := w[k]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: key %q is not in the README", orRoot(path), k))
				continue
			}
			problems = append(problems, matchJSON(path+"."+k, wv, gv)...)
		}
		return problems
	case []any:
		g, ok := got.([]any)
		if !ok {
			return mismatch()
		}
		if len(w) == 0 || len(g) == 0 {
			return nil // the README shows no element, or there is none this run
		}
		var problems []string
		for i, gv := range g {
			problems = append(problems, matchJSON(fmt.Sprintf("%s[%d]", path, i), w[min(i, len(w)-1)], gv)...)
		}
		return problems
	case string:
		g, ok := got.(string)
		if !ok || !matchString(path, w, g) {
			return mismatch()
		}
		return nil
	default: // numbers, booleans, null
		if jsonString(want) != jsonString(got) {
			return mismatch()
		}
		return nil
	}
}

func orRoot(path string) string {
	if path == "" {
		return "the body"
	}
	return strings.TrimPrefix(path, ".")
}

// matchString compares a JSON string with the README's, tolerating what
// differs per run.
func matchString(path, want, got string) bool {
	switch {
	case want == got, matchText(want, got):
		return true
	case strings.HasSuffix(path, ".manage_token"):
		return got != ""
	case isTimestamp(want) && isTimestamp(got):
		return true
	case generatedCode.MatchString(want) && generatedCode.MatchString(got):
		return true
	}
	w, g := urlWithCode.FindStringSubmatch(want), urlWithCode.FindStringSubmatch(got)
	return w != nil && g != nil && w[1] == g[1]
}

func isTimestamp(s string) bool {
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}

// matchText matches got against want, where each … in want stands for any text.
func matchText(want, got string) bool {
	if !strings.Contains(want, "…") {
		return want == got
	}
	parts := strings.Split(want, "…")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".*") + "$").MatchString(got)
}
