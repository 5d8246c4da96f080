package httpapi

import (
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
)

// allowedMethods returns, for a request path, the methods routes serves it
// with, as an Allow header value ("" when none does). gin's own Allow for a
// 405 can name methods whose routes do not match the path (it carries the
// backtracking state of one method's tree into the next: PUT /metrics got
// "GET, HEAD, POST, PATCH"), so the 405 answer computes its own.
func allowedMethods(routes gin.RoutesInfo) func(path string) string {
	type route struct {
		segments []string
		method   string
	}
	table := make([]route, 0, len(routes))
	for _, r := range routes {
		table = append(table, route{strings.Split(r.Path, "/"), r.Method})
	}
	matches := func(pattern, path []string) bool {
		if len(pattern) != len(path) {
			return false
		}
		for i, segment := range pattern {
			switch {
			case strings.HasPrefix(segment, ":"):
				if path[i] == "" {
					return false
				}
			case segment != path[i]:
				return false
			}
		}
		return true
	}
	return func(path string) string {
		segments := strings.Split(path, "/")
		var allowed []string
		for _, r := range table {
			if matches(r.segments, segments) && !slices.Contains(allowed, r.method) {
				allowed = append(allowed, r.method)
			}
		}
		return strings.Join(allowed, ", ")
	}
}
