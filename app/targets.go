package app

import (
	"net/netip"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// Targets classify the visitor of a link with redirect rules (SPEC §15):
// its user agent with the parser that counts visits, its country with the
// same lookup. A redirect asks only for what the link's rules read, once,
// and hands the answers on to the visit (Hit), which then asks nothing
// again.
type Targets struct {
	bots ports.BotDetector
	geo  ports.GeoLocator
}

// NewTargets returns the classifier; a nil geo places every address in
// domain.CountryUnknown.
func NewTargets(bots ports.BotDetector, geo ports.GeoLocator) *Targets {
	return &Targets{bots: bots, geo: geo}
}

// Agent is userAgent as the parser classifies it.
// Without a parser (a nil Targets) every visitor is other on other.
func (t *Targets) Agent(userAgent string) domain.UserAgent {
	if t == nil || t.bots == nil {
		return domain.UserAgent{Device: domain.DeviceOther, Browser: domain.ValueOther, OS: domain.ValueOther}
	}
	return t.bots.Agent(userAgent)
}

// Country is addr's country code, domain.CountryUnknown when unknown.
func (t *Targets) Country(addr netip.Addr) string {
	if t == nil || t.geo == nil || !addr.IsValid() {
		return domain.CountryUnknown
	}
	return t.geo.Country(addr)
}
