package main

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/shortlink/shortlink/adapters/httpclient"
)

// importAttempts is how many times import sends the file when no answer
// comes back (the same Idempotency-Key each time: nothing is imported twice).
const importAttempts = 3

func (c *cli) importCommand() *cobra.Command {
	var (
		dryRun bool
		key    string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Import links from a CSV export (YOURLS, Kutt, Shlink, Bitly, …)",
		Long: `Import the links of a CSV export: its header names the long URL column
(url, long_url, longUrl, original_url) and, when it has them, the code, title,
tags, created_at, expires_at and domain (docs/import.md): an export of this
service imports back onto its short domains. FILE "-" reads standard
input. A terminal shows the upload's progress. The refused rows are listed at
the end, by line, and make the exit code 1. --dry-run checks every row and
imports none. The file is sent with an Idempotency-Key (a new one each run
unless --idempotency-key names one): when no answer comes back, it is sent
again, and the server imports nothing twice.`,
		Example: `  shortlink import --dry-run yourls-export.csv
  shortlink import bitly-links.csv`,
		Args: exactArgs("FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			client, err := c.client()
			if err != nil {
				return err
			}
			raw, err := readImportFile(c.in, args[0])
			if err != nil {
				return err
			}
			if key == "" {
				key = rand.Text()
			}
			var answer httpclient.Answer[httpclient.ImportResult]
			for attempt := 1; ; attempt++ {
				answer, err = client.Import(cmd.Context(), c.progress(raw), dryRun, key)
				var unreachable *httpclient.UnreachableError
				if err == nil || !errors.As(err, &unreachable) || attempt == importAttempts {
					break
				}
				fmt.Fprintf(c.errOut, "no answer (%v); sending it again with the same Idempotency-Key\n", unreachable.Err)
			}
			if err != nil {
				return err
			}
			if asJSON {
				_, err = fmt.Fprintln(c.out, string(answer.Data))
			} else {
				err = c.printImport(answer.Value)
			}
			if err == nil && len(answer.Value.Refused) > 0 {
				return fmt.Errorf("import: %d of %d rows refused", len(answer.Value.Refused), answer.Value.Rows)
			}
			return err
		},
	}
	f := cmd.Flags()
	f.BoolVar(&dryRun, "dry-run", false, "check every row, import none")
	f.StringVar(&key, "idempotency-key", "", "the Idempotency-Key to send (default: a new one); the same key again answers the first import")
	f.BoolVar(&asJSON, "json", false, "print the answer as the API sent it")
	return cmd
}

// readImportFile is FILE's content, or standard input's for "-".
func readImportFile(stdin io.Reader, name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(stdin)
	}
	raw, err := os.ReadFile(name)
	if err != nil {
		return nil, usageErrorf("import: %v", err)
	}
	return raw, nil
}

// progress is raw to send, with a progress bar of its upload on a terminal.
func (c *cli) progress(raw []byte) io.Reader {
	r := io.Reader(bytes.NewReader(raw))
	if !c.stdoutTTY {
		return r
	}
	bar := progressbar.NewOptions64(int64(len(raw)),
		progressbar.OptionSetWriter(c.errOut), progressbar.OptionShowBytes(true),
		progressbar.OptionSetDescription("uploading"), progressbar.OptionClearOnFinish())
	reader := progressbar.NewReader(r, bar)
	return &reader
}

func (c *cli) printImport(r httpclient.ImportResult) error {
	verb := "Imported"
	if r.DryRun {
		verb = "Would import"
	}
	if _, err := fmt.Fprintf(c.out, "%s %d of %d rows.\n", verb, r.Imported, r.Rows); err != nil {
		return err
	}
	for _, l := range r.Created {
		if _, err := fmt.Fprintf(c.out, "line %d: %s\n", l.Line, l.ShortURL); err != nil {
			return err
		}
	}
	if len(r.Refused) > 0 {
		if _, err := fmt.Fprintf(c.out, "Refused %d rows:\n", len(r.Refused)); err != nil {
			return err
		}
	}
	for _, l := range r.Refused {
		field := ""
		if l.Field != "" {
			field = " (" + l.Field + ")"
		}
		if _, err := fmt.Fprintf(c.out, "line %d: %s%s: %s\n", l.Line, l.Reason, field, l.Error); err != nil {
			return err
		}
	}
	return nil
}
