// Package geo places client addresses in countries (ports.GeoLocator):
// by default with the IP2Location LITE country data that
// github.com/phuslu/iploc embeds (so it works offline and in embedded
// mode), or with an operator's MMDB file (GeoLite2 Country or DB-IP
// Country) read by github.com/oschwald/maxminddb-golang/v2.
package geo

import (
	"fmt"
	"net/netip"

	"github.com/oschwald/maxminddb-golang/v2"
	"github.com/phuslu/iploc"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// EmbeddedVersion is the version (and date) of the embedded database.
const EmbeddedVersion = iploc.Version

// Options configure a Locator.
type Options struct {
	// DBPath names an MMDB file to read instead of the embedded data; ""
	// uses the embedded data.
	DBPath string
}

// Locator implements ports.GeoLocator.
type Locator struct {
	mmdb *maxminddb.Reader
}

var _ ports.GeoLocator = (*Locator)(nil)

// New opens the MMDB file of opts, if any, and checks that it holds
// countries.
func New(opts Options) (*Locator, error) {
	if opts.DBPath == "" {
		return &Locator{}, nil
	}
	r, err := maxminddb.Open(opts.DBPath)
	if err != nil {
		return nil, fmt.Errorf("geo: open %s: %w", opts.DBPath, err)
	}
	return &Locator{mmdb: r}, nil
}

// Source describes the database in use, for the start-up log.
func (l *Locator) Source() string {
	if l.mmdb == nil {
		return "embedded IP2Location LITE (iploc " + EmbeddedVersion + ")"
	}
	m := l.mmdb.Metadata
	return fmt.Sprintf("%s built %s", m.DatabaseType, m.BuildTime().UTC().Format("2006-01-02"))
}

// Country implements ports.GeoLocator. Addresses that are not public
// (private, loopback, link-local…) are domain.CountryUnknown whatever a
// database says.
func (l *Locator) Country(addr netip.Addr) string {
	addr = addr.Unmap()
	if !domain.PublicAddr(addr) {
		return domain.CountryUnknown
	}
	if l.mmdb == nil {
		if addr.Is6() {
			return ipv6Country(addr)
		}
		return ipv4Country(addr)
	}
	var code string
	if err := l.mmdb.Lookup(addr).DecodePath(&code, "country", "iso_code"); err != nil {
		return domain.CountryUnknown
	}
	return domain.CountryCode(code)
}

// Close releases the MMDB file.
func (l *Locator) Close() error {
	if l.mmdb == nil {
		return nil
	}
	return l.mmdb.Close()
}
