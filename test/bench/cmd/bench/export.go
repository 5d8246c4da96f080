package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shortlink/shortlink/test/testkit"
)

// exportTarget is SPEC §17's bound on the api's RSS growth over an export.
const exportTarget = 32 << 10 // KiB

// seedVisitsSQL gives every tenth seeded link a day of visits (3 humans,
// 1 bot), so the export's visit totals read rows, not only misses.
const seedVisitsSQL = `INSERT INTO visit_day (link_month, link_id, day, slot, humans, bots, referrers)
	SELECT date_trunc('month', now())::date, id, date_trunc('day', now()), 0, 3, 1, '{}'
	FROM short_link WHERE id % 10 = 0`

// seedSpacedSQL is seedSQL with the links created a millisecond apart
// (the newest an hour ago), as links made one by one are: seedSQL's n
// links share one created_at, and for that one value the planner expects
// no row before a cursor, so each page of the listing's keyset would sort
// every link left (0.8 s a page at 300,000) rather than read 1,000 from
// the index.
func seedSpacedSQL(ctx context.Context, dbURL string, n int) error {
	return execAll(ctx, dbURL,
		fmt.Sprintf(`INSERT INTO short_link (code, url, created_at, expires_at)
			SELECT 'x' || lpad(i::text, 7, '0'), 'https://example.com/seeded/' || md5(i::text),
			       now() - interval '1 hour' - i * interval '1 millisecond', now() + interval '30 days'
			FROM generate_series(0, %d) AS i`, n-1),
		`INSERT INTO code_claim (code, link_id, free_after, created_at)
			SELECT code, id, expires_at + interval '365 days', created_at FROM short_link WHERE code LIKE 'x%'`,
		"VACUUM ANALYZE")
}

// exportRun is one export measured: its rows, bytes and time, and the
// api's memory before, at its highest (sampled) and after.
type exportRun struct {
	format                      string
	rows, visits, bytes         int64
	elapsed, cpu                time.Duration
	rssBefore, rssPeak, hwmDiff int64 // KiB
	rssAfter                    int64
}

// runExport is make bench-export: a stack with -export links seeded in
// SQL (every tenth with visits), one api with the defaults, and an export
// of every link through it in each format, read as fast as the client
// can, while the api's VmRSS is sampled every 20 ms.
func (b *bench) runExport(ctx context.Context) (string, error) {
	o := b.opts
	if err := b.build(ctx); err != nil {
		return "", err
	}
	st, err := b.newStackSeeded(ctx, "export", o.dbName+"_export", o.export, 1000, func(ctx context.Context, dbURL string) error {
		return seedSpacedSQL(ctx, dbURL, o.export)
	})
	if err != nil {
		return "", err
	}
	if err := execAll(ctx, st.dbURL, seedVisitsSQL, "ANALYZE visit_day"); err != nil {
		return "", err
	}
	wantVisits, err := queryInt(ctx, st.dbURL, "SELECT sum(humans + bots) FROM visit_day")
	if err != nil {
		return "", err
	}
	api, err := b.startAPI(ctx, "api-export", st, "ADMIN_KEYS="+adminKey)
	if err != nil {
		return "", err
	}
	var runs []exportRun
	for _, format := range []string{"csv", "ndjson"} {
		r, err := b.exportOnce(ctx, api, format)
		if err != nil {
			return "", err
		}
		if r.rows != int64(o.export) || r.visits != wantVisits {
			return "", fmt.Errorf("%s export: %d rows and %d visits, want %d and %d", format, r.rows, r.visits, o.export, wantVisits)
		}
		b.logf("export %s: %d rows, %.1f MiB in %s; api RSS %s before, %s peak, %s after",
			format, r.rows, float64(r.bytes)/(1<<20), r.elapsed.Round(time.Millisecond), mib(r.rssBefore), mib(r.rssPeak), mib(r.rssAfter))
		runs = append(runs, r)
	}

	var w strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&w, format+"\n", args...) }
	v := b.version
	p("# shortlink bench-export — %s", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	p("")
	p("- machine: %d CPUs (%s), %s; %s; %s; %s; load average %s at start, %s at the end", runtime.NumCPU(), v["cpu"], v["kernel"], v["go"], v["postgres"], v["redis"], b.loadStart, loadAverage())
	p("- %d links seeded in SQL a millisecond apart, every tenth with a day of visits (%d visits in all); one api with the defaults (server mode); "+
		"GET /v1/shortlinks/export with an admin key straight to the api, the body read as fast as it comes; the api's VmRSS sampled every 20 ms", o.export, wantVisits)
	p("")
	p("| format | rows | body | time | rows/s | api CPU | VmRSS before | VmRSS peak (sampled) | growth | VmHWM growth | VmRSS after |")
	p("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	worst := int64(0)
	for _, r := range runs {
		growth := r.rssPeak - r.rssBefore
		worst = max(worst, growth, r.hwmDiff)
		p("| %s | %d | %.1f MiB | %.1f s | %.0f | %.1f s | %s | %s | %s | %s | %s |", r.format, r.rows, float64(r.bytes)/(1<<20),
			r.elapsed.Seconds(), float64(r.rows)/r.elapsed.Seconds(), r.cpu.Seconds(), mib(r.rssBefore), mib(r.rssPeak), mib(growth), mib(r.hwmDiff), mib(r.rssAfter))
	}
	verdict := "met"
	if worst > exportTarget {
		verdict = "**missed**"
	}
	p("")
	p("Target: exporting %d links grows the api's RSS by ≤ 32 MiB: largest growth %s — %s. "+
		"Every row and every visit arrived (checked against the database).", o.export, mib(worst), verdict)
	return w.String(), nil
}

// exportOnce exports every link in format and measures it.
func (b *bench) exportOnce(ctx context.Context, api *server, format string) (exportRun, error) {
	r := exportRun{format: format}
	pid := api.pid()
	var err error
	if r.rssBefore, _, err = testkit.MemStatus(pid); err != nil {
		return r, err
	}
	_, hwmBefore, _ := testkit.MemStatus(pid)
	cpu0, err := cpuTime(pid)
	if err != nil {
		return r, err
	}
	stop := make(chan struct{})
	var (
		wg   sync.WaitGroup
		peak = r.rssBefore
	)
	wg.Go(func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if rss, _, err := testkit.MemStatus(pid); err == nil {
					peak = max(peak, rss)
				}
			}
		}
	})
	start := time.Now()
	rows, visits, n, err := readExport(ctx, api.url, format)
	r.elapsed = time.Since(start)
	close(stop)
	wg.Wait()
	if err != nil {
		return r, err
	}
	r.rows, r.visits, r.bytes, r.rssPeak = rows, visits, n, peak
	cpu1, err := cpuTime(pid)
	if err != nil {
		return r, err
	}
	r.cpu = cpu1 - cpu0
	var hwm int64
	r.rssAfter, hwm, _ = testkit.MemStatus(pid)
	r.hwmDiff = max(0, hwm-max(hwmBefore, r.rssBefore))
	return r, nil
}

// readExport reads an export, counting its rows and adding up their visits
// (the last column in either format).
func readExport(ctx context.Context, baseURL, format string) (rows, visits, size int64, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/v1/shortlinks/export?format="+format, nil)
	if err != nil {
		return 0, 0, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+adminKey)
	resp, err := apiClient(0, nil).Do(req)
	if err != nil {
		return 0, 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return 0, 0, 0, fmt.Errorf("export: %s %s", resp.Status, body)
	}
	in := bufio.NewReaderSize(resp.Body, 64<<10)
	header := format == "csv"
	for {
		line, err := in.ReadSlice('\n')
		size += int64(len(line))
		if errors.Is(err, io.EOF) && len(line) == 0 {
			return rows, visits, size, nil
		}
		if err != nil {
			return rows, visits, size, fmt.Errorf("export cut after %d rows: %w", rows, err)
		}
		if header {
			header = false
			continue
		}
		s := strings.TrimSuffix(strings.TrimSuffix(string(line), "\n"), "}")
		n, err := strconv.ParseInt(s[strings.LastIndexAny(s, ",:")+1:], 10, 64)
		if err != nil {
			return rows, visits, size, fmt.Errorf("row %d: no visits at the end of %q", rows+1, line)
		}
		rows++
		visits += n
	}
}
