package main

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

func (c *cli) rmCommand() *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:     "rm CODE",
		Aliases: []string{"delete"},
		Short:   "Delete a link for good (asks first unless --yes)",
		Long: `Delete a link for good: it answers 410 from then on, its target is
erased, and its code can never point elsewhere. Asks for confirmation on a
terminal; without one (a script), refuses unless --yes is given.`,
		Args: exactArgs("CODE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			code := args[0]
			client, err := c.client()
			if err != nil {
				return err
			}
			if !yes {
				if !c.stdinTTY {
					return usageErrorf("rm %s: no terminal to confirm on; pass --yes to delete without asking", code)
				}
				fmt.Fprintf(c.errOut, "Delete %s at %s for good? Its short URL stops working and never points elsewhere. [y/N] ", code, client.BaseURL())
				answer, _ := bufio.NewReader(c.in).ReadString('\n')
				if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
					fmt.Fprintln(c.errOut, "Not deleted.")
					return nil
				}
			}
			if err := client.Delete(cmd.Context(), code); err != nil {
				return err
			}
			_, err = fmt.Fprintf(c.out, "Deleted %s.\n", code)
			return err
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "delete without asking")
	return cmd
}
