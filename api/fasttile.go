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

// Handler is the HTTP handler New builds: Echo's, with cached tiles
// answered before it.
type Handler struct {
	*echo.Echo
	h *handlers
}

// ServeHTTP answers a cached tile before Echo (make bench-ceiling
// measured what routing, Echo's context and the middleware chain cost on
// the commonest request), anything else through Echo.
func (s *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.h.cachedTile(w, r) {
		s.Echo.ServeHTTP(w, r)
	}
}

// cachedTile answers a cached tile, or an empty one (204: half of a
// map's tiles, the sea or land outside the plan), with the same headers
// tile() and the middleware set, the same count in /metrics and the
// same log line, and reports whether it did. Anything else goes the usual way: a tile not
// in the cache, another query than ?v=, a client without gzip, a
// conditional request, HEAD.
func (h *handlers) cachedTile(w http.ResponseWriter, r *http.Request) bool {
	// The query is nothing or ?v= alone: v=…&industry=… names
	// another tile than the cache key below.
	v, vOnly := strings.CutPrefix(r.URL.RawQuery, "v=")
	// A path with escapes (RawPath set: "206%2F105.mvt") is Echo's to
	// route: it matches the raw path, where the escape is no separator.
	if r.Method != http.MethodGet || r.URL.RawPath != "" || !strings.HasPrefix(r.URL.Path, "/tiles/") ||
		(r.URL.RawQuery != "" && (!vOnly || strings.ContainsAny(v, "&;%+"))) ||
		headerValue(r.Header, "If-None-Match") != "" || !acceptsGzip(r) {
		return false
	}
	start := time.Now()
	var parts [4]string
	rest, n, more := r.URL.Path[len("/tiles/"):], 0, true
	for ; n < 4 && more; n++ {
		parts[n], rest, more = strings.Cut(rest, "/")
	}
	if n != 4 || more || (!strings.HasSuffix(parts[3], ".mvt") && !strings.HasSuffix(parts[3], ".pbf")) {
		return false
	}
	t, err := tiles.ParseTile(parts[1], parts[2], parts[3])
	if err != nil {
		return false
	}
	req := tiles.Request{Plan: parts[0], Tile: t}
	tile, ok := h.tiles.Cached(r.Context(), req)
	if !ok {
		return false
	}
	hdr := w.Header()
	hdr[echo.HeaderXRequestID] = []string{requestIDOf(r)}
	hdr["X-Content-Type-Options"] = nosniff
	readableAnywhere(hdr)
	h.tileHeaders(hdr, tile, req, v, true)
	status := http.StatusNoContent
	if tile.Body != nil {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	if tile.Body != nil {
		w.Write(tile.Body) // a client gone is its own loss: nothing to answer
	}
	h.recordRequest(r, hdr, tileRoute, http.MethodGet, status, time.Since(start))
	return true
}
