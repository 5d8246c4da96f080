package domain_test

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/shortlink/shortlink/domain"
)

// speller writes a host the ways a browser reads as that same host:
// fullwidth and upper-case letters and digits, ideographic full stops,
// ignorable code points anywhere, a trailing dot, every numeric IPv4 form,
// IPv4-mapped IPv6 and zero-padded or default ports.
type speller struct{ r *rand.Rand }

var (
	dotSpellings = []string{".", "。", "．", "｡"}
	ignorables   = []string{"\u00ad", "\u200b", "\u2060", "\ufeff", "\u034f", "\u180b", "\ufe00", "\ufe0f", "\U000e0100"}
)

func (s speller) pick(options []string) string { return options[s.r.IntN(len(options))] }

func (s speller) coin() bool { return s.r.IntN(2) == 0 }

// domain spells ascii, a name of [a-z0-9._-] or an IPv4 form, character by
// character, with ignorable code points between characters.
func (s speller) domain(ascii string) string {
	var b strings.Builder
	for _, c := range []byte(ascii) {
		s.maybeIgnorable(&b)
		if c == '.' {
			b.WriteString(s.pick(dotSpellings))
			continue
		}
		if s.coin() {
			c = strings.ToUpper(string(c))[0]
		}
		if s.coin() {
			b.WriteRune(rune(c) + 0xFF01 - '!') // the fullwidth form
		} else {
			b.WriteByte(c)
		}
	}
	s.maybeIgnorable(&b)
	return b.String()
}

func (s speller) maybeIgnorable(b *strings.Builder) {
	if s.r.IntN(4) == 0 {
		b.WriteString(s.pick(ignorables))
	}
}

// withTrailingDot returns name, sometimes with a trailing dot.
func (s speller) withTrailingDot(name string) string {
	if s.r.IntN(3) == 0 {
		return name + "."
	}
	return name
}

// ipv4 writes addr as 1 to 4 numbers, each decimal, octal or hex; the last
// number fills the remaining bytes.
func (s speller) ipv4(addr [4]byte) string {
	parts := 1 + s.r.IntN(4)
	numbers := make([]string, parts)
	for i := range parts - 1 {
		numbers[i] = s.number(uint64(addr[i]))
	}
	var last uint64
	for _, b := range addr[parts-1:] {
		last = last<<8 | uint64(b)
	}
	numbers[parts-1] = s.number(last)
	return strings.Join(numbers, ".")
}

func (s speller) number(n uint64) string {
	zeros := strings.Repeat("0", s.r.IntN(3))
	switch s.r.IntN(3) {
	case 0:
		return strconv.FormatUint(n, 10)
	case 1:
		return "0" + zeros + strconv.FormatUint(n, 8)
	default:
		return s.pick([]string{"0x", "0X"}) + zeros + strconv.FormatUint(n, 16)
	}
}

// mappedIPv6 writes addr as a bracketed IPv4-mapped IPv6 literal.
func (s speller) mappedIPv6(addr [4]byte) string {
	prefix := s.pick([]string{"::ffff:", "::FFFF:", "0:0:0:0:0:ffff:", "0000:0::00:FfFf:"})
	if s.coin() {
		return "[" + prefix + strconv.Itoa(int(addr[0])) + "." + strconv.Itoa(int(addr[1])) + "." +
			strconv.Itoa(int(addr[2])) + "." + strconv.Itoa(int(addr[3])) + "]"
	}
	hi := strconv.FormatUint(uint64(addr[0])<<8|uint64(addr[1]), 16)
	lo := strconv.FormatUint(uint64(addr[2])<<8|uint64(addr[3]), 16)
	return "[" + prefix + hi + ":" + strings.ToUpper(lo) + "]"
}

// ipHost spells addr as a numeric IPv4 form or an IPv4-mapped IPv6 literal.
func (s speller) ipHost(addr [4]byte) string {
	if s.r.IntN(4) == 0 {
		return s.mappedIPv6(addr)
	}
	return s.domain(s.withTrailingDot(s.ipv4(addr)))
}

// port writes ":port" with leading zeros, or nothing when port is the
// scheme's default and a coin says so.
func (s speller) port(scheme string, port int) string {
	if (scheme == "http" && port == 80 || scheme == "https" && port == 443) && s.coin() {
		return ""
	}
	return ":" + strings.Repeat("0", s.r.IntN(3)) + strconv.Itoa(port)
}

func (s speller) scheme() string { return s.pick([]string{"http", "https", "HTTP", "Https"}) }

// label is an ordinary DNS label of [a-z0-9_-], never an "xn--" one.
func (s speller) label(alphabet string) string {
	b := make([]byte, 1+s.r.IntN(10))
	for i := range b {
		b[i] = alphabet[s.r.IntN(len(alphabet))]
	}
	if strings.HasPrefix(string(b), "xn--") {
		b[0] = 'a'
	}
	return string(b)
}

const labelAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789-_"

// checkHostSpellings makes one spelling of each kind with r and checks how
// the policies judge it.
func checkHostSpellings(t *testing.T, r *rand.Rand) {
	t.Helper()
	s := speller{r}
	refused := func(policy domain.URLPolicy, url, reason string) {
		t.Helper()
		var verr *domain.ValidationError
		if _, err := policy.Parse(url); !errors.As(err, &verr) || verr.Message != "url "+reason {
			t.Fatalf("Parse(%+q) error = %v, want url: %s", url, err, reason)
		}
	}
	userinfo := s.pick([]string{"", "", "sho.rt@", "user:pw@"})

	sub := ""
	if s.coin() {
		sub = s.label(labelAlphabet) + "."
	}
	scheme := s.scheme()
	refused(localPolicy, scheme+"://"+userinfo+s.domain(s.withTrailingDot(sub+deniedName))+s.port("http", 1+r.IntN(65535))+"/", reasonDenied)
	refused(localPolicy, scheme+"://"+s.ipHost([4]byte{169, 254, 169, 254})+"/", reasonDenied)

	loopback := s.pick([]string{"[::1]", "[0:0:0:0:0:0:0:1]", "[::0001]", "[::]", s.domain(s.withTrailingDot("localhost")),
		s.domain(s.label(labelAlphabet) + ".localhost"), s.ipHost([4]byte{127, byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256))})})
	refused(localPolicy, s.scheme()+"://"+userinfo+loopback+s.port("http", 8080)+"/x", reasonOwnHost)

	scheme = strings.ToLower(s.scheme())
	refused(remotePolicy, scheme+"://"+userinfo+s.domain(s.withTrailingDot("sho.rt"))+s.port(scheme, 80+(443-80)*r.IntN(2))+"/x", reasonOwnHost)

	name := s.withTrailingDot(s.label(labelAlphabet) + "." + s.label(labelAlphabet) + "." + s.label("abcdefghijklmnopqrstuvwxyz"))
	spelled := s.domain(name)
	rawScheme := s.scheme()
	scheme = strings.ToLower(rawScheme)
	port := 1 + r.IntN(65535)
	want := scheme + "://" + name + ":" + strconv.Itoa(port) + "/p?q#f"
	if port == 80 && scheme == "http" || port == 443 && scheme == "https" {
		want = scheme + "://" + name + "/p?q#f"
	}
	if got, err := remotePolicy.Parse(rawScheme + "://" + spelled + s.port(scheme, port) + "/p?q#f"); err != nil || got != want {
		t.Fatalf("Parse(%+q) = %q, %v; want %q", spelled, got, err, want)
	}
}

// TestHostSpellingsProperty checks thousands of generated spellings with a
// fixed seed, so a failure is reproducible.
func TestHostSpellingsProperty(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(11, 2))
	for range 3000 {
		checkHostSpellings(t, r)
	}
}

// FuzzHostSpellings lets `go test -fuzz FuzzHostSpellings ./domain` search
// the seeds of the same generator.
func FuzzHostSpellings(f *testing.F) {
	f.Add(uint64(0), uint64(0))
	f.Add(uint64(11), uint64(2))
	f.Fuzz(func(t *testing.T, seed1, seed2 uint64) {
		checkHostSpellings(t, rand.New(rand.NewPCG(seed1, seed2)))
	})
}
