package main

import (
	"time"

	"github.com/spf13/cobra"
)

// linkFilters are the flags ls and export share: the filters of
// GET /v1/shortlinks.
type linkFilters struct {
	q, state, after, before, workspace string
	tags                               []string
}

// addFlags declares the filters' flags on cmd.
func (f *linkFilters) addFlags(cmd *cobra.Command) {
	flags := cmd.Flags()
	flags.StringVar(&f.q, "q", "", "a code prefix, or (3 characters or more) a piece of the URL or title")
	flags.StringArrayVar(&f.tags, "tag", nil, "only links with this tag (repeat it: all must match)")
	flags.StringVar(&f.state, "state", "", "only links in this state: active, disabled, expired or deleted")
	flags.StringVar(&f.after, "created-after", "", "only links created after: RFC 3339, a date, or a duration before now (7d)")
	flags.StringVar(&f.before, "created-before", "", "only links created before, as --created-after")
	flags.StringVar(&f.workspace, "workspace", "", "admin keys: only this workspace's links (none: links of no workspace)")
}

// linkQuery is what linkFilters ask for, as the API's parameters take it
// (nil: not asked).
type linkQuery struct {
	q, workspace                *string
	tags                        *[]string
	state                       string // checked by the caller's enum
	createdAfter, createdBefore *time.Time
}

// query checks the filters and reads their times relative to now.
func (f *linkFilters) query(now time.Time) (linkQuery, error) {
	var lq linkQuery
	if f.q != "" {
		lq.q = &f.q
	}
	if len(f.tags) > 0 {
		lq.tags = &f.tags
	}
	if f.workspace != "" {
		lq.workspace = &f.workspace
	}
	switch f.state {
	case "", "active", "disabled", "expired", "deleted":
		lq.state = f.state
	default:
		return linkQuery{}, usageErrorf("--state must be active, disabled, expired or deleted, not %q", f.state)
	}
	if err := readPast(now, pastFlag{"created-after", f.after, &lq.createdAfter}, pastFlag{"created-before", f.before, &lq.createdBefore}); err != nil {
		return linkQuery{}, err
	}
	return lq, nil
}
