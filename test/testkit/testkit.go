// Package testkit holds the small helpers every suite and test tool shares:
// HTTP requests and expectations against the API, metrics, random names,
// free ports, the module root, /proc readings and the nginx front door.
// It imports nothing but the standard library, so the load and bench tools
// and every test suite can use it without pulling in servers or containers.
package testkit

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// RandomHex returns n random bytes as 2n hex digits.
func RandomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ModuleRoot is the directory of the go.mod the current directory belongs
// to (go env GOMOD), for tests that build binaries or read project files.
func ModuleRoot() (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("the go command must be on PATH: %w", err)
	}
	out, err := exec.Command(goBin, "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside the module: go env GOMOD is empty")
	}
	return filepath.Dir(gomod), nil
}

// FreePort returns a loopback TCP port nothing listens on right now.
func FreePort(t testing.TB) int {
	t.Helper()
	ports, err := FreePorts(1)
	if err != nil {
		t.Fatalf("testkit: find a free port: %v", err)
	}
	return ports[0]
}

// FreePorts returns n distinct loopback TCP ports nothing listens on right
// now (all are held open until every one is found, so none repeats).
func FreePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
