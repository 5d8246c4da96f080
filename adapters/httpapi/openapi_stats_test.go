package httpapi_test

import "net/http"

// openAPIAdminKey is an ADMIN_KEYS entry of the "up" server.
const openAPIAdminKey = "openapi-admin-key-0123456789"

// statsExchanges ask for the stats of doc-link, which an earlier exchange
// created on the "up" server: every status of the stats route.
func statsExchanges() []exchange {
	stats := func(name, query, bearer string, status int, conforms bool) exchange {
		ex := exchange{name: name, server: "up", method: http.MethodGet, path: "/v1/shortlink/doc-link/stats" + query, status: status, conforms: conforms}
		if bearer != "" {
			ex.header = map[string]string{"Authorization": "Bearer " + bearer}
		}
		return ex
	}
	return []exchange{
		stats("stats", "", openAPIAdminKey, 200, true),
		stats("hourly stats of a window", "?from=2026-01-01T10:00:00Z&to=2026-01-02T10:00:00%2B01:00&interval=hour", openAPIAdminKey, 200, true),
		stats("stats without credentials", "", "", 401, false),
		stats("stats with another's credentials", "", "not-this-links-token", 403, true),
		{name: "stats of an unknown code", server: "up", method: http.MethodGet, path: "/v1/shortlink/NoSuch1/stats", header: map[string]string{"Authorization": "Bearer " + openAPIAdminKey}, status: 404, conforms: true},
		stats("stats with a bad interval", "?interval=week", openAPIAdminKey, 400, false),
		stats("stats with from after to", "?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", openAPIAdminKey, 400, true),
		stats("stats of too long a window", "?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", openAPIAdminKey, 400, true),
		{name: "stats with the store down", server: "down", method: http.MethodGet, path: "/v1/shortlink/doc-link/stats", header: map[string]string{"Authorization": "Bearer " + openAPIAdminKey}, status: 503, conforms: true},
	}
}
