package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/shortlink/shortlink/adapters/httpclient/oapi"
)

func (c *cli) createCommand() *cobra.Command {
	var (
		alias, expires, title, passwordFile string
		workspace                           string
		rulesFile                           string
		tags                                []string
		forwardQuery, quiet, asJSON         bool
	)
	cmd := &cobra.Command{
		Use:   "create URL",
		Short: "Create a short link to URL",
		Long: `Create a short link to URL and print it, its code, target, expiry and
manage token (shown once: it manages the link without a key).

--expires takes an RFC 3339 time, a date (midnight UTC), a duration from
now such as 30d, 12h or 2w, or never (a permanent link, when the server's
MAX_TTL is never); without it the server's DEFAULT_TTL holds.
--title and --tag (repeat it, up to 10) are shown only to those who manage
the link; --forward-query passes the short URL's query string on to the
target. --password-file protects the link with the password in that file
(its first line; - reads standard input): never a flag value, which would
show in the process list. --workspace (admin keys only) puts the link into
that workspace, as if one of its keys had created it. --rules sends some
visitors elsewhere: a JSON file (- reads standard input) of up to 10 rules
such as [{"when":{"os":["ios"]},"url":"https://apps.apple.com/app/id1"}]
(device, os, country, language, query; docs/api.md).`,
		Example: `  shortlink create https://example.com/launch --alias launch --expires 30d
  shortlink create -q https://example.com/a   # prints the short URL alone
  shortlink create https://example.com/sale --title "Winter sale" --tag sale --tag q4
  shortlink create https://example.com/notes --password-file notes.pw
  shortlink create https://example.com/app --rules app-stores.json`,
		Args: exactArgs("URL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			req := oapi.CreateRequest{Url: args[0]}
			if alias != "" {
				req.Alias = &alias
			}
			if c.domain != "" {
				req.Domain = &c.domain
			}
			if expires != "" {
				at, err := expiryArg(expires, c.now())
				if err != nil {
					return usageErrorf("--expires: %v", err)
				}
				req.ExpiresAt = &at
			}
			if cmd.Flags().Changed("title") {
				req.Title = &title
			}
			if len(tags) > 0 {
				req.Tags = &tags
			}
			if forwardQuery {
				req.ForwardQuery = &forwardQuery
			}
			if passwordFile != "" {
				password, err := c.readPassword(passwordFile)
				if err != nil {
					return err
				}
				req.Password = &password
			}
			if workspace != "" {
				req.Workspace = &workspace
			}
			if rulesFile != "" {
				rules, err := c.readRules(rulesFile)
				if err != nil {
					return err
				}
				req.Rules = &rules
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
			pairs := [][2]string{
				{"short URL", v.ShortUrl},
				{"code", v.Code},
				{"url", v.Url},
				{"expires", c.expiry(v.ExpiresAt)},
			}
			if v.Protected != nil && bool(*v.Protected) {
				pairs = append(pairs, [2]string{"protected", "yes (a password)"})
			}
			if v.ForwardQuery != nil && bool(*v.ForwardQuery) {
				pairs = append(pairs, [2]string{"forward query", "yes"})
			}
			pairs = append(pairs, targetPairs(v.Targets)...)
			pairs = append(pairs, [2]string{"manage token", v.ManageToken + "  (shown once: it manages this link without a key)"})
			return fields(c.out, pairs)
		},
	}
	cmd.Flags().StringVar(&alias, "alias", "", "use this code instead of a generated one")
	cmd.Flags().StringVar(&expires, "expires", "", "when the link expires: RFC 3339, a date, or a duration from now (30d)")
	cmd.Flags().StringVar(&title, "title", "", "a title, for those who manage the link (at most 200 characters)")
	cmd.Flags().StringArrayVar(&tags, "tag", nil, "a tag (a-z 0-9 - _ .); repeat it for several")
	cmd.Flags().BoolVar(&forwardQuery, "forward-query", false, "pass the short URL's query string on to the target")
	cmd.Flags().StringVar(&passwordFile, "password-file", "", "protect the link with the password in this file (- for standard input)")
	cmd.Flags().StringVar(&workspace, "workspace", "", "admin keys: create the link in this workspace (its id)")
	cmd.Flags().StringVar(&rulesFile, "rules", "", "redirect rules: a JSON file of up to 10 {when, url} (- for standard input)")
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
