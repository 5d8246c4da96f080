package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/shortlink/shortlink/adapters/httpclient"
)

// defaultURL is the API `make run` serves.
const defaultURL = "http://localhost:8000"

// cli is one run of the command: its streams and environment (so tests
// run it in-process), and the global flags.
type cli struct {
	in          io.Reader
	out, errOut io.Writer
	getenv      func(string) string
	stdinTTY    bool
	stdoutTTY   bool
	now         func() time.Time

	baseURL string // --url
	keyFile string // --key-file
	domain  string // --domain
	key     string // read once the command runs; never printed
	started bool   // a command's RunE began: errors from here on are not usage
}

// run executes args and returns the exit code: 0, 1 for a refused request
// or a failure, 2 for a usage error, 3 when the API cannot be reached.
func (c *cli) run(args []string) int {
	root := c.rootCommand()
	root.SetArgs(args)
	root.SetIn(c.in)
	root.SetOut(c.out)
	root.SetErr(c.errOut)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	code := exitCode(err, c.started)
	msg := oneLine(c.redact(err.Error()))
	if code == exitUsage && !c.started && !strings.Contains(msg, "--help") {
		msg += " (see 'shortlink --help')"
	}
	fmt.Fprintf(c.errOut, "shortlink: %s\n", msg)
	return code
}

func (c *cli) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "shortlink",
		Short: "Create and manage short links through the shortlink API",
		Long: `shortlink is the shortlink API on the command line.

It calls the API at --url (default: $SHORTLINK_URL, else ` + defaultURL + `)
with the key read from --key-file (default: $SHORTLINK_KEY): an admin key,
a workspace key, an API key or a link's manage token. No flag takes the
key itself, since flags show in the process list, and the key never
appears in what shortlink prints.

Exit codes: 0 done, 1 the API refused the request (or another failure),
2 a usage error, 3 the API could not be reached.`,
		SilenceErrors:     true,
		SilenceUsage:      true,
		DisableAutoGenTag: true,
	}
	root.PersistentFlags().StringVar(&c.baseURL, "url", "", "the API's base URL (default $SHORTLINK_URL, else "+defaultURL+")")
	root.PersistentFlags().StringVar(&c.keyFile, "key-file", "", "read the key from this file (default: the key in $SHORTLINK_KEY)")
	root.PersistentFlags().StringVar(&c.domain, "domain", "", "the short domain the link is on (shortlink domains ls); default: the server's default domain")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageErrorf("%v (see 'shortlink %s --help')", err, strings.TrimPrefix(cmd.CommandPath(), "shortlink "))
	})
	root.AddCommand(
		c.createCommand(), c.infoCommand(), c.statsCommand(),
		c.disableCommand(), c.enableCommand(), c.extendCommand(), c.rmCommand(),
		c.qrCommand(), c.versionCommand(),
		c.tagCommand(), c.tagsCommand(), c.lsCommand(), c.keysCommand(), c.workspacesCommand(), c.domainsCommand(),
		c.auditCommand(), c.unlockCommand(), c.passwordCommand(), c.forwardQueryCommand(), c.exportCommand(), c.importCommand(),
	)
	c.markStart(root)
	return root
}

// markStart wraps every command's RunE so that the run knows when cobra
// is done parsing and checking: errors before that are usage errors.
func (c *cli) markStart(cmd *cobra.Command) {
	if run := cmd.RunE; run != nil {
		cmd.RunE = func(cmd *cobra.Command, args []string) error {
			c.started = true
			return run(cmd, args)
		}
	}
	for _, sub := range cmd.Commands() {
		c.markStart(sub)
	}
}

// client is the API client of this run, configured from the flags and
// the environment.
func (c *cli) client() (*httpclient.Client, error) {
	base := c.baseURL
	if base == "" {
		base = c.getenv("SHORTLINK_URL")
	}
	if base == "" {
		base = defaultURL
	}
	key, err := c.readKey()
	if err != nil {
		return nil, err
	}
	c.key = key
	client, err := httpclient.New(httpclient.Options{BaseURL: base, Key: key, UserAgent: "shortlink-cli/" + buildVersion(), Domain: c.domain})
	if err != nil {
		return nil, usageError{err}
	}
	return client, nil
}

// readKey is the key from --key-file, else $SHORTLINK_KEY, else "" (the
// public routes need none).
func (c *cli) readKey() (string, error) {
	if c.keyFile == "" {
		return strings.TrimSpace(c.getenv("SHORTLINK_KEY")), nil
	}
	raw, err := os.ReadFile(c.keyFile)
	if err != nil {
		return "", usageErrorf("read the key file: %v", err)
	}
	key := strings.TrimSpace(string(raw))
	if key == "" || strings.ContainsAny(key, " \t\r\n") {
		return "", usageErrorf("the key file %s must hold the key alone, on one line", c.keyFile)
	}
	return key, nil
}

// redact removes the key from text, in case anything ever echoed it.
func (c *cli) redact(text string) string {
	for _, key := range []string{c.key, strings.TrimSpace(c.getenv("SHORTLINK_KEY"))} {
		if key != "" {
			text = strings.ReplaceAll(text, key, "[key]")
		}
	}
	return text
}

// width is the terminal's width in columns when stdout is one, else
// $COLUMNS, else 80.
func (c *cli) width() int {
	if c.stdoutTTY {
		if f, ok := c.out.(*os.File); ok {
			if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
				return w
			}
		}
	}
	if n, err := strconv.Atoi(c.getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return 80
}

// printData writes the API's data member as it came, for --json.
func (c *cli) printData(data json.RawMessage) error {
	_, err := fmt.Fprintf(c.out, "%s\n", data)
	return err
}

// oneLine keeps an error on one line of stderr.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}
