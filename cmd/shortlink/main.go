// Command shortlink is the API on the command line: create, inspect,
// change and remove short links, their statistics and QR codes. It talks
// to the service only over its HTTP API (adapters/httpclient, generated
// from the published OpenAPI document), configured by SHORTLINK_URL and
// SHORTLINK_KEY or --url and --key-file; no flag takes the key itself,
// since flags show in the process list. See docs/cli.md.
package main

import (
	"os"
	"time"

	"golang.org/x/term"
)

func main() {
	c := &cli{
		in: os.Stdin, out: os.Stdout, errOut: os.Stderr,
		getenv:    os.Getenv,
		stdinTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		stdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		now:       time.Now,
	}
	os.Exit(c.run(os.Args[1:]))
}
