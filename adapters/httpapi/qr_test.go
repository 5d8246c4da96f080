package httpapi_test

import (
	"bytes"
	"encoding/xml"
	"image"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"github.com/shortlink/shortlink/test/httpsuite"
	"github.com/shortlink/shortlink/test/testkit"
)

// TestQRCodeImages checks the images of GET /v1/shortlink/{code}/qr: PNG by
// default at 256 pixels, the size asked for exactly, SVG on request, with a
// white quiet zone around a black-on-white symbol. (The QR integration test
// decodes them with zbarimg.)
func TestQRCodeImages(t *testing.T) {
	t.Parallel()
	env, _ := startMemoryAPI(t)
	code := httpsuite.MustCreate(t, env, map[string]any{"url": "https://example.com/qr", "alias": "qr-images"}).Field("code")
	base := env.BaseURL + "/v1/shortlink/" + code + "/qr"

	for _, tc := range []struct {
		name  string
		query string
		size  int
	}{{"default", "", 256}, {"smallest", "?size=64", 64}, {"largest", "?size=1024", 1024}, {"odd size, png named", "?format=png&size=333", 333}} {
		r := testkit.Send(nil, http.MethodGet, base+tc.query, "", nil, nil)
		if r.Err != nil || r.Status != http.StatusOK || r.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("%s: %s, Content-Type %q; want 200 image/png", tc.name, r, r.Header.Get("Content-Type"))
		}
		img, err := png.Decode(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatalf("%s: not a PNG: %v", tc.name, err)
		}
		if b := img.Bounds(); b.Dx() != tc.size || b.Dy() != tc.size {
			t.Fatalf("%s: image is %dx%d, want %dx%d", tc.name, b.Dx(), b.Dy(), tc.size, tc.size)
		}
		expectQuietZone(t, tc.name, img)
	}

	r := testkit.Send(nil, http.MethodGet, base+"?format=svg&size=512", "", nil, nil)
	if r.Err != nil || r.Status != http.StatusOK || r.Header.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("svg: %s, Content-Type %q; want 200 image/svg+xml", r, r.Header.Get("Content-Type"))
	}
	var svg struct {
		XMLName xml.Name `xml:"svg"`
		Width   string   `xml:"width,attr"`
		Height  string   `xml:"height,attr"`
		ViewBox string   `xml:"viewBox,attr"`
	}
	if err := xml.Unmarshal(r.Body, &svg); err != nil {
		t.Fatalf("svg: not XML: %v\n%s", err, r.Body)
	}
	if svg.Width != "512" || svg.Height != "512" || svg.ViewBox == "" {
		t.Fatalf("svg: width %q height %q viewBox %q, want 512 by 512 with a viewBox", svg.Width, svg.Height, svg.ViewBox)
	}
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Fatalf("svg: Content-Security-Policy %q lets the document load things", csp)
	}
}

// expectQuietZone fails unless img has only black and white pixels, is
// white in a margin of at least 4 modules (the smallest module is a pixel,
// so 4 pixels), has black inside, and is symmetric about its centre in
// how far the symbol stays from each edge.
func expectQuietZone(t *testing.T, name string, img image.Image) {
	t.Helper()
	b := img.Bounds()
	minX, minY, maxX, maxY := b.Max.X, b.Max.Y, -1, -1
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			switch {
			case r == 0 && g == 0 && bl == 0:
				minX, minY, maxX, maxY = min(minX, x), min(minY, y), max(maxX, x), max(maxY, y)
			case r == 0xffff && g == 0xffff && bl == 0xffff:
			default:
				t.Fatalf("%s: pixel (%d,%d) is neither black nor white", name, x, y)
			}
		}
	}
	if maxX < 0 {
		t.Fatalf("%s: no black pixel", name)
	}
	left, top, right, bottom := minX, minY, b.Max.X-1-maxX, b.Max.Y-1-maxY
	if min(left, top, right, bottom) < 4 || left != top || right != bottom || right-left > 1 {
		t.Fatalf("%s: margins left %d top %d right %d bottom %d, want at least 4 and centred", name, left, top, right, bottom)
	}
}

// TestQRCodeCaching checks the validators of the QR route: a strong ETag
// that depends on what the image shows (format, size, short_url) and
// nothing else, a day of public caching, and 304 for If-None-Match.
func TestQRCodeCaching(t *testing.T) {
	t.Parallel()
	env, _ := startMemoryAPI(t)
	code := httpsuite.MustCreate(t, env, map[string]any{"url": "https://example.com/qr", "alias": "qr-cache"}).Field("code")
	base := env.BaseURL + "/v1/shortlink/" + code + "/qr"
	get := func(query string, header http.Header) testkit.Response {
		t.Helper()
		r := testkit.Send(nil, http.MethodGet, base+query, "", nil, header)
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		return r
	}

	first := get("", nil)
	etag := first.Header.Get("ETag")
	if first.Status != http.StatusOK || !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) || len(etag) < 10 {
		t.Fatalf("first = %d, ETag %q; want 200 with a strong ETag", first.Status, etag)
	}
	if cc := first.Header.Get("Cache-Control"); cc != "public, max-age=86400" {
		t.Fatalf("Cache-Control = %q, want public, max-age=86400", cc)
	}
	if again := get("?format=png&size=256", nil); again.Header.Get("ETag") != etag || !bytes.Equal(again.Body, first.Body) {
		t.Fatalf("the same image asked for explicitly has ETag %q (want %q) or other bytes", again.Header.Get("ETag"), etag)
	}
	seen := map[string]string{etag: "default"}
	for _, query := range []string{"?size=257", "?format=svg", "?format=svg&size=257"} {
		other := get(query, nil).Header.Get("ETag")
		if prev, dup := seen[other]; dup {
			t.Fatalf("%s has the ETag of %s: %q", query, prev, other)
		}
		seen[other] = query
	}
	otherLink := httpsuite.MustCreate(t, env, map[string]any{"url": "https://example.com/qr", "alias": "qr-cache-2"}).Field("code")
	if r := testkit.Send(nil, http.MethodGet, env.BaseURL+"/v1/shortlink/"+otherLink+"/qr", "", nil, nil); r.Header.Get("ETag") == etag {
		t.Fatalf("two links with one target share an ETag: it must follow short_url")
	}

	for _, inm := range []string{etag, "W/" + etag, `"nope", ` + etag, "*"} {
		r := get("", http.Header{"If-None-Match": {inm}})
		if r.Status != http.StatusNotModified || len(r.Body) != 0 || r.Header.Get("ETag") != etag ||
			r.Header.Get("Cache-Control") != "public, max-age=86400" {
			t.Fatalf("If-None-Match %s = %d (%d bytes), ETag %q, Cache-Control %q; want 304 without a body and with the validators",
				inm, r.Status, len(r.Body), r.Header.Get("ETag"), r.Header.Get("Cache-Control"))
		}
	}
	if r := get("", http.Header{"If-None-Match": {`"something-else"`}}); r.Status != http.StatusOK {
		t.Fatalf("If-None-Match of another ETag = %d, want 200", r.Status)
	}
	head := testkit.Send(nil, http.MethodHead, base, "", nil, nil)
	if head.Err != nil || head.Status != http.StatusOK || len(head.Body) != 0 || head.Header.Get("ETag") != etag || head.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("HEAD = %s, ETag %q, Content-Type %q; want 200, no body, the GET's headers", head, head.Header.Get("ETag"), head.Header.Get("Content-Type"))
	}
}

// TestQRCodeParameters checks that a bad format or size is 400 naming the
// parameter, before the link is even looked up.
func TestQRCodeParameters(t *testing.T) {
	t.Parallel()
	env, _ := startMemoryAPI(t)
	code := httpsuite.MustCreate(t, env, map[string]any{"url": "https://example.com/qr", "alias": "qr-params"}).Field("code")
	for query, field := range map[string]string{
		"size=63":             "size",
		"size=1025":           "size",
		"size=0":              "size",
		"size=-256":           "size",
		"size=%2B256":         "size",
		"size=256.0":          "size",
		"size=1e2":            "size",
		"size=":               "size",
		"size=big":            "size",
		"size=128&size=256":   "size",
		"format=gif":          "format",
		"format=PNG":          "format",
		"format=":             "format",
		"format=svg&format=x": "format",
	} {
		for _, c := range []string{code, "NoSuch1"} {
			testkit.ExpectError(t, testkit.Get(t, env.BaseURL+"/v1/shortlink/"+c+"/qr?"+query), http.StatusBadRequest, "invalid_parameter", field)
		}
	}
}
