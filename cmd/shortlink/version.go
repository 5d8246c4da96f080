package main

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// buildInfo is what the binary knows of its own build.
type buildInfo struct {
	Version  string `json:"version"`            // the module version (go install …@v1.2.3), or (devel)
	Go       string `json:"go"`                 // the Go release it was built with
	Platform string `json:"platform"`           // GOOS/GOARCH
	Revision string `json:"revision,omitempty"` // the VCS commit, when the build recorded it
	Time     string `json:"time,omitempty"`     // the commit's time
	Modified bool   `json:"modified,omitempty"` // built from a tree with uncommitted changes
}

func readBuildInfo() buildInfo {
	b := buildInfo{Version: "(devel)", Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	if info.Main.Version != "" {
		b.Version = info.Main.Version
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

func buildVersion() string { return readBuildInfo().Version }

func (c *cli) versionCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version of this binary and how it was built",
		Args:  exactArgs(),
		RunE: func(*cobra.Command, []string) error {
			b := readBuildInfo()
			if asJSON {
				out, err := json.Marshal(b)
				if err != nil {
					return err
				}
				return c.printData(out)
			}
			line := fmt.Sprintf("shortlink %s (%s, %s", b.Version, b.Go, b.Platform)
			if b.Revision != "" {
				line += ", commit " + b.Revision
				if b.Time != "" {
					line += " of " + b.Time
				}
				if b.Modified {
					line += ", modified"
				}
			}
			_, err := fmt.Fprintln(c.out, line+")")
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the build information as JSON")
	return cmd
}
