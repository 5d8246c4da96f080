package httpapi

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/shortlink/shortlink/domain"
)

// The web page at / and its assets under /_/: a path no alias can take
// (aliases have no '_'), so the page can never be shadowed by a link.
//
//go:embed web/index.html web/static web/favicon.ico
var webFiles embed.FS

// webCSP lets the page load its own script, style and images (the icon, the
// QR codes) and talk to its own API, and nothing else: no inline script or
// style, no frame, no form submission (the script sends JSON with fetch),
// and DOM sinks only through Trusted Types, which the script never uses.
var webCSP = []string{"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'"}

// webMediaTypes are the media types of the page's assets, fixed here
// rather than read from the machine's mime.types.
var webMediaTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
}

// webAsset is one embedded file, ready to serve.
type webAsset struct {
	contentType string
	body, gz    []byte // gz is nil when compressing does not pay
	etag        string // quoted
	version     string // what ?v= must be for the answer to be cacheable for good
}

func newWebAsset(contentType string, body []byte) webAsset {
	sum := sha256.Sum256(body)
	version := hex.EncodeToString(sum[:6])
	a := webAsset{contentType: contentType, body: body, etag: `"` + version + `"`, version: version}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // the level is valid
	_, _ = zw.Write(body)
	_ = zw.Close()
	if buf.Len() < len(body)*9/10 {
		a.gz = buf.Bytes()
	}
	return a
}

// webPage is the page and its assets, rendered once: they depend only on
// the Options.
type webPage struct {
	page    webAsset
	assets  map[string]webAsset
	robots  webAsset // /robots.txt
	favicon webAsset // /favicon.ico
	log     *slog.Logger
}

// pageData is what web/index.html is rendered with.
type pageData struct {
	Style, Script, Icon string // asset URLs with their version
	KeyRequired         bool
	DefaultTTL, MaxTTL  string
	MaxTTLSeconds       int64
}

func newWebPage(opts Options, log *slog.Logger) (*webPage, error) {
	w := &webPage{assets: map[string]webAsset{}, log: log}
	entries, err := webFiles.ReadDir("web/static")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		body, err := webFiles.ReadFile("web/static/" + e.Name())
		if err != nil {
			return nil, err
		}
		contentType := webMediaTypes[path.Ext(e.Name())]
		if contentType == "" {
			return nil, fmt.Errorf("web asset %s: unknown media type", e.Name())
		}
		w.assets[e.Name()] = newWebAsset(contentType, body)
	}
	url := func(name string) string { return "/_/" + name + "?v=" + w.assets[name].version }
	tmpl, err := template.ParseFS(webFiles, "web/index.html")
	if err != nil {
		return nil, err
	}
	var page bytes.Buffer
	err = tmpl.Execute(&page, pageData{
		Style: url("app.css"), Script: url("app.js"), Icon: url("icon.svg"),
		KeyRequired: !domain.NewKeySet(opts.APIKeys).Empty(),
		DefaultTTL:  humanDuration(opts.DefaultTTL), MaxTTL: humanDuration(opts.MaxTTL),
		MaxTTLSeconds: maxTTLSeconds(opts.MaxTTL),
	})
	if err != nil {
		return nil, fmt.Errorf("render the web page: %w", err)
	}
	w.page = newWebAsset("text/html; charset=utf-8", page.Bytes())
	w.robots = newWebAsset("text/plain; charset=utf-8", []byte(robotsTxt(opts.AllowRobots)))
	ico, err := webFiles.ReadFile("web/favicon.ico")
	if err != nil {
		return nil, err
	}
	w.favicon = newWebAsset("image/x-icon", ico)
	return w, nil
}

// robotsTxt asks every crawler to stay out, or, when allowed, to stay out
// of the API and the page's assets only: short URLs then redirect crawlers
// to their targets like anyone else.
func robotsTxt(allow bool) string {
	if !allow {
		return "User-agent: *\nDisallow: /\n"
	}
	return "User-agent: *\nDisallow: /v1/\nDisallow: /_/\n"
}

// humanDuration says d in days or hours, as the page's hints do; "" for 0.
func humanDuration(d time.Duration) string {
	const day = 24 * time.Hour
	unit := func(n int64, name string) string {
		if n == 1 {
			return "1 " + name
		}
		return strconv.FormatInt(n, 10) + " " + name + "s"
	}
	switch {
	case d == domain.Forever:
		return domain.NeverExpires
	case d <= 0:
		return ""
	case d%day == 0:
		return unit(int64(d/day), "day")
	case d%time.Hour == 0:
		return unit(int64(d/time.Hour), "hour")
	}
	return d.String()
}

// home answers GET / with the page. It is revalidated on every visit, so a
// new release's assets (new ?v=) are picked up at once.
func (w *webPage) home(c *gin.Context) {
	serveWeb(c, w.page, "no-cache")
}

// robotsFile answers GET /robots.txt (ROBOTS); crawlers may keep it a day.
func (w *webPage) robotsFile(c *gin.Context) {
	serveWeb(c, w.robots, "public, max-age=86400")
}

// faviconFile answers GET /favicon.ico, which browsers ask for on their
// own for pages that name no icon (a JSON answer, say): the page's icon as
// an ICO file, which every browser decodes, where an SVG or a redirect to
// one is lost on those without SVG favicons.
func (w *webPage) faviconFile(c *gin.Context) {
	serveWeb(c, w.favicon, "public, max-age=86400")
}

// asset answers GET /_/{name}. Requested with its current version it may be
// cached for good; otherwise it is revalidated.
func (w *webPage) asset(c *gin.Context) {
	a, ok := w.assets[c.Param("asset")]
	if !ok {
		writeError(c, w.log, errNoRoute)
		return
	}
	cacheControl := "no-cache"
	if c.Query("v") == a.version {
		cacheControl = "public, max-age=31536000, immutable"
	}
	serveWeb(c, a, cacheControl)
}

func serveWeb(c *gin.Context, a webAsset, cacheControl string) {
	h := c.Writer.Header()
	h["Cache-Control"] = []string{cacheControl}
	h["Etag"] = []string{a.etag}
	h["Vary"] = []string{"Accept-Encoding"}
	securityHeaders(h, webCSP)
	h["Cross-Origin-Opener-Policy"] = []string{"same-origin"}
	if inm := c.GetHeader("If-None-Match"); inm != "" && strings.Contains(inm, a.etag) {
		c.Status(http.StatusNotModified)
		return
	}
	body := a.body
	if a.gz != nil && acceptsGzip(c.GetHeader("Accept-Encoding")) {
		body = a.gz
		h["Content-Encoding"] = []string{"gzip"}
	}
	h["Content-Type"] = []string{a.contentType}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	c.Status(http.StatusOK)
	if c.Request.Method != http.MethodHead {
		_, _ = c.Writer.Write(body)
	}
}

// acceptsGzip reports whether an Accept-Encoding header admits gzip.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			return strings.ReplaceAll(strings.TrimSpace(params), " ", "") != "q=0"
		}
	}
	return false
}

// maxTTLSeconds is MAX_TTL for the page's date picker: 0 (no bound) when
// links may live for ever.
func maxTTLSeconds(d time.Duration) int64 {
	if d == domain.Forever {
		return 0
	}
	return int64(d.Seconds())
}
