package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	qr "github.com/piglig/go-qr"
)

// QR code sizes, in pixels, and the quiet zone around the symbol, in
// modules (ISO/IEC 18004 asks for four).
const (
	qrMinSize     = 64
	qrMaxSize     = 1024
	qrDefaultSize = 256
	qrQuietZone   = 4
	// qrRendering names how images are drawn: part of every ETag, so a change
	// to the drawing must change it and caches fetch the new images.
	qrRendering = "qr1-medium"
)

var qrMediaTypes = map[string]string{"png": "image/png", "svg": "image/svg+xml"}

// qrCode answers GET /v1/shortlink/{code}/qr: an image of the link's
// short_url, the same for every request with the same format and size, so
// it carries a strong ETag and may be cached publicly for a day. The link
// is resolved as a redirect is (caches, miss limit): a hot link's QR code
// costs the store nothing, and one that is not live answers exactly as
// its public info does (404 or 410).
func (h *Handler) qrCode(c *gin.Context) {
	format, size, err := qrParams(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	code, err := h.codeKey(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	link, err := h.Resolver.Resolve(c.Request.Context(), code, (*requester)(c))
	if err != nil {
		h.fail(c, err)
		return
	}
	text := h.shortURL(link.Code())
	sum := sha256.Sum256([]byte(qrRendering + "\x00" + format + "\x00" + strconv.Itoa(size) + "\x00" + text))
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	hdr := c.Writer.Header()
	hdr["Etag"] = []string{etag}
	hdr["Cache-Control"] = []string{"public, max-age=86400"}
	hdr["X-Content-Type-Options"] = []string{"nosniff"}
	if etagMatches(c.GetHeader("If-None-Match"), etag) {
		c.Status(http.StatusNotModified)
		return
	}
	body, err := renderQR(text, format, size)
	if err != nil {
		h.fail(c, err)
		return
	}
	// An SVG is a document: it may load nothing and run nothing.
	hdr["Content-Security-Policy"] = []string{"default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"}
	c.Data(http.StatusOK, qrMediaTypes[format], body)
}

// qrParams reads format (png or svg, default png) and size (pixels, 64 to
// 1024, default 256); each may be given once.
func qrParams(c *gin.Context) (format string, size int, err error) {
	query := c.Request.URL.Query()
	format, size = "png", qrDefaultSize
	switch values := query["format"]; {
	case len(values) > 1:
		return "", 0, invalidRequest(reasonInvalidParam, "format", "format appears more than once")
	case len(values) == 1:
		if _, ok := qrMediaTypes[values[0]]; !ok {
			return "", 0, invalidRequest(reasonInvalidParam, "format", "format must be png or svg")
		}
		format = values[0]
	}
	switch values := query["size"]; {
	case len(values) > 1:
		return "", 0, invalidRequest(reasonInvalidParam, "size", "size appears more than once")
	case len(values) == 1:
		n, err := strconv.Atoi(values[0])
		if err != nil || n < qrMinSize || n > qrMaxSize || strings.HasPrefix(values[0], "+") {
			return "", 0, invalidRequest(reasonInvalidParam, "size", fmt.Sprintf("size must be a whole number of pixels from %d to %d", qrMinSize, qrMaxSize))
		}
		size = n
	}
	return format, size, nil
}

// etagMatches applies If-None-Match, which compares weakly (RFC 9110
// §13.1.2): W/"x" matches "x", and * matches any current representation.
func etagMatches(ifNoneMatch, etag string) bool {
	for candidate := range strings.SplitSeq(ifNoneMatch, ",") {
		candidate = strings.TrimPrefix(strings.TrimSpace(candidate), "W/")
		if candidate == "*" || candidate == etag {
			return true
		}
	}
	return false
}

// renderQR draws text as a QR code of size×size pixels: the library
// encodes it (version, error correction level M, mask), and the image
// centres the symbol at a whole number of pixels per module with at
// least the quiet zone around it.
func renderQR(text, format string, size int) ([]byte, error) {
	code, err := qr.EncodeText(text, qr.Medium)
	if err != nil {
		return nil, fmt.Errorf("encode QR code: %w", err)
	}
	modules := code.Size()
	if modules+2*qrQuietZone > size {
		return nil, invalidRequest(reasonInvalidParam, "size", fmt.Sprintf("size must be at least %d pixels for this link", modules+2*qrQuietZone))
	}
	if format == "svg" {
		return qrSVG(code, size)
	}
	scale := size / (modules + 2*qrQuietZone)
	offset := (size - modules*scale) / 2
	img := image.NewPaletted(image.Rect(0, 0, size, size), color.Palette{color.White, color.Black})
	for y := range modules {
		for x := range modules {
			if !code.Module(x, y) {
				continue
			}
			for py := offset + y*scale; py < offset+(y+1)*scale; py++ {
				row := img.Pix[py*img.Stride:]
				for px := offset + x*scale; px < offset+(x+1)*scale; px++ {
					row[px] = 1
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// qrSVG is the library's SVG (one unit per module, the quiet zone
// included) at size×size pixels, edges kept sharp when scaled.
func qrSVG(code *qr.QrCode, size int) ([]byte, error) {
	svg, err := code.ToSVGBytes(qr.NewQrCodeImgConfig(1, qrQuietZone))
	if err != nil {
		return nil, fmt.Errorf("render SVG: %w", err)
	}
	root := []byte("<svg ")
	if !bytes.HasPrefix(svg, root) {
		return nil, fmt.Errorf("render SVG: unexpected output %.40q", svg)
	}
	sized := fmt.Appendf(nil, `<svg width="%d" height="%d" shape-rendering="crispEdges" `, size, size)
	return append(sized, svg[len(root):]...), nil
}
