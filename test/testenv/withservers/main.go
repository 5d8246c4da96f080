// Command withservers runs a command with the servers the integration and
// end-to-end tests need, named in TEST_DATABASE_URL, TEST_REDIS_CACHE_URL,
// TEST_REDIS_CODES_URL and TEST_REDIS_CLUSTER_URL:
//
//	go run ./test/testenv/withservers -- go test -tags integration ./...
//
// When the first three are set already, or a Docker engine answers (the
// tests then start containers, and a private cluster when they need one),
// it runs the command as it is. Otherwise it starts a private PostgreSQL (a
// cluster of its own, made by initdb in a temporary directory), two private
// redis-servers and a private three-primary Redis Cluster on free loopback
// ports, runs the command with the variables pointing at them, and stops
// and deletes them when the command ends, however it ends. The machine's own servers are
// never used, configured or restarted. The exit status is the command's.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/shortlink/shortlink/test/testenv"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: go run ./test/testenv/withservers -- command [args…]")
		return 2
	}
	bin, err := exec.LookPath(args[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, "withservers:", err)
		return 127
	}
	if testenv.ServersGiven() || testenv.DockerAnswers() {
		err := syscall.Exec(bin, args, os.Environ())
		fmt.Fprintln(os.Stderr, "withservers:", err)
		return 126
	}

	start := time.Now()
	servers, err := testenv.StartPrivateServers()
	if err != nil {
		fmt.Fprintln(os.Stderr, "withservers: start private servers:", err)
		return 1
	}
	defer func() {
		if err := servers.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "withservers: stop private servers:", err)
		}
	}()
	fmt.Fprintf(os.Stderr, "withservers: private servers up in %v (%s), stopped when %s ends\n",
		time.Since(start).Round(10*time.Millisecond), strings.Join(servers.Env(), " "), args[0])

	cmd := exec.Command(bin, args[1:]...)
	cmd.Env = append(os.Environ(), servers.Env()...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// Signals are passed on, and the servers outlive the command until it
	// has exited; a Ctrl-C reaches the command from the terminal anyway.
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(signals)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "withservers:", err)
		return 126
	}
	go func() {
		for sig := range signals {
			_ = cmd.Process.Signal(sig)
		}
	}()
	err = cmd.Wait()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		if status, ok := exit.Sys().(syscall.WaitStatus); ok && status.Signaled() {
			return 128 + int(status.Signal())
		}
		return exit.ExitCode()
	default:
		fmt.Fprintln(os.Stderr, "withservers:", err)
		return 1
	}
}
