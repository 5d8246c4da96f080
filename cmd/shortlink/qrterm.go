package main

import (
	"errors"
	"fmt"
	"image"
	"strings"
)

// qrQuietZone is the light margin around a symbol, in modules (ISO/IEC
// 18004 asks for four).
const qrQuietZone = 4

// qrModules reads the modules of the QR symbol drawn in img, as the API
// draws it: a whole number of pixels per module, dark on light. The
// top-left finder pattern's top row is seven dark modules, which gives the
// module's size; the symbol's dark bounding box gives the count.
func qrModules(img image.Image) ([][]bool, error) {
	b := img.Bounds()
	dark := func(x, y int) bool {
		r, g, bl, _ := img.At(x, y).RGBA()
		return r+g+bl < 3*0x8000
	}
	x0, y0, x1, y1 := b.Max.X, b.Max.Y, b.Min.X-1, b.Min.Y-1
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if dark(x, y) {
				x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
			}
		}
	}
	if x1 < x0 {
		return nil, errors.New("the image holds no QR code")
	}
	run := 0
	for x := x0; x <= x1 && dark(x, y0); x++ {
		run++
	}
	scale := run / 7
	size := (x1 - x0 + 1) / max(scale, 1)
	if scale == 0 || run%7 != 0 || (x1-x0+1)%scale != 0 || (y1-y0+1) != size*scale || size < 21 || (size-17)%4 != 0 {
		return nil, fmt.Errorf("the image is not a QR code drawn on a pixel grid (finder run %d px, symbol %d×%d px)", run, x1-x0+1, y1-y0+1)
	}
	modules := make([][]bool, size)
	for row := range modules {
		modules[row] = make([]bool, size)
		for col := range modules[row] {
			modules[row][col] = dark(x0+col*scale+scale/2, y0+row*scale+scale/2)
		}
	}
	return modules, nil
}

// halfBlocks draws modules two rows to a line of text, with the quiet zone
// around them: each character is the upper and the lower module of its
// cell. With color, the whole is drawn black on white (ANSI), which scans
// on dark and light terminals alike; without, dark modules are the ink,
// as on paper.
func halfBlocks(modules [][]bool, color bool) string {
	n := len(modules) + 2*qrQuietZone
	at := func(row, col int) bool {
		row, col = row-qrQuietZone, col-qrQuietZone
		return row >= 0 && col >= 0 && row < len(modules) && col < len(modules) && modules[row][col]
	}
	var sb strings.Builder
	for row := 0; row < n; row += 2 {
		if color {
			sb.WriteString("\x1b[30;47m")
		}
		for col := range n {
			upper, lower := at(row, col), row+1 < n && at(row+1, col)
			switch {
			case upper && lower:
				sb.WriteRune('█')
			case upper:
				sb.WriteRune('▀')
			case lower:
				sb.WriteRune('▄')
			default:
				sb.WriteRune(' ')
			}
		}
		if color {
			sb.WriteString("\x1b[0m")
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}
