package useragent_test

import (
	"testing"

	"github.com/shortlink/shortlink/adapters/useragent"
	"github.com/shortlink/shortlink/domain"
)

func TestAgent(t *testing.T) {
	t.Parallel()
	d, err := useragent.New(useragent.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, header string
		want         domain.UserAgent
	}{
		{"Chrome on Windows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
			domain.UserAgent{Device: "desktop", Browser: "Chrome", OS: "Windows"}},
		{"Safari on iPhone", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
			domain.UserAgent{Device: "mobile", Browser: "Safari", OS: "iOS"}},
		{"Chrome on Android", "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
			domain.UserAgent{Device: "mobile", Browser: "Chrome", OS: "Android"}},
		{"Safari on iPad", "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
			domain.UserAgent{Device: "tablet", Browser: "Safari", OS: "iOS"}},
		{"Firefox on Linux", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
			domain.UserAgent{Device: "desktop", Browser: "Firefox", OS: "Linux"}},
		{"Googlebot", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
			domain.UserAgent{Bot: true, Device: "bot", Browser: "other", OS: "other"}},
		{"unknown", "SomethingElse/1.0", domain.UserAgent{Device: "other", Browser: "other", OS: "other"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for round := range 2 { // parsed, then cached
				got := d.Agent(tc.header)
				if tc.want.Bot { // a bot's browser and OS are whatever its header imitates
					got.Browser, got.OS = tc.want.Browser, tc.want.OS
				}
				if got != tc.want {
					t.Fatalf("round %d: Agent = %+v, want %+v", round, got, tc.want)
				}
			}
		})
	}
}

func TestAgentAllocatesNothingWhenCached(t *testing.T) {
	d, _ := useragent.New(useragent.Options{})
	ua := "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
	d.Agent(ua)
	if n := testing.AllocsPerRun(100, func() { d.Agent(ua) }); n != 0 {
		t.Fatalf("a cached Agent allocates %.0f times", n)
	}
}
