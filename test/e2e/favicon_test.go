//go:build e2e

package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/shortlink/shortlink/test/testkit"
)

var updateFavicon = flag.Bool("update-favicon", false, "rewrite adapters/httpapi/web/favicon.ico from the icon, as chromium draws it")

// faviconSizes are the images in favicon.ico: a tab, a taskbar, a desktop.
var faviconSizes = []int{16, 32, 48}

// TestFaviconIsTheIcon: /favicon.ico holds the page's icon (icon.svg) as
// chromium draws it at each size, so the two cannot drift apart. With
// -update-favicon it writes the file instead.
func TestFaviconIsTheIcon(t *testing.T) {
	root, err := testkit.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	svg, err := os.ReadFile(filepath.Join(root, "adapters/httpapi/web/static/icon.svg"))
	if err != nil {
		t.Fatal(err)
	}
	icoPath := filepath.Join(root, "adapters/httpapi/web/favicon.ico")
	p := startBrowser(t).newPage(t)
	drawn := make([][]byte, len(faviconSizes))
	for i, size := range faviconSizes {
		drawn[i] = drawIcon(p, svg, size)
	}
	if *updateFavicon {
		if err := os.WriteFile(icoPath, packICO(drawn), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", icoPath)
		return
	}
	ico, err := os.ReadFile(icoPath)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := unpackICO(ico)
	if err != nil {
		t.Fatalf("favicon.ico: %v", err)
	}
	if len(stored) != len(faviconSizes) {
		t.Fatalf("favicon.ico has %d images, want %v px", len(stored), faviconSizes)
	}
	for i, size := range faviconSizes {
		want := decodePNG(t, drawn[i])
		got := decodePNG(t, stored[i])
		if got.Bounds().Dx() != size || got.Bounds().Dy() != size {
			t.Fatalf("favicon.ico image %d is %v, want %d px", i, got.Bounds(), size)
		}
		if d := meanDifference(got, want); d > 6 {
			t.Errorf("favicon.ico at %d px differs from icon.svg as drawn now by %.1f (of 255) on average: "+
				"run `go test -tags e2e ./test/e2e -run TestFaviconIsTheIcon -update-favicon`", size, d)
		}
	}
}

// drawIcon is svg drawn by chromium at size × size pixels, as a PNG with
// its transparent corners (a canvas keeps them; a screenshot does not).
func drawIcon(p *page, svg []byte, size int) []byte {
	p.t.Helper()
	p.do("open a blank page", chromedp.Navigate("about:blank"))
	url := run(p, "draw the icon", chromedp.Evaluate[string](fmt.Sprintf(`new Promise((resolve, reject) => {
		const img = new Image(%[1]d, %[1]d);
		img.onload = () => {
			const canvas = document.createElement("canvas");
			canvas.width = canvas.height = %[1]d;
			canvas.getContext("2d").drawImage(img, 0, 0, %[1]d, %[1]d);
			resolve(canvas.toDataURL("image/png"));
		};
		img.onerror = reject;
		img.src = "data:image/svg+xml;base64,%[2]s";
	})`, size, base64.StdEncoding.EncodeToString(svg)), chromedp.EvalAwaitPromise))
	b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(url, "data:image/png;base64,"))
	if err != nil {
		p.t.Fatalf("the icon drawn at %d px: %v", size, err)
	}
	return b
}

// packICO is an ICO file of PNG images, each square and at most 255 px.
func packICO(images [][]byte) []byte {
	var b bytes.Buffer
	le := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	le([]uint16{0, 1, uint16(len(images))}) // reserved, type icon, count
	offset := 6 + 16*len(images)
	for _, img := range images {
		cfg, _ := png.DecodeConfig(bytes.NewReader(img))
		b.Write([]byte{byte(cfg.Width), byte(cfg.Height), 0, 0}) // size, no palette, reserved
		le([]uint16{1, 32})                                      // planes, bits per pixel
		le([]uint32{uint32(len(img)), uint32(offset)})
		offset += len(img)
	}
	for _, img := range images {
		b.Write(img)
	}
	return b.Bytes()
}

// unpackICO returns the images of an ICO file of PNG images.
func unpackICO(ico []byte) ([][]byte, error) {
	if len(ico) < 6 || binary.LittleEndian.Uint16(ico[0:]) != 0 || binary.LittleEndian.Uint16(ico[2:]) != 1 {
		return nil, fmt.Errorf("not an icon file")
	}
	n := int(binary.LittleEndian.Uint16(ico[4:]))
	var images [][]byte
	for i := range n {
		entry := 6 + 16*i
		if len(ico) < entry+16 {
			return nil, fmt.Errorf("directory entry %d is cut short", i)
		}
		size, offset := binary.LittleEndian.Uint32(ico[entry+8:]), binary.LittleEndian.Uint32(ico[entry+12:])
		if uint64(offset)+uint64(size) > uint64(len(ico)) {
			return nil, fmt.Errorf("image %d lies outside the file", i)
		}
		images = append(images, ico[offset:offset+size])
	}
	return images, nil
}

func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode a PNG: %v", err)
	}
	return img
}

// meanDifference is the mean absolute difference of a and b per channel
// (RGBA, 0–255), over a's bounds.
func meanDifference(a, b image.Image) float64 {
	var sum, n float64
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			r1, g1, b1, a1 := a.At(x, y).RGBA()
			r2, g2, b2, a2 := b.At(x, y).RGBA()
			for _, d := range [][2]uint32{{r1, r2}, {g1, g2}, {b1, b2}, {a1, a2}} {
				diff := float64(d[0]>>8) - float64(d[1]>>8)
				if diff < 0 {
					diff = -diff
				}
				sum += diff
				n++
			}
		}
	}
	return sum / n
}
