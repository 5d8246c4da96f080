package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
)

type workspaceStatsBody struct {
	// Workspace is the workspace whose links are summed, "none" for the
	// anonymous links, null for every link (admins without ?workspace=).
	Workspace    *string          `json:"workspace"`
	From         string           `json:"from"`
	To           string           `json:"to"`
	Interval     string           `json:"interval"`
	Total        int64            `json:"total"`
	Humans       int64            `json:"humans"`
	Bots         int64            `json:"bots"`
	LinksVisited int64            `json:"links_visited"`
	Series       []bucketBody     `json:"series"`
	TopLinks     []linkVisitsBody `json:"top_links"`
}

type linkVisitsBody struct {
	Code   string `json:"code"`
	Humans int64  `json:"humans"`
	Bots   int64  `json:"bots"`
	Total  int64  `json:"total"`
}

// workspaceStats answers GET /v1/stats?from=&to=&workspace=: the visits of
// a workspace's links per day, and the links with the most.
func (h *Handler) workspaceStats(c *gin.Context) {
	caller, err := h.caller(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	if h.WorkspaceStats == nil {
		h.fail(c, domain.ErrUnavailable)
		return
	}
	ctx, cancel := h.manageContext(c)
	defer cancel()
	v, scope, err := h.WorkspaceStats.Stats(ctx, caller, app.WorkspaceStatsRequest{From: c.Query("from"), To: c.Query("to"), Scope: scopeOf(c)})
	if err != nil {
		h.fail(c, err)
		return
	}
	body := workspaceStatsBody{
		From: v.Window.From.Format(time.RFC3339), To: v.Window.To.Format(time.RFC3339), Interval: string(v.Window.Interval),
		Total: v.Total(), Humans: v.Humans(), Bots: v.Bots(), LinksVisited: v.Links,
		Series: make([]bucketBody, len(v.Series)), TopLinks: make([]linkVisitsBody, len(v.Top)),
	}
	if !scope.All {
		ws := string(scope.Workspace)
		if ws == "" {
			ws = "none"
		}
		body.Workspace = &ws
	}
	for i, b := range v.Series {
		body.Series[i] = bucketBody{Start: b.Start.Format(time.RFC3339), Humans: b.Humans, Bots: b.Bots}
	}
	for i, l := range v.Top {
		body.TopLinks[i] = linkVisitsBody{Code: l.Code.String(), Humans: l.Humans, Bots: l.Bots, Total: l.Total()}
	}
	writeJSON(c, http.StatusOK, envelope{Status: http.StatusOK, Data: body})
}
