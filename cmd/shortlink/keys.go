package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/shortlink/shortlink/adapters/httpclient/oapi"
)

func (c *cli) keysCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "List, create and revoke a workspace's keys",
		Long: `A workspace's keys: an owner key manages them (an admin key too, naming
the workspace). A key has a role: owner (everything in the workspace, keys
included), editor (create links, manage any of the workspace's) or viewer
(list, info and statistics). A new key is shown once.`,
	}
	cmd.AddCommand(c.keysLsCommand(), c.keysCreateCommand(), c.keysRevokeCommand())
	return cmd
}

func (c *cli) keysLsCommand() *cobra.Command {
	var (
		workspace string
		asJSON    bool
	)
	cmd := &cobra.Command{
		Use:   "ls",
		Short: "List the workspace's keys (never the keys themselves)",
		Args:  exactArgs(),
		RunE: func(cmd *cobra.Command, args []string) error {
			client, err := c.client()
			if err != nil {
				return err
			}
			var params oapi.ListKeysParams
			if workspace != "" {
				params.Workspace = &workspace
			}
			keys, err := client.Keys(cmd.Context(), params)
			if err != nil {
				return err
			}
			if asJSON {
				return c.printData(keys.Data)
			}
			t := table{header: []string{"ID", "NAME", "ROLE", "CREATED", "LAST USED", "REVOKED"}, flex: 1}
			for _, k := range keys.Value.Items {
				t.rows = append(t.rows, []string{k.Id, k.Name, string(k.Role), k.CreatedAt.UTC().Format(time.DateOnly), c.maybeWhen(k.LastUsedAt), c.maybeWhen(k.RevokedAt)})
			}
			return t.write(c.out, c.width())
		},
	}
	cmd.Flags().StringVar(&workspace, "workspace", "", "admin keys: the workspace whose keys to list")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the API's answer (its data) as JSON")
	return cmd
}

func (c *cli) keysCreateCommand() *cobra.Command {
	var (
		role, workspace string
		quiet, asJSON   bool
	)
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a key named NAME with --role owner, editor or viewer; the key is shown once",
		Example: `  shortlink keys create CI --role editor
  shortlink keys create Dashboard --role viewer -q > dashboard.key   # the key alone, into a file`,
		Args: exactArgs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			r := oapi.KeyRequestRole(role)
			if !r.Valid() {
				return usageErrorf("--role must be owner, editor or viewer, not %q", role)
			}
			req := oapi.KeyRequest{Name: args[0], Role: r}
			if workspace != "" {
				req.Workspace = &workspace
			}
			client, err := c.client()
			if err != nil {
				return err
			}
			created, err := client.CreateKey(cmd.Context(), req)
			switch {
			case err != nil:
				return err
			case asJSON:
				return c.printData(created.Data)
			case quiet:
				return c.printNewKey(created.Value.Key)
			}
			return c.printKey(created.Value)
		},
	}
	cmd.Flags().StringVar(&role, "role", "", "owner, editor or viewer (required)")
	cmd.Flags().StringVar(&workspace, "workspace", "", "admin keys: the workspace the key is for")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "print only the new key")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the API's answer (its data) as JSON")
	cmd.MarkFlagsMutuallyExclusive("quiet", "json")
	_ = cmd.MarkFlagRequired("role")
	return cmd
}

func (c *cli) keysRevokeCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke the key of ID (as keys ls shows it): it is refused from then on",
		Args:  exactArgs("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.Count(args[0], "_") > 1 {
				return usageErrorf("revoke takes a key's id (keys ls shows it), not the key itself")
			}
			client, err := c.client()
			if err != nil {
				return err
			}
			if err := client.RevokeKey(cmd.Context(), strings.TrimPrefix(args[0], "slk_")); err != nil {
				return err
			}
			_, err = fmt.Fprintf(c.out, "Revoked %s.\n", args[0])
			return err
		},
	}
}

func (c *cli) workspacesCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "workspaces",
		Short: "Create workspaces (an admin key's task) and read their visits",
	}
	var (
		keyName       string
		quiet, asJSON bool
	)
	create := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a workspace and its first owner key (shown once)",
		Example: `  shortlink workspaces create Marketing
  shortlink workspaces create Marketing -q > owner.key   # the owner key alone, into a file`,
		Args: exactArgs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			req := oapi.WorkspaceRequest{Name: args[0]}
			if keyName != "" {
				req.KeyName = &keyName
			}
			client, err := c.client()
			if err != nil {
				return err
			}
			created, err := client.CreateWorkspace(cmd.Context(), req)
			switch {
			case err != nil:
				return err
			case asJSON:
				return c.printData(created.Data)
			case quiet:
				return c.printNewKey(created.Value.Key.Key)
			}
			w := created.Value.Workspace
			if err := fields(c.out, [][2]string{{"workspace", w.Id}, {"name", w.Name}, {"created", c.when(w.CreatedAt)}}); err != nil {
				return err
			}
			return c.printKey(created.Value.Key)
		},
	}
	create.Flags().StringVar(&keyName, "key-name", "", "the name of the first owner key (the server's default without it)")
	create.Flags().BoolVarP(&quiet, "quiet", "q", false, "print only the owner key")
	create.Flags().BoolVar(&asJSON, "json", false, "print the API's answer (its data) as JSON")
	create.MarkFlagsMutuallyExclusive("quiet", "json")
	cmd.AddCommand(create, c.workspaceStatsCommand())
	return cmd
}

// printKey writes a key just created, the key itself once.
func (c *cli) printKey(k oapi.Key) error {
	secret := "(not shown)"
	if k.Key != nil {
		secret = *k.Key + "  (shown once)"
	}
	return fields(c.out, [][2]string{
		{"key id", k.Id},
		{"name", k.Name},
		{"role", string(k.Role)},
		{"workspace", k.Workspace},
		{"key", secret},
	})
}

// printNewKey writes a new key alone, for a file.
func (c *cli) printNewKey(key *string) error {
	if key == nil {
		return fmt.Errorf("the server's answer holds no key")
	}
	_, err := fmt.Fprintln(c.out, *key)
	return err
}

// maybeWhen is an optional instant as a date and how far from now, or "-".
func (c *cli) maybeWhen(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return relative(*t, c.now())
}

func (c *cli) auditCommand() *cobra.Command {
	var (
		workspace string
		pages     paging
		asJSON    bool
	)
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Show the audit log: who created, revoked, disabled, extended, relabelled, deleted what, and when",
		Long: `Show the audit log, newest first: to an owner key its workspace's, to an
admin key everything (--workspace ID narrows). Paged like ls: --limit
entries (default 20), or --all; --json prints them as one JSON array.`,
		Args: exactArgs(),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := pages.check(); err != nil {
				return err
			}
			var params oapi.ListAuditParams
			if workspace != "" {
				params.Workspace = &workspace
			}
			client, err := c.client()
			if err != nil {
				return err
			}
			items, more, err := pages.collect(func(size int, cursor *string) (json.RawMessage, error) {
				params.Limit, params.Cursor = &size, cursor
				answer, err := client.Audit(cmd.Context(), params)
				return answer.Data, err
			})
			if err != nil {
				return err
			}
			defer c.moreNote(more, len(items), pages.next)
			if asJSON {
				return c.printItems(items)
			}
			type entry struct {
				Action, Target, Who, Workspace string
				At                             time.Time
			}
			entries, err := decodeItems[entry](items)
			if err != nil {
				return err
			}
			// The workspace is a column only when the entries span several
			// (an admin's view); the target, last, gives way when too wide.
			spans := slices.ContainsFunc(entries, func(e entry) bool { return e.Workspace != entries[0].Workspace })
			t := table{header: []string{"AT (UTC)", "WHO", "ACTION", "TARGET"}, flex: 3}
			if spans {
				t.header = []string{"AT (UTC)", "WHO", "ACTION", "WORKSPACE", "TARGET"}
				t.flex = 4
			}
			for _, e := range entries {
				row := []string{e.At.UTC().Format(time.DateTime), e.Who, e.Action, e.Target}
				if spans {
					row = []string{row[0], row[1], row[2], e.Workspace, e.Target}
				}
				t.rows = append(t.rows, row)
			}
			return t.write(c.out, c.width())
		},
	}
	cmd.Flags().StringVar(&workspace, "workspace", "", "admin keys: only this workspace's entries")
	cmd.Flags().IntVar(&pages.limit, "limit", 20, "show at most this many entries")
	cmd.Flags().BoolVar(&pages.all, "all", false, "show every entry, following the pages to the end")
	pages.addCursorFlag(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the entries as a JSON array, each as the API sent it")
	cmd.MarkFlagsMutuallyExclusive("limit", "all")
	return cmd
}

func (c *cli) unlockCommand() *cobra.Command {
	var passwordFile string
	cmd := &cobra.Command{
		Use:   "unlock CODE --password-file FILE",
		Short: "Give a protected link's password and print where it leads",
		Long: `Give a password-protected link's password (the first line of FILE, or of
standard input for -) and print its target. The right password counts a
visit; attempts are limited per link and per client (429 rate_limited).`,
		Example: `  shortlink unlock notes --password-file notes.pw`,
		Args:    exactArgs("CODE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			password, err := c.readPassword(passwordFile)
			if err != nil {
				return err
			}
			client, err := c.client()
			if err != nil {
				return err
			}
			unlocked, err := client.Unlock(cmd.Context(), args[0], password)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(c.out, unlocked.Value.URL)
			return err
		},
	}
	cmd.Flags().StringVar(&passwordFile, "password-file", "", "read the password from this file (- for standard input)")
	_ = cmd.MarkFlagRequired("password-file")
	return cmd
}
