package main

import (
	"image"
	"image/color"
	"strings"
	"testing"

	qr "github.com/piglig/go-qr"
)

// drawQR draws code as the API does: scale pixels per module, centred in
// a size×size image, dark on light.
func drawQR(code *qr.QrCode, size, scale int) image.Image {
	n := code.Size()
	offset := (size - n*scale) / 2
	img := image.NewGray(image.Rect(0, 0, size, size))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y := range n {
		for x := range n {
			if !code.Module(x, y) {
				continue
			}
			for py := offset + y*scale; py < offset+(y+1)*scale; py++ {
				for px := offset + x*scale; px < offset+(x+1)*scale; px++ {
					img.Set(px, py, color.Gray{})
				}
			}
		}
	}
	return img
}

// fromHalfBlocks reads back what halfBlocks drew without color.
func fromHalfBlocks(text string) [][]bool {
	var rows [][]bool
	for line := range strings.SplitSeq(strings.TrimSuffix(text, "\n"), "\n") {
		upper, lower := []bool{}, []bool{}
		for _, r := range line {
			upper = append(upper, r == '█' || r == '▀')
			lower = append(lower, r == '█' || r == '▄')
		}
		rows = append(rows, upper, lower)
	}
	return rows
}

func TestQRModulesAndHalfBlocks(t *testing.T) {
	t.Parallel()
	for _, text := range []string{"https://sho.rt/launch", "https://sho.rt/" + strings.Repeat("a", 200)} {
		code, err := qr.EncodeText(text, qr.Medium)
		if err != nil {
			t.Fatal(err)
		}
		for _, scale := range []int{1, 3, 6} {
			size := (code.Size()+2*qrQuietZone)*scale + 5 // not a multiple: the symbol is off-centre by a pixel
			modules, err := qrModules(drawQR(code, size, scale))
			if err != nil {
				t.Fatalf("%d modules at scale %d: %v", code.Size(), scale, err)
			}
			if len(modules) != code.Size() {
				t.Fatalf("read %d modules a side, want %d", len(modules), code.Size())
			}
			for y := range modules {
				for x := range modules {
					if modules[y][x] != code.Module(x, y) {
						t.Fatalf("scale %d: module (%d, %d) read %v", scale, x, y, modules[y][x])
					}
				}
			}
			drawn := fromHalfBlocks(halfBlocks(modules, false))
			side := code.Size() + 2*qrQuietZone
			if len(drawn) < side || len(drawn[0]) != side {
				t.Fatalf("half blocks are %d×%d, want %d×%d with the quiet zone", len(drawn[0]), len(drawn), side, side)
			}
			for y := range side {
				for x := range side {
					inside := y >= qrQuietZone && x >= qrQuietZone && y < side-qrQuietZone && x < side-qrQuietZone
					if want := inside && code.Module(x-qrQuietZone, y-qrQuietZone); drawn[y][x] != want {
						t.Fatalf("half block (%d, %d) = %v, want %v", x, y, drawn[y][x], want)
					}
				}
			}
		}
	}
	colored := halfBlocks([][]bool{{true}}, true)
	if !strings.HasPrefix(colored, "\x1b[30;47m") || !strings.Contains(colored, "\x1b[0m\n") {
		t.Errorf("with color, each line is black on white: %q", colored)
	}
}

func TestQRModulesRefusesOtherImages(t *testing.T) {
	t.Parallel()
	blank := image.NewGray(image.Rect(0, 0, 64, 64))
	for i := range blank.Pix {
		blank.Pix[i] = 0xff
	}
	if _, err := qrModules(blank); err == nil {
		t.Errorf("a blank image was read as a QR code")
	}
	square := image.NewGray(image.Rect(0, 0, 64, 64))
	if _, err := qrModules(square); err == nil {
		t.Errorf("a black square was read as a QR code")
	}
}
