package domain

import (
	"crypto/sha256"
	"encoding/binary"
	"net/netip"
	"net/url"
	"strings"
	"unicode/utf8"
)

// A visitor's dimensions: what a visit is counted under besides humans,
// bots and its referrer's host, per link and day (SPEC §13). Each value
// comes from the request and is used in memory only: a country code, not
// the address; a family, not the user agent; a campaign's name from the
// short URL's query string.

// Dimension names one visitor dimension.
type Dimension uint8

// The dimensions, in the order the API lists them.
const (
	DimCountry Dimension = iota
	DimDevice
	DimBrowser
	DimOS
	DimUTMSource
	DimUTMMedium
	DimUTMCampaign
	// DimRule is which redirect rule served the visit ("1" for the first,
	// RuleNone for none), for links with rules only (SPEC §15).
	DimRule
	// NumDimensions is how many there are: the length of Dimensions.
	NumDimensions
)

var dimensionNames = [NumDimensions]string{"country", "device", "browser", "os", "utm_source", "utm_medium", "utm_campaign", "rule"}

// String is the dimension's name in the API and in storage.
func (d Dimension) String() string {
	if d < NumDimensions {
		return dimensionNames[d]
	}
	return "unknown"
}

// ParseDimension is the dimension named name.
func ParseDimension(name string) (Dimension, bool) {
	for i, n := range dimensionNames {
		if n == name {
			return Dimension(i), true
		}
	}
	return 0, false
}

// Dimension values that stand for a class rather than a name.
const (
	// CountryUnknown is the country of an address no database places: a
	// private, reserved or unlisted one.
	CountryUnknown = "XX"
	// ValueNone counts the visits without a value: no utm_source, say.
	ValueNone = "none"
	// ValueOther names a browser or OS family the parser does not know.
	ValueOther = "other"
	// MaxDimensionValue is the longest value kept, in bytes: a longer UTM
	// value is cut (at a character boundary), so attacker-chosen values
	// cost bounded memory each.
	MaxDimensionValue = 64
)

// Device classes.
const (
	DeviceDesktop = "desktop"
	DeviceMobile  = "mobile"
	DeviceTablet  = "tablet"
	DeviceBot     = "bot"
	DeviceOther   = "other"
)

// UserAgent is what a visit's User-Agent header says about its client,
// as a parser classifies it: whether it is a bot, its device class and its
// browser and OS families. Its strings are constants, never slices of the
// header, so keeping one keeps nothing of the header.
type UserAgent struct {
	Bot     bool
	Device  string
	Browser string
	OS      string
}

// VisitorValues are a visit's value of every dimension, indexed by
// Dimension.
type VisitorValues [NumDimensions]string

// CountryCode is code when it is an ISO 3166-1 alpha-2 code (upper case,
// as databases give them), else CountryUnknown.
func CountryCode(code string) string {
	if len(code) == 2 && code[0] >= 'A' && code[0] <= 'Z' && code[1] >= 'A' && code[1] <= 'Z' && code != "ZZ" {
		return code
	}
	return CountryUnknown
}

// PublicAddr reports whether addr can be placed in a country: a global
// unicast address, not private, loopback, link-local or unspecified.
func PublicAddr(addr netip.Addr) bool {
	addr = addr.Unmap()
	return addr.IsValid() && addr.IsGlobalUnicast() && !addr.IsPrivate()
}

// UTM is the utm_source, utm_medium and utm_campaign of a short URL's raw
// query string, ValueNone for each one absent or empty. A value is
// returned as a slice of rawQuery when it needs no decoding (the common
// case: no allocation); a value with '%' or '+' is decoded, and one that
// does not decode, or is not UTF-8, counts as ValueNone. Values are cut to
// MaxDimensionValue bytes.
func UTM(rawQuery string) (source, medium, campaign string) {
	source, medium, campaign = ValueNone, ValueNone, ValueNone
	for rawQuery != "" {
		var pair string
		pair, rawQuery, _ = strings.Cut(rawQuery, "&")
		name, value, _ := strings.Cut(pair, "=")
		var into *string
		switch name {
		case "utm_source":
			into = &source
		case "utm_medium":
			into = &medium
		case "utm_campaign":
			into = &campaign
		default:
			continue
		}
		if v := utmValue(value); v != "" {
			*into = v
		}
	}
	return source, medium, campaign
}

func utmValue(raw string) string {
	if strings.ContainsAny(raw, "%+") {
		decoded, err := url.QueryUnescape(raw)
		if err != nil {
			return ""
		}
		raw = decoded
	}
	raw = strings.TrimSpace(raw)
	if !utf8.ValidString(raw) {
		return ""
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] < 0x20 || raw[i] == 0x7f {
			return ""
		}
	}
	if len(raw) > MaxDimensionValue {
		cut := MaxDimensionValue
		for cut > 0 && !utf8.RuneStart(raw[cut]) {
			cut--
		}
		raw = raw[:cut]
	}
	return raw
}

// VisitorKeySize is the length of a day's visitor key, in bytes.
const VisitorKeySize = 32

// visitorUserAgentBytes is how much of a user agent VisitorHash reads: a
// fixed buffer on the stack, and more distinguishes almost nobody.
const visitorUserAgentBytes = 384

// VisitorHash is the keyed hash a visitor is counted under for the day of
// key: the first 64 bits of SHA-256(key ‖ address ‖ link ‖ user agent).
// Without the key, which lives for its day only (ports.VisitorKeys), it
// can be tied neither to the address nor to the same visitor another day.
// It allocates nothing.
func VisitorHash(key []byte, addr netip.Addr, userAgent string, link LinkID) uint64 {
	var buf [VisitorKeySize + 16 + 8 + visitorUserAgentBytes]byte
	n := copy(buf[:VisitorKeySize], key)
	a := addr.Unmap().As16()
	n += copy(buf[n:], a[:])
	binary.BigEndian.PutUint64(buf[n:], uint64(link))
	n += 8
	n += copy(buf[n:], userAgent)
	sum := sha256.Sum256(buf[:n])
	return binary.BigEndian.Uint64(sum[:8])
}
