package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
)

// countVisit records an answered redirect: whether it was a HEAD, the
// user agent (classified, never kept), the referrer's host, the short
// URL's query (for its UTM values) and the client's address (placed in a
// country and hashed under the day's key, never kept). The header map is
// read with canonical keys, which allocates nothing.
func (h *Handler) countVisit(c *gin.Context, link domain.ShortLink) {
	if h.Visits == nil {
		return
	}
	h.Visits.RecordVisit(link.ID(), link.CreatedAt(), h.hit(c))
}

// hit is what the request says about its visitor, for counting the visit.
func (h *Handler) hit(c *gin.Context) app.Hit {
	hit := app.Hit{Head: c.Request.Method == http.MethodHead, RawQuery: c.Request.URL.RawQuery, Addr: h.clientAddr(c.Request)}
	if v := c.Request.Header["User-Agent"]; len(v) > 0 {
		hit.UserAgent = v[0]
	}
	if v := c.Request.Header["Referer"]; len(v) > 0 {
		hit.Referer = v[0]
	}
	return hit
}

type statsBody struct {
	Code              string                 `json:"code"`
	From              string                 `json:"from"`
	To                string                 `json:"to"`
	Interval          string                 `json:"interval"`
	Total             int64                  `json:"total"`
	Humans            int64                  `json:"humans"`
	Bots              int64                  `json:"bots"`
	UniqueVisitors    int64                  `json:"unique_visitors"`
	UniqueVisitorsPer string                 `json:"unique_visitors_per"`
	Series            []bucketBody           `json:"series"`
	Referrers         []referrerBody         `json:"referrers"`
	Dimensions        map[string][]valueBody `json:"dimensions,omitempty"`
}

type valueBody struct {
	Value  string `json:"value"`
	Visits int64  `json:"visits"`
}

type bucketBody struct {
	Start  string `json:"start"`
	Humans int64  `json:"humans"`
	Bots   int64  `json:"bots"`
}

type referrerBody struct {
	Host   string `json:"host"`
	Visits int64  `json:"visits"`
}

// stats answers GET /v1/shortlink/{code}/stats?from=&to=&interval=.
func (h *Handler) stats(c *gin.Context) {
	code, err := h.codeKey(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	ctx, cancel := h.manageContext(c)
	defer cancel()
	res, err := h.Stats.Stats(ctx, code, bearer(c), (*requester)(c), app.StatsRequest{
		From: c.Query("from"), To: c.Query("to"), Interval: c.Query("interval"), Dimensions: c.Query("dimensions"),
	})
	if err == nil {
		var format string
		if format, err = domain.ParseStatsFormat(c.Query("format")); err == nil && format == domain.StatsCSV {
			writeStatsCSV(c, res)
			return
		}
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	s := res.Stats
	body := statsBody{
		Code: res.Link.ShortCode().String(), From: s.Window.From.Format(time.RFC3339), To: s.Window.To.Format(time.RFC3339),
		Interval: string(s.Window.Interval), Total: s.Total(), Humans: s.Humans(), Bots: s.Bots(),
		UniqueVisitors: s.UniqueVisitors, UniqueVisitorsPer: "day",
		Series: make([]bucketBody, len(s.Series)), Referrers: make([]referrerBody, len(s.Referrers)),
	}
	for _, name := range res.Dimensions {
		if body.Dimensions == nil {
			body.Dimensions = map[string][]valueBody{}
		}
		counts := s.Referrers
		if d, ok := domain.ParseDimension(name); ok {
			counts = s.Dimensions[d]
		}
		values := make([]valueBody, 0, len(counts))
		for _, v := range counts {
			values = append(values, valueBody{Value: v.Host, Visits: v.Visits})
		}
		body.Dimensions[name] = values
	}
	for i, b := range s.Series {
		body.Series[i] = bucketBody{Start: b.Start.Format(time.RFC3339), Humans: b.Humans, Bots: b.Bots}
	}
	for i, r := range s.Referrers {
		body.Referrers[i] = referrerBody{Host: r.Host, Visits: r.Visits}
	}
	writeJSON(c, http.StatusOK, envelope{Status: http.StatusOK, Data: body})
}

// writeStatsCSV answers with the series as CSV: a header line, then one
// line per interval (start, humans, bots, total).
func writeStatsCSV(c *gin.Context, res app.LinkStats) {
	var b strings.Builder
	b.WriteString("start,humans,bots,total\r\n")
	for _, bucket := range res.Stats.Series {
		fmt.Fprintf(&b, "%s,%d,%d,%d\r\n", bucket.Start.Format(time.RFC3339), bucket.Humans, bucket.Bots, bucket.Humans+bucket.Bots)
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-visits.csv"`, res.Link.ShortCode()))
	c.Data(http.StatusOK, "text/csv; charset=utf-8", []byte(b.String()))
}
