package httpapi_test

import (
	"net/http"

	"github.com/shortlink/shortlink/test/httpsuite"
)

// exportExchanges are the export's exchanges: both formats, a bad format,
// no credentials, a store down, a miss over MISS_RATE_LIMIT.
func exportExchanges(links openAPILinks) []exchange {
	bearer := func(key string) map[string]string { return map[string]string{"Authorization": "Bearer " + key} }
	admin, viewer := bearer(httpsuite.AdminKey), bearer(links.viewerKey)
	get := func(name, server, query string, header map[string]string, status int, conforms bool) exchange {
		return exchange{name: name, server: server, method: http.MethodGet, path: "/v1/shortlinks/export" + query, header: header, status: status, conforms: conforms}
	}
	return []exchange{
		get("export as CSV", "up", "?format=csv", viewer, 200, true),
		get("export as NDJSON", "up", "?format=ndjson&tag=doc&state=active", admin, 200, true),
		get("export in an unknown format", "up", "?format=xlsx", admin, 400, false),
		get("export without credentials", "up", "", nil, 401, false),
		get("export store down", "down", "", admin, 503, true),
		get("export over MISS_RATE_LIMIT", "misses", "", bearer(unknownKey()), 429, true),
	}
}
