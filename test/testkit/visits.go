package testkit

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// UserAgent is a real User-Agent header and whether visit counting must
// call it a bot.
type UserAgent struct {
	Name   string
	Header string
	Bot    bool
}

// UserAgents are current browsers and the crawlers, link previewers and
// clients short links meet.
var UserAgents = []UserAgent{
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

// Visit is one redirect request as a visitor's client sends it.
type Visit struct {
	Method    string
	UserAgent UserAgent
	Referer   string
}

// Bot reports whether the visit must count as a bot's: a HEAD, or a bot's agent.
func (v Visit) Bot() bool { return v.Method == http.MethodHead || v.UserAgent.Bot }

// referers of MixedVisits, with the host each one counts under.
var referers = []struct{ header, host string }{
	{"https://t.co/AbCdEf", "t.co"},
	{"https://news.ycombinator.com/item?id=42&secret=token", "news.ycombinator.com"},
	{"https://WWW.Example.COM:8443/some/path?q=private#frag", "www.example.com"},
	{"", "direct"},
	{"https://t.co/ZyXw", "t.co"},
	{"not a url", "direct"},
	{"https://t.co/again", "t.co"},
}

// MixedVisits are n visits cycling through UserAgents, a HEAD every fifth,
// and referrers of several hosts, some with paths and query strings.
func MixedVisits(n int) []Visit {
	visits := make([]Visit, n)
	for i := range visits {
		visits[i] = Visit{Method: http.MethodGet, UserAgent: UserAgents[i%len(UserAgents)], Referer: referers[i%len(referers)].header}
		if i%5 == 4 {
			visits[i].Method = http.MethodHead
		}
	}
	return visits
}

// Tally is what stats must show for visits: humans, bots and the referrer
// hosts, most visits first (ties by host).
func Tally(visits []Visit) (humans, bots int64, refs []StatsReferrer) {
	hosts := map[string]int64{}
	for _, v := range visits {
		if v.Bot() {
			bots++
		} else {
			humans++
		}
		host := "direct"
		for _, r := range referers {
			if r.header == v.Referer {
				host = r.host
			}
		}
		hosts[host]++
	}
	for h, n := range hosts {
		refs = append(refs, StatsReferrer{Host: h, Visits: n})
	}
	slices.SortFunc(refs, func(a, b StatsReferrer) int {
		if a.Visits != b.Visits {
			return int(b.Visits - a.Visits)
		}
		return strings.Compare(a.Host, b.Host)
	})
	return humans, bots, refs
}

// SendVisit requests url as v's client would.
func SendVisit(client *http.Client, url string, v Visit) Response {
	header := http.Header{"User-Agent": {v.UserAgent.Header}}
	if v.Referer != "" {
		header["Referer"] = []string{v.Referer}
	}
	return Send(client, v.Method, url, "", nil, header)
}

// Stats is the data of a stats answer.
type Stats struct {
	Code     string `json:"code"`
	From     string `json:"from"`
	To       string `json:"to"`
	Interval string `json:"interval"`
	Total    int64  `json:"total"`
	Humans   int64  `json:"humans"`
	Bots     int64  `json:"bots"`
	Series   []struct {
		Start  string `json:"start"`
		Humans int64  `json:"humans"`
		Bots   int64  `json:"bots"`
	} `json:"series"`
	Referrers         []StatsReferrer `json:"referrers"`
	UniqueVisitors    int64           `json:"unique_visitors"`
	UniqueVisitorsPer string          `json:"unique_visitors_per"`
	// Dimensions maps each dimension asked for to its values' visits.
	Dimensions map[string][]struct {
		Value  string `json:"value"`
		Visits int64  `json:"visits"`
	} `json:"dimensions"`
}

// Dimension is the visits by value of one dimension of s.
func (s Stats) Dimension(name string) map[string]int64 {
	out := map[string]int64{}
	for _, v := range s.Dimensions[name] {
		out[v.Value] = v.Visits
	}
	return out
}

// StatsReferrer is one referrer of a stats answer.
type StatsReferrer struct {
	Host   string `json:"host"`
	Visits int64  `json:"visits"`
}

// GetStats asks for a link's stats with bearer ("" sends no credentials)
// and query (e.g. "interval=hour", may be ""). The Stats are decoded from
// a 200 only.
func GetStats(client *http.Client, baseURL, code, bearer, query string) (Stats, Response) {
	url := baseURL + "/v1/shortlink/" + code + "/stats"
	if query != "" {
		url += "?" + query
	}
	var header http.Header
	if bearer != "" {
		header = http.Header{"Authorization": {"Bearer " + bearer}}
	}
	r := Send(client, http.MethodGet, url, "", nil, header)
	var s Stats
	if r.Err == nil && r.Status == http.StatusOK {
		var env struct {
			Data Stats `json:"data"`
		}
		if err := json.Unmarshal(r.Body, &env); err != nil {
			r.Err = fmt.Errorf("stats body: %w", err)
		}
		s = env.Data
	}
	return s, r
}
