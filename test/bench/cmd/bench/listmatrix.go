package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// listVariant is one cell of the listing matrix: a filter of
// GET /v1/shortlinks at one selectivity, with the SQL condition that
// counts the links it selects (its share of the workspace is measured,
// not assumed).
type listVariant struct {
	filter string     // none, q substring, q code prefix, one tag, ...
	param  url.Values // the request's query
	where  string     // the same selection in SQL, within the workspace
	share  float64    // of the workspace's links, measured
}

func (v listVariant) query() string { return v.param.Encode() }

// listRow is what the matrix measured for one variant.
type listRow struct {
	listVariant
	pages    int
	p50, p95 float64 // ms
	max      float64
	cpu      float64 // api CPU µs per page
	items    int     // links on the first page
	errors   int
}

// scaleListVariants builds the matrix over the workspace of seedScaleSQL
// (n links seeded): every filter of the issue at ≈ 1, 10 and 50 % of the
// workspace where the seed can make it so (see scaleShape for how).
func scaleListVariants(ctx context.Context, dbURL string, n int) ([]listVariant, error) {
	v := func(filter, where string, kv ...string) listVariant {
		p := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			p.Add(kv[i], kv[i+1])
		}
		return listVariant{filter: filter, param: p, where: where}
	}
	substring := func(q string) string {
		return fmt.Sprintf("(code LIKE '%[1]s%%' OR lower(url) LIKE '%%%[1]s%%' OR lower(title) LIKE '%%%[1]s%%')", q)
	}
	vs := []listVariant{v("none", "true")}
	for _, q := range []string{"qone", "qten", "qhalf"} {
		vs = append(vs, v("q URL substring", substring(q), "q", q))
	}
	// A prefix of n/10 codes is half the workspace (it holds x<i> for
	// every i < n/20), n/100 a tenth, n/1000 a hundredth.
	digits := len(fmt.Sprint(n - 1)) // of the highest seeded index, ≤ 7
	for _, d := range []int{3, 2, 1} {
		fixed := 7 - digits + d // leading zeros of x<7 digits> a prefix fixes
		if fixed < 1 || fixed > 7 {
			continue
		}
		q := "x" + strings.Repeat("0", fixed)
		where := fmt.Sprintf("code LIKE '%s%%'", q)
		if len(q) >= 3 { // from 3 characters q also searches URLs and titles
			where = substring(q)
		}
		vs = append(vs, v("q code prefix", where, "q", q))
	}
	for _, t := range []string{"one", "ten", "half"} {
		vs = append(vs, v("one tag", fmt.Sprintf("tags @> '{%s}'", t), "tag", t))
	}
	for _, t := range []string{"one", "ten", "all"} {
		vs = append(vs, v("two tags", fmt.Sprintf("tags @> '{half,%s}'", t), "tag", "half", "tag", t))
	}
	vs = append(vs,
		v("state", "state = 1 AND expires_at > now()", "state", "disabled"),
		v("state", "state <> 2 AND expires_at <= now()", "state", "expired"),
		v("state", "state = 0 AND expires_at > now()", "state", "active"))
	// Date ranges centred in the workspace's time, holding 1, 10 and 50 %
	// of its links: bounds read off its newest-first index.
	total, err := queryInt(ctx, dbURL, fmt.Sprintf("SELECT count(*) FROM short_link WHERE workspace_id = '%s'", scaleWorkspace))
	if err != nil {
		return nil, err
	}
	bound := func(permille int64) (time.Time, error) {
		var t time.Time
		err := queryRow(ctx, dbURL, fmt.Sprintf(`SELECT created_at FROM short_link WHERE workspace_id = '%s'
			ORDER BY created_at DESC, id DESC OFFSET %d LIMIT 1`, scaleWorkspace, total*permille/1000), &t)
		return t, err
	}
	for _, half := range []int64{5, 50, 250} { // ‰ each side of the middle
		after, err := bound(500 + half)
		if err != nil {
			return nil, err
		}
		before, err := bound(500 - half)
		if err != nil {
			return nil, err
		}
		a, b := after.UTC().Format(time.RFC3339Nano), before.UTC().Format(time.RFC3339Nano)
		vs = append(vs, v("date range", fmt.Sprintf("created_at > '%s' AND created_at < '%s'", a, b), "created_after", a, "created_before", b))
	}
	for i := range vs {
		n, err := queryInt(ctx, dbURL, fmt.Sprintf("SELECT count(*) FROM short_link WHERE workspace_id = '%s' AND %s", scaleWorkspace, vs[i].where))
		if err != nil {
			return nil, err
		}
		vs[i].share = float64(n) / float64(total)
	}
	return vs, nil
}

// measureList asks base for the first page of each variant with key from
// -list-clients clients in a loop, each waiting for its answer before the
// next request: latency of a page, not queueing under a saturating load.
// Each variant gets a -list-d warm-up (not counted), then -list-d measured.
func (b *bench) measureList(ctx context.Context, base, key string, api *server, vs []listVariant) ([]listRow, error) {
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: b.opts.listClients}}
	get := func(ctx context.Context, v listVariant) (time.Duration, int, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/shortlinks?"+v.query(), nil)
		if err != nil {
			return 0, 0, err
		}
		req.Header.Set("Authorization", "Bearer "+key)
		t0 := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, 0, err
		}
		raw, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		took := time.Since(t0)
		if err != nil {
			return 0, 0, err
		}
		if resp.StatusCode != http.StatusOK {
			return took, 0, fmt.Errorf("GET /v1/shortlinks?%s: status %d: %.200s", v.query(), resp.StatusCode, raw)
		}
		var page struct {
			Data struct {
				Items []json.RawMessage `json:"items"`
			} `json:"data"`
		}
		if err := json.Unmarshal(raw, &page); err != nil {
			return took, 0, fmt.Errorf("GET /v1/shortlinks?%s: %w", v.query(), err)
		}
		return took, len(page.Data.Items), nil
	}
	run := func(v listVariant, d time.Duration) ([]float64, int, int, error) {
		ctx, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		var (
			mu     sync.Mutex
			ms     []float64
			items  = -1
			errs   int
			wg     sync.WaitGroup
			lastEr error
		)
		for range b.opts.listClients {
			wg.Go(func() {
				for ctx.Err() == nil {
					took, n, err := get(ctx, v)
					if ctx.Err() != nil {
						return // cut by the end of the step: not a page
					}
					mu.Lock()
					if err != nil {
						errs++
						lastEr = err
					} else {
						ms = append(ms, float64(took.Microseconds())/1000)
						items = n
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(ms) == 0 && lastEr != nil {
			return nil, 0, errs, lastEr
		}
		return ms, items, errs, nil
	}
	var rows []listRow
	for _, v := range vs {
		if _, _, _, err := run(v, b.opts.listDuration); err != nil {
			return nil, err
		}
		cpu0, _ := cpuTime(api.pid())
		ms, items, errs, err := run(v, b.opts.listDuration)
		if err != nil {
			return nil, err
		}
		cpu1, _ := cpuTime(api.pid())
		slices.Sort(ms)
		r := listRow{listVariant: v, pages: len(ms), p50: percentile(ms, 50), p95: percentile(ms, 95), max: ms[len(ms)-1],
			items: items, errors: errs, cpu: float64((cpu1 - cpu0).Microseconds()) / float64(len(ms)+errs)}
		b.logf("list %-16s %-40s share %6.2f %%  p50 %6.2f ms  p95 %6.2f ms  max %6.1f ms  %4d pages  %5.0f µs CPU/page  %d items  %d errors",
			v.filter, v.query(), 100*v.share, r.p50, r.p95, r.max, r.pages, r.cpu, items, errs)
		rows = append(rows, r)
	}
	return rows, nil
}

// percentile of sorted xs (nearest rank).
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(i, 0)]
}

// listTable is the report's matrix, and the worst p95 with its variant.
func listTable(rows []listRow) (string, float64, string) {
	var w strings.Builder
	w.WriteString("| filter | query | share of the workspace | p50 ms | p95 ms | max ms | pages | api CPU µs/page | links on the page | errors |\n")
	w.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	worst, at := 0.0, ""
	for _, r := range rows {
		q, _ := url.QueryUnescape(r.query())
		if q == "" {
			q = "—"
		}
		fmt.Fprintf(&w, "| %s | `%s` | %.2f %% | %.2f | %.2f | %.1f | %d | %.0f | %d | %d |\n",
			r.filter, q, 100*r.share, r.p50, r.p95, r.max, r.pages, r.cpu, r.items, r.errors)
		if r.p95 > worst || math.IsNaN(r.p95) {
			worst, at = r.p95, r.filter+" "+q
		}
	}
	return w.String(), worst, at
}
