package main

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/shortlink/shortlink/adapters/httpclient/oapi"
)

func (c *cli) tagCommand() *cobra.Command {
	var (
		add, remove, set []string
		clearTags        bool
		title            string
		asJSON           bool
	)
	cmd := &cobra.Command{
		Use:   "tag CODE",
		Short: "Change a link's tags (add, remove or replace them) and its title",
		Long: `Change a link's tags and title, and print the link as it now is.

--add and --rm (repeat them) change the tags the link has: shortlink reads
them, then replaces them with the result (the API's PATCH replaces the whole
list). --set (repeatable) replaces them outright and --clear removes them
all. --title sets the title; --title "" removes it. Tags are lower-cased by
the server; a link has at most 10.`,
		Example: `  shortlink tag launch --add q4 --add sale
  shortlink tag launch --rm sale
  shortlink tag launch --set spring --title "Spring launch"
  shortlink tag launch --clear --title ""`,
		Args: exactArgs("CODE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			flags := cmd.Flags()
			editing := len(add) > 0 || len(remove) > 0
			switch {
			case flags.Changed("set") && editing, clearTags && editing, clearTags && flags.Changed("set"):
				return usageErrorf("--set and --clear replace the tags: use them without --add or --rm, and not together")
			case !editing && !flags.Changed("set") && !clearTags && !flags.Changed("title"):
				return usageErrorf("tag %s: nothing to change: give --add, --rm, --set, --clear or --title", args[0])
			}
			client, err := c.client()
			if err != nil {
				return err
			}
			var change oapi.ChangeRequest
			switch {
			case clearTags:
				change.Tags = &[]string{}
			case flags.Changed("set"):
				change.Tags = &set
			case editing:
				info, err := client.Info(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				var tags []string
				if info.Value.Tags != nil {
					tags = *info.Value.Tags
				}
				tags = editTags(tags, add, remove)
				change.Tags = &tags
			}
			if flags.Changed("title") {
				change.Title = &title
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
	cmd.Flags().StringArrayVar(&add, "add", nil, "add this tag (repeatable)")
	cmd.Flags().StringArrayVar(&remove, "rm", nil, "remove this tag (repeatable)")
	cmd.Flags().StringArrayVar(&set, "set", nil, "replace the tags with these (repeatable)")
	cmd.Flags().BoolVar(&clearTags, "clear", false, "remove every tag")
	cmd.Flags().StringVar(&title, "title", "", `set the title ("" removes it)`)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the API's answer (its data) as JSON")
	return cmd
}

func (c *cli) tagsCommand() *cobra.Command {
	var (
		workspace string
		asJSON    bool
	)
	cmd := &cobra.Command{
		Use:   "tags",
		Short: "List the tags in use and how many links carry each",
		Long: `List the tags of the key's workspace and how many links (not deleted)
carry each; an admin key names the workspace with --workspace (without it,
the links of no workspace).`,
		Args: exactArgs(),
		RunE: func(cmd *cobra.Command, args []string) error {
			var params oapi.ListTagsParams
			if workspace != "" {
				params.Workspace = &workspace
			}
			client, err := c.client()
			if err != nil {
				return err
			}
			tags, err := client.Tags(cmd.Context(), params)
			if err != nil {
				return err
			}
			if asJSON {
				return c.printData(tags.Data)
			}
			t := table{header: []string{"TAG", "LINKS"}, right: map[int]bool{1: true}, flex: -1}
			for _, tag := range tags.Value.Items {
				t.rows = append(t.rows, []string{tag.Tag, thousands(int64(tag.Links))})
			}
			return t.write(c.out, c.width())
		},
	}
	cmd.Flags().StringVar(&workspace, "workspace", "", "admin keys: the workspace whose tags to count")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the API's answer (its data) as JSON")
	return cmd
}

// editTags is tags with add appended (those not there yet) and remove
// taken out, compared as the server stores them: lower case.
func editTags(tags, add, remove []string) []string {
	out := []string{}
	for _, t := range tags {
		if !slices.ContainsFunc(remove, func(r string) bool { return strings.EqualFold(r, t) }) {
			out = append(out, t)
		}
	}
	for _, t := range add {
		if !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, t) }) {
			out = append(out, t)
		}
	}
	return out
}
