package domain

import (
	"net"
	"net/url"
	"strconv"
	"strings"
)

// hostPortOf returns the host of an http(s) URL and its port, the scheme's
// default when none is written.
func hostPortOf(u *url.URL) (host, int, string) {
	name := u.Hostname()
	if strings.HasPrefix(u.Host, "[") {
		name = "[" + name + "]"
	}
	h, reason := parseHost(name)
	if reason != "" {
		return host{}, 0, reason
	}
	port, ok := parsePort(u.Port())
	if !ok {
		return host{}, 0, "has an invalid port"
	}
	if port == noPort {
		port = defaultPort(u.Scheme)
	}
	return h, port, ""
}

// parseHostPort parses a configured host[:port]; a bare IPv6 address is
// accepted without brackets, and a missing port is noPort.
func parseHostPort(s string) (host, int, bool) {
	name, portText, err := net.SplitHostPort(s)
	if err != nil {
		name, portText = s, ""
	}
	h, reason := parseConfigHost(name)
	port, ok := parsePort(portText)
	return h, port, reason == "" && ok
}

// parseConfigHost parses a host an operator wrote, with or without the
// brackets around an IPv6 address and with surrounding spaces.
func parseConfigHost(s string) (host, string) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, ":") && !strings.HasPrefix(s, "[") {
		s = "[" + s + "]"
	}
	return parseHost(s)
}

const noPort = -1

// parsePort reads a port as a browser does: decimal digits, leading zeros
// allowed, at most 65535; "" is noPort.
func parsePort(s string) (int, bool) {
	if s == "" {
		return noPort, true
	}
	digits := strings.TrimLeft(s, "0")
	if len(digits) > len("65535") || !isDecimal(digits) {
		return 0, false
	}
	port, err := strconv.Atoi("0" + digits)
	return port, err == nil && port <= 65535
}

func defaultPort(scheme string) int {
	if scheme == "https" {
		return 443
	}
	return 80
}

func isDefaultPort(port int) bool { return port == 80 || port == 443 }
