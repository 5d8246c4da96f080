//go:build integration

package integration

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/testenv"
	"github.com/shortlink/shortlink/test/testkit"
)

// A visitor of the dimension tests: an address (sent in X-Forwarded-For
// from the loopback proxy, which TRUSTED_PROXIES trusts by default), a
// user agent and the query of the short URL it follows.
type dimVisitor struct {
	addr, userAgent, query string
}

const (
	iPhone    = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
	winChrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
	googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
)

// dimVisitors: Germany (2 people on phones, campaign spring), Japan (a
// desktop, campaign autumn), the US (Googlebot, no campaign); each seen
// several times.
var dimVisitors = []dimVisitor{
	{"193.99.144.80", iPhone, "?utm_source=newsletter&utm_campaign=spring"},
	{"193.99.144.81", iPhone, "?utm_source=newsletter&utm_campaign=spring"},
	{"2400:4050:a0c1:1::77", winChrome, "?utm_source=ads&utm_campaign=autumn"},
	{"8.8.4.4", googlebot, ""},
}

const dimRounds = 5 // each visitor's visits

// sendDimVisits sends each visitor's visits, alternating over bases.
func sendDimVisits(t *testing.T, bases []string, code string) {
	t.Helper()
	for round := range dimRounds {
		for i, v := range dimVisitors {
			req, err := http.NewRequest(http.MethodGet, bases[(round+i)%len(bases)]+"/"+code+v.query, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("User-Agent", v.userAgent)
			req.Header.Set("X-Forwarded-For", v.addr)
			resp, err := loadClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusFound {
				t.Fatalf("visit: %d", resp.StatusCode)
			}
		}
	}
}

// checkDimStats checks the stats of code against dimVisitors; embedded
// mode trusts no proxy, so it sees every visitor at the loopback address.
func checkDimStats(t *testing.T, base, code string, embedded bool) {
	t.Helper()
	stats, r := testkit.GetStats(loadClient, base, code, visitAdminKey, "dimensions=country,device,browser,os,utm_source,utm_campaign")
	if r.Err != nil || r.Status != http.StatusOK {
		t.Fatalf("stats: %s", r)
	}
	want := map[string]map[string]int64{
		"country":      {"DE": 2 * dimRounds, "JP": dimRounds, "US": dimRounds},
		"device":       {"mobile": 2 * dimRounds, "desktop": dimRounds, "bot": dimRounds},
		"browser":      {"Safari": 2 * dimRounds, "Chrome": dimRounds, "other": dimRounds},
		"os":           {"iOS": 2 * dimRounds, "Windows": dimRounds, "other": dimRounds},
		"utm_source":   {"newsletter": 2 * dimRounds, "ads": dimRounds, "none": dimRounds},
		"utm_campaign": {"spring": 2 * dimRounds, "autumn": dimRounds, "none": dimRounds},
	}
	uniques := int64(3) // three humans, exact at this size
	if embedded {
		want["country"] = map[string]int64{"XX": int64(len(dimVisitors) * dimRounds)}
		uniques = 2 // the two phones at one address are one visitor
	}
	for dim, values := range want {
		if got := stats.Dimension(dim); !maps.Equal(got, values) {
			t.Errorf("%s: %v, want %v", dim, got, values)
		}
	}
	if stats.Total != int64(len(dimVisitors)*dimRounds) || stats.Bots != dimRounds {
		t.Errorf("%d visits, %d bots; want %d and %d", stats.Total, stats.Bots, len(dimVisitors)*dimRounds, dimRounds)
	}
	if stats.UniqueVisitors != uniques || stats.UniqueVisitorsPer != "day" {
		t.Errorf("%d unique visitors per %q, want %d per day", stats.UniqueVisitors, stats.UniqueVisitorsPer, uniques)
	}
}

// secrets are what must appear nowhere: each address as text and in its
// binary forms (raw bytes, hex, as Postgres prints bytea), and each user
// agent.
func secrets() map[string][]byte {
	out := map[string][]byte{}
	for _, v := range dimVisitors {
		a := netip.MustParseAddr(v.addr)
		raw := a.AsSlice()
		out["address "+v.addr] = []byte(v.addr)
		out["address bytes of "+v.addr] = raw
		out["address hex of "+v.addr] = []byte(hex.EncodeToString(raw))
		if a.Is4() {
			mapped := netip.AddrFrom16(a.As16()).AsSlice()
			out["mapped address bytes of "+v.addr] = mapped
			out["mapped address hex of "+v.addr] = []byte(hex.EncodeToString(mapped))
		}
		out["user agent "+v.userAgent] = []byte(v.userAgent)
	}
	return out
}

func expectNoSecrets(t *testing.T, where string, data []byte) {
	t.Helper()
	lower := bytes.ToLower(data)
	for name, s := range secrets() {
		if bytes.Contains(data, s) || bytes.Contains(lower, bytes.ToLower(s)) {
			t.Errorf("%s contains the %s", where, name)
		}
	}
}

// TestVisitorDimensionsOnTwoReplicas: visits from three countries, phone,
// desktop and bot user agents and two campaigns, through two apis, show
// up exactly in the stats, unique visitors counted once across both; and
// neither Postgres, the logs (default settings) nor the metrics hold an
// address or a user agent sent.
func TestVisitorDimensionsOnTwoReplicas(t *testing.T) {
	bin := testenv.BuildBinaries(t)
	s := testenv.NewStack(t, "")
	env := visitEnv(s, 200*time.Millisecond)
	env["VISIT_UNIQUES_INTERVAL"] = "200ms"
	delete(env, "LOG_LEVEL") // the default settings, access log included
	one, two := testenv.StartAPI(t, bin, env), testenv.StartAPI(t, bin, env)
	code := mustCreate(t, one.BaseURL(), "https://example.com/dimensions")
	sendDimVisits(t, []string{one.BaseURL(), two.BaseURL()}, code)
	time.Sleep(time.Second)
	checkDimStats(t, two.BaseURL(), code, false)

	db := testenv.SQL(t, s.DatabaseURL)
	var tables []string
	if err := db.Select(&tables, `SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`); err != nil {
		t.Fatal(err)
	}
	var dump strings.Builder
	for _, table := range tables {
		var rows []string
		if err := db.Select(&rows, fmt.Sprintf(`SELECT t::text FROM %s t`, table)); err != nil {
			t.Fatal(err)
		}
		dump.WriteString(strings.Join(rows, "\n"))
	}
	if !strings.Contains(dump.String(), "spring") {
		t.Fatal("the dump holds no campaign: it did not read the visit tables")
	}
	expectNoSecrets(t, "Postgres", []byte(dump.String()))
	for _, api := range []*testenv.Process{one, two} {
		metrics := testkit.Send(loadClient, http.MethodGet, api.BaseURL()+"/metrics", "", nil, nil)
		expectNoSecrets(t, "the metrics", metrics.Body)
	}
	one.Terminate()
	two.Terminate()
	<-one.Done()
	<-two.Done()
	expectNoSecrets(t, "the api's log", []byte(one.Output()+two.Output()))
}

// TestVisitorDimensionsEmbedded: the same in embedded mode, and the data
// file holds no address or user agent.
func TestVisitorDimensionsEmbedded(t *testing.T) {
	bin := testenv.BuildBinaries(t)
	dir := t.TempDir()
	env := map[string]string{"STORE": "embedded", "DATA_DIR": dir, "ADMIN_KEYS": visitAdminKey, "VISIT_DIMENSIONS": "true", "VISIT_FLUSH_INTERVAL": "200ms", "VISIT_UNIQUES_INTERVAL": "200ms",
		"PUBLIC_BASE_URL": "http://sho.rt", "CODE_SECRET": codeSecret}
	api := testenv.StartAPI(t, bin, env)
	code := mustCreate(t, api.BaseURL(), "https://example.com/dimensions")
	sendDimVisits(t, []string{api.BaseURL()}, code)
	time.Sleep(time.Second)
	checkDimStats(t, api.BaseURL(), code, true)
	api.Terminate()
	<-api.Done()
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) == 0 {
		t.Fatal("no data file")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		expectNoSecrets(t, "the data file "+filepath.Base(f), data)
	}
	expectNoSecrets(t, "the api's log", []byte(api.Output()))
}
