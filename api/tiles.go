package api

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/indmap/indmap/tiles"
	"github.com/labstack/echo/v4"
)

const mvtType = "application/vnd.mapbox-vector-tile"

// Constant header values of tile answers, shared (net/http only reads
// them).
var (
	immutable    = []string{"public, max-age=31536000, immutable"}
	varyEncoding = []string{"Accept-Encoding"}
	gzipEncoding = []string{"gzip"}
	mvtTypes     = []string{mvtType}
)

// tileHeaders are a tile answer's own headers. They are set by their
// canonical keys, constant values shared: this is the hot path of a
// cached tile (make bench-ceiling).
func (h *handlers) tileHeaders(hdr http.Header, tile tiles.Tile, req tiles.Request, v string, gz bool) {
	// A URL naming the tile's current content (?v=TAG, as TileJSON's tile
	// URLs do) may be kept for good; any other for tileMaxAge.
	if v != "" && v == tile.Tag {
		hdr["Cache-Control"] = immutable
	} else {
		hdr["Cache-Control"] = h.tileCacheControl
	}
	hdr["Vary"] = varyEncoding
	hdr["X-Data-Version"] = h.versionHeader.of(tile.Version)
	if tile.Body == nil {
		return
	}
	// A strong ETag per content tag and encoding (the gzipped and the
	// plain bytes differ): a write to a plan's assignments leaves the
	// geometry tiles' ETags as they were.
	if gz && tile.ETag != nil {
		hdr["Etag"] = tile.ETag // "ETag", canonical; made once per cached tile
	} else {
		hdr["Etag"] = []string{tiles.ETag(tile.Tag, req.Plan, req.Tile, tile.Industry, gz)}
	}
	if gz {
		hdr["Content-Encoding"] = gzipEncoding
		hdr["Content-Type"] = mvtTypes
	}
}

// versionHeader keeps the X-Data-Version value of the latest version
// asked for: every tile answer carries it, made once per version.
type versionHeader struct{ p atomic.Pointer[versionValue] }

type versionValue struct {
	version int64
	value   []string
}

func (vh *versionHeader) of(version int64) []string {
	if v := vh.p.Load(); v != nil && v.version == version {
		return v.value
	}
	v := &versionValue{version, []string{strconv.FormatInt(version, 10)}}
	vh.p.Store(v)
	return v.value
}

// tile serves GET /tiles/{plan}/{z}/{x}/{y}.mvt (or .pbf).
func (h *handlers) tile(c echo.Context) error {
	if y := c.Param("y"); !strings.HasSuffix(y, ".mvt") && !strings.HasSuffix(y, ".pbf") {
		return notFound("tiles end in .mvt or .pbf")
	}
	t, err := tiles.ParseTile(c.Param("z"), c.Param("x"), c.Param("y"))
	if err != nil {
		return badParam("z/x/y", "%v", err)
	}
	req := tiles.Request{Plan: c.Param("plan"), Tile: t, Industry: c.QueryParam("industry")}
	tile, err := h.tiles.Tile(c.Request().Context(), req)
	body := tile.Body
	switch {
	case errors.Is(err, tiles.ErrUnknownPlan):
		return notFound("%v", err)
	case errors.Is(err, tiles.ErrUnknownIndustry):
		return badParam("industry", "%v", err)
	case errors.Is(err, tiles.ErrBusy):
		c.Response().Header().Set("Retry-After", "1")
		return problem(http.StatusServiceUnavailable, "/problems/busy", "%v; retry shortly", err)
	case err != nil:
		return err
	}
	hdr := c.Response().Header()
	gz := acceptsGzip(c.Request())
	h.tileHeaders(hdr, tile, req, c.QueryParam("v"), gz)
	if body == nil {
		return c.NoContent(http.StatusNoContent)
	}
	if gz {
		c.Response().WriteHeader(http.StatusOK)
		_, err := c.Response().Write(body)
		return err
	}
	// Tiles are cached gzipped; the rare client without gzip gets them
	// unpacked, never packed twice.
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, mvtType, raw)
}

// acceptsGzip reads Accept-Encoding (RFC 9110 §12.5.3): gzip or its alias
// x-gzip with a non-zero weight, or a non-zero "*" when gzip is not
// named.
func acceptsGzip(r *http.Request) bool {
	named, star := -1.0, -1.0
	// Cut, not Split: asked on every tile, it allocates nothing.
	for rest, more := headerValue(r.Header, "Accept-Encoding"), true; more; {
		var part string
		part, rest, more = strings.Cut(rest, ",")
		name, params, _ := strings.Cut(part, ";")
		name = strings.TrimSpace(name)
		q := 1.0
		for params != "" {
			var f string
			f, params, _ = strings.Cut(params, ";")
			k, v, _ := strings.Cut(strings.TrimSpace(f), "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				if x, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = x
				}
			}
		}
		switch {
		case strings.EqualFold(name, "gzip"), strings.EqualFold(name, "x-gzip"):
			named = max(named, q)
		case name == "*":
			star = max(star, q)
		}
	}
	if named >= 0 {
		return named > 0
	}
	return star > 0
}

// baseURL is the configured public URL, else the request's own origin.
// Then the answer's links depend on the request: its ETag names the
// origin (see conditional) and it varies with X-Forwarded-Proto where a
// trusted proxy may send one.
func (h *handlers) baseURL(c echo.Context) string {
	if h.publicURL != "" {
		return h.publicURL
	}
	base := h.scheme(c) + "://" + c.Request().Host
	c.Set(originKey, base)
	if len(h.trusted) > 0 {
		c.Response().Header().Add(echo.HeaderVary, "X-Forwarded-Proto")
	}
	return base
}

// scheme is the request's scheme: https over TLS, else what a trusted
// proxy says in X-Forwarded-Proto (or X-Forwarded-Ssl); any other
// client's word is not taken (Echo's Scheme takes anyone's).
func (h *handlers) scheme(c echo.Context) string {
	req := c.Request()
	if req.TLS != nil {
		return "https"
	}
	if h.fromTrustedProxy(req.RemoteAddr) {
		if strings.EqualFold(strings.TrimSpace(req.Header.Get(echo.HeaderXForwardedProto)), "https") ||
			strings.EqualFold(strings.TrimSpace(req.Header.Get(echo.HeaderXForwardedSsl)), "on") {
			return "https"
		}
	}
	return "http"
}

// fromTrustedProxy reports whether the connection's peer is one of the
// configured proxies.
func (h *handlers) fromTrustedProxy(remoteAddr string) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip := net.ParseIP(host)
	for _, n := range h.trusted {
		if ip != nil && n.Contains(ip) {
			return true
		}
	}
	return false
}

// tileJSON serves GET /tiles/{plan}.json.
func (h *handlers) tileJSON(c echo.Context) error {
	name := c.Param("name")
	planID, ok := strings.CutSuffix(name, ".json")
	if !ok {
		return notFound("no such path; tiles are at /tiles/{plan}/{z}/{x}/{y}.mvt")
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
	// The tile URLs name the version of what they hold, so clients and
	// caches may keep them for good and still see every change.
	q := url.Values{"v": {ix.Tag(planID, industry)}}
	if industry != "" {
		q.Set("industry", industry)
	}
	tileURL := tiles.TileURL(h.baseURL(c), planID) + "?" + q.Encode()
	tj, err := ix.TileJSON(planID, tileURL, nil)
	if err != nil {
		return notFound("%v", err)
	}
	revalidated(c, ix.Version)
	return c.JSON(http.StatusOK, tj)
}
