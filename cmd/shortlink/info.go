package main

import (
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/shortlink/shortlink/adapters/httpclient/oapi"
)

func (c *cli) infoCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "info CODE",
		Short: "Show a link: its target, state, creation and expiry",
		Long: `Show a link. With a key that manages it (an admin key, its manage
token), in every state; without one, only a live link.`,
		Args: exactArgs("CODE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			client, err := c.client()
			if err != nil {
				return err
			}
			info, err := client.Info(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if asJSON {
				return c.printData(info.Data)
			}
			return c.printInfo(info.Value)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the API's answer (its data) as JSON")
	return cmd
}

// printInfo writes a link's info as aligned fields.
func (c *cli) printInfo(v oapi.Info) error {
	url := "(erased: the link is deleted)"
	if v.Url != nil {
		url = *v.Url
	}
	if v.Url == nil && v.Protected != nil && bool(*v.Protected) {
		url = "(protected: unlock it with its password)"
	}
	pairs := [][2]string{
		{"short URL", v.ShortUrl},
		{"code", v.Code},
		{"url", url},
		{"state", string(v.State)},
		{"created", c.when(v.CreatedAt)},
		{"expires", c.expiry(v.ExpiresAt)},
	}
	if v.Title != nil && *v.Title != "" {
		pairs = append(pairs, [2]string{"title", *v.Title})
	}
	if v.Tags != nil && len(*v.Tags) > 0 {
		pairs = append(pairs, [2]string{"tags", strings.Join(*v.Tags, ", ")})
	}
	if v.Protected != nil && bool(*v.Protected) {
		pairs = append(pairs, [2]string{"protected", "yes (a password)"})
	}
	if v.ForwardQuery != nil && bool(*v.ForwardQuery) {
		pairs = append(pairs, [2]string{"forward query", "yes"})
	}
	if v.Workspace != nil && *v.Workspace != "" {
		pairs = append(pairs, [2]string{"workspace", *v.Workspace})
	}
	pairs = append(pairs, targetPairs(v.Targets)...)
	return fields(c.out, pairs)
}

// expiry is an expiry as the API gives it: when, or never (null).
func (c *cli) expiry(t *time.Time) string {
	if t == nil {
		return neverExpires
	}
	return c.when(*t)
}

// when is an instant as the API gives it (UTC, RFC 3339) and how far from now.
func (c *cli) when(t time.Time) string {
	return t.UTC().Format(time.RFC3339) + " (" + relative(t, c.now()) + ")"
}
