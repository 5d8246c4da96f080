package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/shortlink/shortlink/adapters/httpclient/oapi"
)

func (c *cli) lsCommand() *cobra.Command {
	var (
		filters linkFilters
		pages   paging
		asJSON  bool
	)
	cmd := &cobra.Command{
		Use:   "ls",
		Short: "List links, newest first: search, filter by tag, state, creation time, workspace",
		Long: `List the links the key may read, newest first: a workspace key its
workspace's, an admin key every link (--workspace ID narrows, none for the
links of no workspace).

--q is a code prefix or, from 3 characters, a piece of the URL or the title;
--tag (repeat it) keeps links that carry every tag given; --state is active,
disabled, expired or deleted; --created-after and --created-before take an
RFC 3339 time, a date, or a duration before now (7d). --limit links are
shown (default 20); --all follows the pages to the end; when there are
more, stderr says so with the --cursor that goes on after the last link
shown. --json prints the links as one JSON array, each as the API sent it.`,
		Example: `  shortlink ls
  shortlink ls --tag sale --state active --created-after 30d
  shortlink ls --q winter --json | jq -r '.[].short_url'
  shortlink ls --all --workspace none`,
		Args: exactArgs(),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := pages.check(); err != nil {
				return err
			}
			lq, err := filters.query(c.now())
			if err != nil {
				return err
			}
			params := oapi.ListShortLinksParams{Q: lq.q, Tag: lq.tags, Workspace: lq.workspace,
				CreatedAfter: lq.createdAfter, CreatedBefore: lq.createdBefore}
			if lq.state != "" {
				s := oapi.ListShortLinksParamsState(lq.state)
				params.State = &s
			}
			client, err := c.client()
			if err != nil {
				return err
			}
			items, more, err := pages.collect(func(size int, cursor *string) (json.RawMessage, error) {
				params.Limit, params.Cursor = &size, cursor
				answer, err := client.List(cmd.Context(), params)
				return answer.Data, err
			})
			if err != nil {
				return err
			}
			defer c.moreNote(more, len(items), pages.next)
			if asJSON {
				return c.printItems(items)
			}
			links, err := decodeItems[oapi.Info](items)
			if err != nil {
				return err
			}
			return c.linkTable(links)
		},
	}
	filters.addFlags(cmd)
	f := cmd.Flags()
	f.IntVar(&pages.limit, "limit", 20, "show at most this many links")
	f.BoolVar(&pages.all, "all", false, "show every link, following the pages to the end")
	f.BoolVar(&asJSON, "json", false, "print the links as a JSON array, each as the API sent it")
	cmd.MarkFlagsMutuallyExclusive("limit", "all")
	pages.addCursorFlag(cmd)
	return cmd
}

// linkTable writes links as a table fitted to the terminal, the URL
// giving way when too wide.
func (c *cli) linkTable(links []oapi.Info) error {
	if len(links) == 0 {
		_, err := fmt.Fprintln(c.errOut, "No links.")
		return err
	}
	t := table{header: []string{"CODE", "STATE", "EXPIRES", "TAGS", "TITLE", "URL"}, flex: 5}
	for _, l := range links {
		url, title, tags := "", "", ""
		if l.Url != nil {
			url = *l.Url
		}
		if l.Title != nil {
			title = truncate(*l.Title, 30)
		}
		if l.Tags != nil {
			tags = strings.Join(*l.Tags, ",")
		}
		t.rows = append(t.rows, []string{l.Code, string(l.State), l.ExpiresAt.UTC().Format(time.DateOnly), tags, title, url})
	}
	return t.write(c.out, c.width())
}
