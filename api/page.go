package api

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"

	"github.com/indmap/indmap/tiles"
	"github.com/labstack/echo/v4"
)

// assets serves the embedded page files with content-hash ETags.
type assets struct {
	fs    fs.FS
	mu    sync.Mutex
	etags map[string]string
	// complete is false in a binary built without make assets: the page
	// then says how to build it instead of failing silently.
	complete bool
}

// hasMapLibre reports whether the page's vendored MapLibre is in fsys.
func hasMapLibre(fsys fs.FS) bool {
	_, err := fs.Stat(fsys, "vendor/maplibre-gl.mjs")
	return err == nil
}

// notBuilt is the page of a binary built without its front-end files.
const notBuilt = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>indmap: map files missing</title></head>
<body><h1>This indmap binary was built without the map's files</h1>
<p>The page needs MapLibre GL JS, which the build copies from npm into <code>static/vendor/</code>.
Build the binary with <code>make build</code> (or run <code>make assets</code> before
<code>go build ./cmd/indmap</code> or <code>go install ./cmd/indmap</code>).
The API (<a href="/api/v1/openapi.json">/api/v1</a>), the tiles and <a href="/ogc">/ogc</a> work as they are.</p>
</body></html>
`

func (a *assets) etag(name string, b []byte) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if e, ok := a.etags[name]; ok {
		return e
	}
	sum := sha256.Sum256(b)
	e := `"` + hex.EncodeToString(sum[:8]) + `"`
	a.etags[name] = e
	return e
}

func (a *assets) serve(c echo.Context, name, cacheControl string) error {
	name = path.Clean("/" + name)[1:]
	b, err := fs.ReadFile(a.fs, name)
	if err != nil || strings.HasPrefix(path.Base(name), ".") {
		return notFound("no file %s", name)
	}
	typ := mime.TypeByExtension(path.Ext(name))
	switch path.Ext(name) {
	case ".mjs", ".js":
		typ = "text/javascript; charset=utf-8"
	case ".txt":
		typ = "text/plain; charset=utf-8"
	}
	hdr := c.Response().Header()
	// Weak: the same file goes out gzipped or not.
	hdr.Set("ETag", "W/"+a.etag(name, b))
	hdr.Set("Cache-Control", cacheControl)
	return c.Blob(http.StatusOK, typ, b)
}

// csp is the page's Content-Security-Policy: only this server, plus
// MapLibre's workers (module workers, or blob: where a browser needs
// them) and the optional basemap's origin for images.
func (h *handlers) csp(frameAncestors string) string {
	img := "'self' data: blob:"
	if h.basemapURL != "" {
		if u, err := url.Parse(strings.NewReplacer("{z}", "0", "{x}", "0", "{y}", "0").Replace(h.basemapURL)); err == nil && u.Host != "" {
			img += " " + u.Scheme + "://" + u.Host
		}
	}
	return "default-src 'self'; script-src 'self'; worker-src 'self' blob:; child-src 'self' blob:; " +
		"style-src 'self' 'unsafe-inline'; img-src " + img + "; connect-src 'self'; font-src 'self'; " +
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors " + frameAncestors
}

// page serves the map page; embed the same page without chrome, which
// any site may frame.
func (h *handlers) page(embed bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		hdr := c.Response().Header()
		hdr.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		hdr.Set("X-Content-Type-Options", "nosniff")
		if embed {
			hdr.Set("Content-Security-Policy", h.csp("*"))
		} else {
			hdr.Set("Content-Security-Policy", h.csp("'self'"))
			hdr.Set("X-Frame-Options", "SAMEORIGIN")
		}
		if !h.assets.complete {
			hdr.Set("Cache-Control", "no-store")
			return c.HTML(http.StatusServiceUnavailable, notBuilt)
		}
		return h.assets.serve(c, "index.html", "no-cache")
	}
}

func (h *handlers) static(c echo.Context) error {
	name := c.Param("*")
	cache := "public, max-age=300"
	if strings.HasPrefix(name, "vendor/") {
		cache = "public, max-age=86400"
	}
	return h.assets.serve(c, name, cache)
}

// style serves GET /styles/{plan}.json, a MapLibre style over the plan's
// TileJSON.
func (h *handlers) style(c echo.Context) error {
	planID, ok := strings.CutSuffix(c.Param("name"), ".json")
	if !ok {
		return notFound("styles are at /styles/{plan}.json")
	}
	ix, err := h.tiles.Index(c.Request().Context())
	if err != nil {
		return err
	}
	if !ix.HasPlan(planID) {
		return notFound("no plan %s", planID)
	}
	industry, err := tileIndustry(c, ix, planID)
	if err != nil {
		return err
	}
	lang, err := oneOf(c, "lang", "zh", "zh", "en")
	if err != nil {
		return err
	}
	base := h.baseURL(c)
	o := tiles.StyleOptions{Plan: planID, Title: planID, TileJSONURL: base + "/tiles/" + planID + ".json",
		GlyphsURL: base + "/fonts/{fontstack}/{range}.pbf", BasemapURL: h.basemapURL, Industry: industry, Lang: lang,
		Regions: ix.HasRegions(planID)}
	if industry != "" {
		o.TileJSONURL += "?industry=" + url.QueryEscape(industry)
	}
	if tj, err := ix.TileJSON(planID, "", nil); err == nil {
		o.Title = tj.Name
	}
	if b, ok := ix.Bounds(planID); ok {
		o.Center = [2]float64{(b.Min[0] + b.Max[0]) / 2, (b.Min[1] + b.Max[1]) / 2}
		// Framed for a modest 800 × 600 view, so it fits most embeds.
		o.Zoom = tiles.FitZoom(b, 800, 600)
	}
	revalidated(c, ix.Version)
	return c.JSON(http.StatusOK, tiles.Style(o))
}

// tileIndustry reads ?industry= (a catalogue code or exact name of the
// plan) as a code: 400 naming the parameter for one the plan lacks.
func tileIndustry(c echo.Context, ix *tiles.Index, planID string) (string, error) {
	code, err := ix.Industry(planID, c.QueryParam("industry"))
	switch {
	case errors.Is(err, tiles.ErrUnknownIndustry):
		return "", badParam("industry", "%v", err)
	case err != nil:
		return "", notFound("%v", err)
	}
	return code, nil
}
