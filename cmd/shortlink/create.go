package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/shortlink/shortlink/adapters/httpclient/oapi"
)

func (c *cli) createCommand() *cobra.Command {
	var (
		alias, expires string
		quiet, asJSON  bool
	)
	cmd := &cobra.Command{
		Use:   "create URL",
		Short: "Create a short link to URL",
		Long: `Create a short link to URL and print it, its code, target, expiry and
manage token (shown once: it manages the link without a key).

--expires takes an RFC 3339 time, a date (midnight UTC), a duration from
now such as 30d, 12h or 2w, or never (a permanent link, when the server's
MAX_TTL is never); without it the server's DEFAULT_TTL holds.`,
		Example: `  shortlink create https://example.com/launch --alias launch --expires 30d
  shortlink create -q https://example.com/a   # prints the short URL alone`,
		Args: exactArgs("URL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			req := oapi.CreateRequest{Url: args[0]}
			if alias != "" {
				req.Alias = &alias
			}
			if expires != "" {
				at, err := expiryArg(expires, c.now())
				if err != nil {
					return usageErrorf("--expires: %v", err)
				}
				req.ExpiresAt = &at
			}
			client, err := c.client()
			if err != nil {
				return err
			}
			created, err := client.Create(cmd.Context(), req)
			switch {
			case err != nil:
				return err
			case asJSON:
				return c.printData(created.Data)
			case quiet:
				_, err := fmt.Fprintln(c.out, created.Value.ShortUrl)
				return err
			}
			v := created.Value
			return fields(c.out, [][2]string{
				{"short URL", v.ShortUrl},
				{"code", v.Code},
				{"url", v.Url},
				{"expires", c.expiry(v.ExpiresAt)},
				{"manage token", v.ManageToken + "  (shown once: it manages this link without a key)"},
			})
		},
	}
	cmd.Flags().StringVar(&alias, "alias", "", "use this code instead of a generated one")
	cmd.Flags().StringVar(&expires, "expires", "", "when the link expires: RFC 3339, a date, or a duration from now (30d)")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "print only the short URL")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the API's answer (its data) as JSON")
	cmd.MarkFlagsMutuallyExclusive("quiet", "json")
	return cmd
}

// exactArgs requires one argument per name, as a usage error.
func exactArgs(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != len(names) {
			return usageErrorf("%s takes %d argument(s), %v, and got %d (see 'shortlink %s --help')", cmd.Name(), len(names), names, len(args), cmd.Name())
		}
		return nil
	}
}
