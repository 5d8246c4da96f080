package main

import (
	"github.com/spf13/cobra"

	"github.com/shortlink/shortlink/adapters/httpclient/oapi"
)

func (c *cli) disableCommand() *cobra.Command {
	return c.changeCommand("disable CODE", "Disable a link: it answers 410 to everyone until enabled",
		func([]string) (oapi.ChangeRequest, error) {
			disabled := true
			return oapi.ChangeRequest{Disabled: &disabled}, nil
		})
}

func (c *cli) enableCommand() *cobra.Command {
	return c.changeCommand("enable CODE", "Enable a disabled link again (one an admin key disabled needs an admin key)",
		func([]string) (oapi.ChangeRequest, error) {
			disabled := false
			return oapi.ChangeRequest{Disabled: &disabled}, nil
		})
}

func (c *cli) extendCommand() *cobra.Command {
	cmd := c.changeCommand("extend CODE WHEN", "Move a link's expiry to WHEN: an RFC 3339 time, a date, or a duration from now (90d)",
		func(args []string) (oapi.ChangeRequest, error) {
			at, err := expiryArg(args[1], c.now())
			if err != nil {
				return oapi.ChangeRequest{}, usageError{err}
			}
			return oapi.ChangeRequest{ExpiresAt: &at}, nil
		})
	cmd.Long = `Move a link's expiry to WHEN, earlier or later: an RFC 3339 time, a date
(midnight UTC), a duration counted from now (90d, 2w, 12h), or never (a
permanent link, when the server's MAX_TTL is never). The server allows at
most MAX_TTL after the link's creation.`
	cmd.Args = exactArgs("CODE", "WHEN")
	return cmd
}

// changeCommand is a command that PATCHes one link with the change build
// makes of its arguments and prints the link as it now is.
func (c *cli) changeCommand(use, short string, build func(args []string) (oapi.ChangeRequest, error)) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  exactArgs("CODE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			change, err := build(args)
			if err != nil {
				return err
			}
			client, err := c.client()
			if err != nil {
				return err
			}
			info, err := client.Change(cmd.Context(), args[0], change)
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

func (c *cli) passwordCommand() *cobra.Command {
	var (
		file   string
		remove bool
	)
	cmd := c.changeCommand("password CODE (--password-file FILE | --remove)", "Set or remove a link's password",
		func([]string) (oapi.ChangeRequest, error) {
			switch {
			case remove && file != "":
				return oapi.ChangeRequest{}, usageErrorf("--password-file and --remove: give one")
			case remove:
				none := ""
				return oapi.ChangeRequest{Password: &none}, nil
			case file == "":
				return oapi.ChangeRequest{}, usageErrorf("give --password-file FILE (- for standard input) or --remove")
			}
			password, err := c.readPassword(file)
			if err != nil {
				return oapi.ChangeRequest{}, err
			}
			return oapi.ChangeRequest{Password: &password}, nil
		})
	cmd.Long = `Protect a link with a password (8 to 128 characters), read from the first
line of --password-file (- for standard input: a password never comes from
a flag's value, which shows in the process list), or remove it with
--remove. Browsers following the short URL then get a form asking for it.`
	cmd.Example = `  shortlink password notes --password-file notes.pw
  shortlink password notes --remove`
	cmd.Flags().StringVar(&file, "password-file", "", "the file whose first line is the password (- for standard input)")
	cmd.Flags().BoolVar(&remove, "remove", false, "remove the password")
	return cmd
}

func (c *cli) forwardQueryCommand() *cobra.Command {
	cmd := c.changeCommand("forward-query CODE on|off", "Turn query forwarding on or off: the short URL's query string passed on to the target",
		func(args []string) (oapi.ChangeRequest, error) {
			var on bool
			switch args[1] {
			case "on":
				on = true
			case "off":
			default:
				return oapi.ChangeRequest{}, usageErrorf("forward-query takes on or off, not %q", args[1])
			}
			return oapi.ChangeRequest{ForwardQuery: &on}, nil
		})
	cmd.Args = exactArgs("CODE", "on|off")
	return cmd
}
