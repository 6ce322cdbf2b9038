package api

import (
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/indmap/indmap/tiles/glyphs"
	"github.com/labstack/echo/v4"
)

// glyphMaxAge is how long clients and caches keep a glyph range: the
// same font always gives the same glyphs (the ETag names the font file
// and the renderer, for the rare change).
const glyphMaxAge = "public, max-age=2592000"

// openGlyphs loads the fonts of map labels and says in the log what the
// labels can draw; a binary without fonts answers every range empty.
func openGlyphs(fonts fs.FS, log *slog.Logger) *glyphs.Set {
	set, err := glyphs.Open(fonts)
	if err != nil {
		log.Error("fonts unreadable: glyph ranges answer empty, so Latin text in map labels is not drawn", "err", err)
		set, _ = glyphs.Open(nil)
	}
	if len(set.Names()) == 0 {
		log.Warn("no fonts in this binary (build it with make build, or make assets before go build): " +
			"glyph ranges answer empty, so Latin text in map labels is not drawn")
	} else {
		log.Info("glyphs for map labels", "fonts", strings.Join(set.Names(), ", "))
	}
	return set
}

// glyphRange serves GET /fonts/{fontstack}/{start}-{end}.pbf, the glyph
// PBFs of the style's text-font: rendered once per range, cached for
// long. Every well-formed range answers, empty where the font has no
// glyphs (Chinese, which MapLibre draws with the browser's fonts).
func (h *handlers) glyphRange(c echo.Context) error {
	stack, err := url.PathUnescape(c.Param("stack"))
	if err != nil {
		return notFound("glyphs: fontstack %q is not a path segment", c.Param("stack"))
	}
	rng, ok := strings.CutSuffix(c.Param("range"), ".pbf")
	if !ok {
		return notFound("glyphs are at /fonts/{fontstack}/{start}-{end}.pbf")
	}
	start, err := glyphs.ParseRange(rng)
	if err != nil {
		return notFound("glyphs: %v", err)
	}
	r, err := h.glyphs.Range(stack, start)
	if err != nil {
		return err
	}
	hdr := c.Response().Header()
	hdr.Set("Cache-Control", glyphMaxAge)
	// Weak: the same bytes go out gzipped or not.
	hdr.Set("ETag", "W/"+r.ETag)
	return c.Blob(http.StatusOK, "application/x-protobuf", r.PBF)
}
