// Command load runs shortlink's load and stress tests: the create and
// redirect scenarios of the original locust files, with k6-style virtual
// users, a ramp-up, checks and pass/fail thresholds.
//
//	go run ./test/load -scenario create   -mode load
//	go run ./test/load -scenario redirect -mode stress -target http://localhost:8080
//
// Each virtual user (VU) sends requests one after another for the whole
// run. The run ends by itself after -duration; Ctrl-C ends it early and
// still prints the summary. The exit status is 0 when every threshold
// holds, 1 when one is breached and 2 on a usage or setup error.
//
// The target must be a loopback address unless -allow-remote is given: a
// load test aimed at the wrong host is a denial of service.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

func realMain(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseConfig(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "load:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := run(ctx, cfg, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "load:", err)
		return 2
	}
	s.print(stdout)
	if cfg.JSONPath != "" {
		b, err := json.MarshalIndent(s, "", "  ")
		if err == nil {
			err = os.WriteFile(cfg.JSONPath, append(b, '\n'), 0o644)
		}
		if err != nil {
			fmt.Fprintln(stderr, "load: write summary:", err)
			return 2
		}
	}
	if !s.Passed {
		return 1
	}
	return 0
}
