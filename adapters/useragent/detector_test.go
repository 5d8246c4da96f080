package useragent_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/shortlink/shortlink/adapters/useragent"
)

// Real user agents: current browsers, and the crawlers, previewers and
// clients people share short links through.
var agents = []struct {
	name string
	ua   string
	bot  bool
}{
	{"Chrome 131, Windows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", false},
	{"Chrome 131, Android", "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", false},
	{"Edge 131", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", false},
	{"Firefox 133, Windows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", false},
	{"Firefox 133, Linux", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", false},
	{"Safari 18, macOS", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", false},
	{"Safari 18, iPhone", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", false},
	{"Googlebot", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", true},
	{"Googlebot smartphone", "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.69 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", true},
	{"Bingbot", "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", true},
	{"Bingbot, Chrome-based", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36", true},
	{"Slackbot link expander", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", true},
	{"Slackbot", "Slackbot 1.0 (+https://api.slack.com/robots)", true},
	{"facebookexternalhit", "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", true},
	{"Twitterbot", "Twitterbot/1.0", true},
	{"Discordbot", "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", true},
	{"curl", "curl/8.5.0", true},
	{"python-requests", "python-requests/2.32.3", true},
	{"Go http client", "Go-http-client/1.1", true},
}

func TestIsBot(t *testing.T) {
	t.Parallel()
	d, err := useragent.New(useragent.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range agents {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for round := range 2 { // parsed, then cached
				if got := d.IsBot(tc.ua); got != tc.bot {
					t.Fatalf("round %d: IsBot(%q) = %v, want %v", round, tc.ua, got, tc.bot)
				}
			}
		})
	}
}

func TestCacheIsBoundedInBytes(t *testing.T) {
	t.Parallel()
	d, err := useragent.New(useragent.Options{CacheBytes: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	// Random-looking agents must neither fail nor grow the cache past its bound.
	for i := range 20_000 {
		ua := fmt.Sprintf("Mozilla/5.0 (X11; Linux x86_64; rv:%d.0) Gecko/20100101 Firefox/%d.0", i, i)
		if d.IsBot(ua) {
			t.Fatalf("a Firefox agent was classed as a bot: %s", ua)
		}
	}
	if got := d.CachedBytes(); got > 64<<10 {
		t.Fatalf("cache holds %d bytes, over its 64 KiB bound", got)
	}
	long := "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html) " + strings.Repeat("x", 1000)
	if !d.IsBot(long) {
		t.Fatal("an over-long Googlebot agent is not a bot")
	}
}

func BenchmarkIsBot(b *testing.B) {
	d, err := useragent.New(useragent.Options{})
	if err != nil {
		b.Fatal(err)
	}
	chrome := agents[0].ua
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		d.IsBot(chrome)
		for b.Loop() {
			d.IsBot(chrome)
		}
	})
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			d.Parse(chrome)
		}
	})
}
