package main

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/shortlink/shortlink/adapters/httpclient/oapi"
)

// qrTerminalSize is the size, in pixels, of the PNG the terminal drawing
// is read from: at least one pixel per module for any QR version.
const qrTerminalSize = 512

func (c *cli) qrCommand() *cobra.Command {
	var (
		output string
		size   int
	)
	cmd := &cobra.Command{
		Use:   "qr CODE",
		Short: "Print a link's QR code in the terminal, or save it as PNG or SVG",
		Long: `Print the QR code of a link's short URL in the terminal (two modules to
a character, black on white), or with -o save the image the API draws,
PNG or SVG by the file's extension. The code must be live (public).`,
		Example: `  shortlink qr launch
  shortlink qr launch -o launch.png --size 1024`,
		Args: exactArgs("CODE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			format := oapi.Png
			if output != "" {
				switch strings.ToLower(filepath.Ext(output)) {
				case ".png":
				case ".svg":
					format = oapi.Svg
				default:
					return usageErrorf("-o %s: the file must end in .png or .svg", output)
				}
			} else {
				size = qrTerminalSize
			}
			client, err := c.client()
			if err != nil {
				return err
			}
			image, err := client.QRCode(cmd.Context(), args[0], oapi.ShortLinkQRCodeParams{Format: &format, Size: &size})
			if err != nil {
				return err
			}
			if output != "" {
				if err := os.WriteFile(output, image, 0o644); err != nil {
					return err
				}
				_, err := fmt.Fprintf(c.out, "Saved %s (%s, %d×%d pixels).\n", output, format, size, size)
				return err
			}
			img, err := png.Decode(bytes.NewReader(image))
			if err != nil {
				return fmt.Errorf("read the QR code's image: %w", err)
			}
			modules, err := qrModules(img)
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(c.out, halfBlocks(modules, c.stdoutTTY && c.getenv("NO_COLOR") == ""))
			return err
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "save the image to this file (.png or .svg) instead of printing it")
	cmd.Flags().IntVar(&size, "size", 256, "the saved image's width and height in pixels (64 to 1024)")
	return cmd
}
