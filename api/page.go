package api

import (
	"crypto/sha256"
	"encoding/hex"
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
}

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
	etag := a.etag(name, b)
	hdr := c.Response().Header()
	hdr.Set("ETag", etag)
	hdr.Set("Cache-Control", cacheControl)
	hdr.Set("X-Content-Type-Options", "nosniff")
	if c.Request().Header.Get("If-None-Match") == etag {
		return c.NoContent(http.StatusNotModified)
	}
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
	base := h.baseURL(c)
	title := planID
	if tj, err := ix.TileJSON(planID, "", nil); err == nil {
		title = tj.Name
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.JSON(http.StatusOK, tiles.Style(planID, title, base+"/tiles/"+planID+".json",
		base+"/fonts/{fontstack}/{range}.pbf", h.basemapURL))
}

// glyphs answers every glyph range with an empty set: the labels are
// Chinese, which MapLibre draws with the browser's own fonts
// (localIdeographFontFamily), so no font server is needed.
func (h *handlers) glyphs(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=86400")
	return c.Blob(http.StatusOK, "application/x-protobuf", nil)
}
