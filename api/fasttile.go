package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/indmap/indmap/tiles"
	"github.com/labstack/echo/v4"
)

// tileRoute is the tile route, as /metrics and the logs name it.
const tileRoute = "/tiles/:plan/:z/:x/:y"

// cachedTiles answers a cached tile before routing and the middleware
// chain (make bench-ceiling measured what they cost on the commonest
// request): the same headers tile() and the middleware set, the same
// count in /metrics and the same log line. Anything else goes the usual
// way: a tile not in the cache, another query than ?v=, a client without
// gzip, a conditional request, HEAD.
func (h *handlers) cachedTiles(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		// The query is nothing or ?v= alone: v=…&industry=… names
		// another tile than the cache key below.
		v, vOnly := strings.CutPrefix(r.URL.RawQuery, "v=")
		if r.Method != http.MethodGet || !strings.HasPrefix(r.URL.Path, "/tiles/") ||
			(r.URL.RawQuery != "" && (!vOnly || strings.ContainsAny(v, "&;%+"))) ||
			headerValue(r.Header, "If-None-Match") != "" || !acceptsGzip(r) {
			return next(c)
		}
		start := time.Now()
		var parts [4]string
		rest, n, more := r.URL.Path[len("/tiles/"):], 0, true
		for ; n < 4 && more; n++ {
			parts[n], rest, more = strings.Cut(rest, "/")
		}
		if n != 4 || more || (!strings.HasSuffix(parts[3], ".mvt") && !strings.HasSuffix(parts[3], ".pbf")) {
			return next(c)
		}
		t, err := tiles.ParseTile(parts[1], parts[2], parts[3])
		if err != nil {
			return next(c)
		}
		req := tiles.Request{Plan: parts[0], Tile: t}
		tile, ok := h.tiles.Cached(r.Context(), req)
		if !ok {
			return next(c)
		}
		res := c.Response()
		hdr := res.Header()
		hdr[echo.HeaderXRequestID] = []string{requestIDOf(r)}
		hdr["X-Content-Type-Options"] = nosniff
		readableAnywhere(hdr)
		h.tileHeaders(hdr, tile, req, v, true)
		res.WriteHeader(http.StatusOK)
		_, err = res.Write(tile.Body)
		h.record(c, tileRoute, http.MethodGet, http.StatusOK, time.Since(start))
		return err
	}
}
