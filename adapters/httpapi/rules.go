package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
)

// rulesMember reads the "rules" member of a create or PATCH: absent and
// null are "not given"; [] is given, and means none.
func (o jsonObject) rules() (specs []domain.RuleSpec, given bool, err error) {
	raw, ok := o["rules"]
	if !ok || string(raw) == "null" {
		return nil, false, nil
	}
	specs, err = domain.ParseRulesJSON(raw, "rules")
	return specs, err == nil, err
}

// targetBody is one rule of a link as its info and preview tell anyone:
// who goes where, in words (SPEC §15, no cloaking).
type targetBody struct {
	When string `json:"when"`
	Host string `json:"host"`
	URL  string `json:"url"`
}

// rulesBodies are a link's rules as answers show them: the rules as a
// client writes them and every target in words; nil, nil for none.
func rulesBodies(link domain.ShortLink) (json.RawMessage, []targetBody) {
	if !link.HasRules() {
		return nil, nil
	}
	words := link.Rules().InWords()
	targets := make([]targetBody, len(words))
	for i, w := range words {
		targets[i] = targetBody{When: w.When, Host: w.Host, URL: w.URL}
	}
	return domain.RulesJSON(link.Rules()), targets
}

// redirectByRules answers a redirect of a link with rules: the first rule
// the visitor matches gives the Location, else the link's URL; query
// forwarding applies to whichever was chosen.
func (h *Handler) redirectByRules(c *gin.Context, link domain.ShortLink) {
	to, hit := h.ruleTarget(c, link)
	setLocation(c.Writer.Header(), to)
	c.Writer.WriteHeader(http.StatusFound)
	if h.Visits != nil {
		h.Visits.RecordVisit(link.ID(), link.CreatedAt(), hit)
	}
}

// ruleTarget is where link sends the request's visitor, by its rules, with
// the query forwarded when the link says so, and the visit's hit. The
// visitor's user agent, country and language are worked out only when a
// rule reads them, once, and the hit carries them on, so counting the
// visit parses nothing again.
func (h *Handler) ruleTarget(c *gin.Context, link domain.ShortLink) (string, app.Hit) {
	hit := h.hit(c)
	rules := link.Rules()
	needs := rules.Needs()
	v := domain.RuleVisitor{RawQuery: hit.RawQuery}
	if needs.Agent {
		hit.Agent, hit.AgentKnown = h.Targets.Agent(hit.UserAgent), true
		v.Agent = hit.Agent
	}
	if needs.Country {
		hit.Country = h.Targets.Country(hit.Addr)
		v.Country = hit.Country
	}
	if needs.Language {
		if al := c.Request.Header["Accept-Language"]; len(al) > 0 {
			v.Language = domain.PreferredLanguage(al[0])
		}
	}
	i, to := rules.Match(&v)
	if i < 0 {
		to = link.URL()
	}
	hit.Rule = app.RuleValue(i)
	if link.ForwardQuery() && hit.RawQuery != "" {
		to = h.forwarded(to, hit.RawQuery)
	}
	return to, hit
}

// previewRule is one rule of a link on its preview page.
type previewRule struct {
	When   string
	Target previewTarget
}
