package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/shortlink/shortlink/adapters/httpclient/oapi"
)

func (c *cli) domainsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "domains",
		Short: "List, add and remove short domains",
		Long: `The short domains links can live on. The host of the server's
PUBLIC_BASE_URL is the default one; an admin key adds more (shared, or tied
to one workspace) and removes them. Put a link on one with
shortlink create --domain HOST.`,
	}
	cmd.AddCommand(c.domainsLsCommand(), c.domainsAddCommand(), c.domainsRmCommand())
	return cmd
}

func (c *cli) domainsLsCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "ls",
		Short: "List the short domains you may put links on",
		Args:  exactArgs(),
		RunE: func(cmd *cobra.Command, args []string) error {
			client, err := c.client()
			if err != nil {
				return err
			}
			list, err := client.Domains(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				return c.printData(list.Data)
			}
			t := table{header: []string{"HOST", "DEFAULT", "WORKSPACE", "NOT FOUND URL", "CREATED"}, flex: 3}
			for _, d := range list.Value.Items {
				def, created := "", ""
				if d.Default {
					def = "yes"
				}
				if d.CreatedAt != nil {
					created = d.CreatedAt.UTC().Format(time.DateOnly)
				}
				t.rows = append(t.rows, []string{d.Host, def, deref(d.Workspace), deref(d.NotFoundUrl), created})
			}
			return t.write(c.out, c.width())
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the API's answer (its data) as JSON")
	return cmd
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (c *cli) domainsAddCommand() *cobra.Command {
	var (
		workspace, notFoundURL string
		asJSON                 bool
	)
	cmd := &cobra.Command{
		Use:     "add HOST",
		Short:   "Register HOST as a short domain (an admin key's task)",
		Example: `  shortlink domains add go.example.com --not-found-url https://example.com/missing`,
		Args:    exactArgs("HOST"),
		RunE: func(cmd *cobra.Command, args []string) error {
			req := oapi.DomainRequest{Host: args[0]}
			if workspace != "" {
				req.Workspace = &workspace
			}
			if notFoundURL != "" {
				req.NotFoundUrl = &notFoundURL
			}
			client, err := c.client()
			if err != nil {
				return err
			}
			added, err := client.CreateDomain(cmd.Context(), req)
			if err != nil {
				return err
			}
			if asJSON {
				return c.printData(added.Data)
			}
			_, err = fmt.Fprintf(c.out, "Added %s.\n", added.Value.Host)
			return err
		},
	}
	cmd.Flags().StringVar(&workspace, "workspace", "", "tie the domain to this workspace (only its keys may use it)")
	cmd.Flags().StringVar(&notFoundURL, "not-found-url", "", "where browsers asking this domain for an unknown code are sent")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the API's answer (its data) as JSON")
	return cmd
}

func (c *cli) domainsRmCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "rm HOST",
		Short: "Remove the short domain HOST (an admin key's task; refused while live links are on it)",
		Args:  exactArgs("HOST"),
		RunE: func(cmd *cobra.Command, args []string) error {
			client, err := c.client()
			if err != nil {
				return err
			}
			if err := client.DeleteDomain(cmd.Context(), args[0]); err != nil {
				return err
			}
			_, err = fmt.Fprintf(c.out, "Removed %s.\n", args[0])
			return err
		},
	}
}
