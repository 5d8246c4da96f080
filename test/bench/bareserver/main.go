// Command bareserver is the ceiling of `make bench`: a bare net/http server
// that answers every request with the same 302, so the benchmark can tell
// how much of a redirect's cost is the api's own and how much is Go's HTTP
// stack and the loopback network on this machine.
//
//	bareserver -addr 127.0.0.1:18000
package main

import (
	"flag"
	"log"
	"net/http"
	"time"
)

// location has the length of the targets the benchmark seeds, so both
// servers write responses of about the same size.
const location = "https://example.com/bench/0123456789abcdef0123"

func main() {
	addr := flag.String("addr", "127.0.0.1:18000", "listen address")
	flag.Parse()
	srv := &http.Server{
		Addr: *addr,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header()["Location"] = []string{location}
			w.WriteHeader(http.StatusFound)
		}),
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       75 * time.Second,
	}
	log.Fatal(srv.ListenAndServe())
}
