package main

import (
	"bufio"
	"io"
	"os"
	"strings"
)

// maxPasswordFile bounds what is read of a password file (a password is
// at most 128 characters; the API says which lengths it takes).
const maxPasswordFile = 4 << 10

// readPassword is the first line of the file at path, or of standard input
// for "-", without its line ending. A password never comes from a flag
// value: flags show in the process list.
func (c *cli) readPassword(path string) (string, error) {
	r := c.in
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return "", usageErrorf("read the password file: %v", err)
		}
		defer f.Close()
		r = f
	}
	line, err := bufio.NewReader(io.LimitReader(r, maxPasswordFile)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", usageErrorf("read the password: %v", err)
	}
	password := strings.TrimRight(line, "\r\n")
	if password == "" {
		return "", usageErrorf("the password file %s is empty: the password is its first line", path)
	}
	return password, nil
}
