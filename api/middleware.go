package api

import (
	"encoding/json"
	"io"
	"log/slog"
	mathrand "math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

func jsonEncode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// jsonSerializer writes JSON answers as jsonEncode does: < > & as they
// are (answers are application/json with nosniff, never HTML), so that
// expressions such as [">", …] reach every client readable.
type jsonSerializer struct{ echo.DefaultJSONSerializer }

func (jsonSerializer) Serialize(c echo.Context, v any, indent string) error {
	enc := json.NewEncoder(c.Response())
	enc.SetEscapeHTML(false)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	return enc.Encode(v)
}

// knownMethods are the methods indmap answers (with 405 where a route
// lacks one); any other is 501, so that invented methods never reach
// the router, the metrics or the logs as themselves.
var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodDelete: true, http.MethodPatch: true, http.MethodOptions: true,
}

// rejectUnknownMethods answers a method indmap does not know with 501,
// before any handler (the router's 404 and 405 included) sees it.
func rejectUnknownMethods(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !knownMethods[c.Request().Method] {
			return problem(http.StatusNotImplemented, "/problems/not-implemented", "method not implemented")
		}
		return next(c)
	}
}

// requestMethod is the request's method, or "other" for one indmap does
// not know.
func requestMethod(c echo.Context) string {
	if knownMethods[c.Request().Method] {
		return c.Request().Method
	}
	return "other"
}

// clientClosed is the status logged and counted for a request whose
// client went away before the answer (nginx's 499); it is never sent.
const clientClosed = 499

// logRequests logs each request with its id, and counts it for /metrics.
func (h *handlers) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		took := time.Since(start)
		route := c.Path()
		status := c.Response().Status
		if route == "" || status == http.StatusNotImplemented {
			route = "unmatched"
		}
		h.record(c, route, requestMethod(c), status, took)
		return nil
	}
}

// record counts an answered request for /metrics and logs it.
func (h *handlers) record(c echo.Context, route, method string, status int, took time.Duration) {
	h.recordRequest(c.Request(), c.Response().Header(), route, method, status, took)
}

// recordRequest is record for a request answered outside Echo (a cached
// tile): hdr is the answer's headers.
func (h *handlers) recordRequest(r *http.Request, hdr http.Header, route, method string, status int, took time.Duration) {
	h.metrics.observe(route, method, status, took)
	level := slog.LevelInfo
	if strings.HasPrefix(route, "/tiles/") && status < 400 {
		level = slog.LevelDebug // tiles come by the hundred
	}
	ctx := r.Context()
	if !h.log.Enabled(ctx, level) {
		return
	}
	path := r.URL.Path
	if len(path) > 256 {
		path = path[:256] + "…"
	}
	h.log.LogAttrs(ctx, level, "request",
		slog.String("id", headerValue(hdr, echo.HeaderXRequestID)),
		slog.String("method", method),
		slog.String("path", path),
		slog.Int("status", status),
		slog.Duration("took", took))
}

// requestID gives every request an id, echoed in the response, its
// problems and its log line. A client's X-Request-Id is kept only when
// it is short and plain (letters, digits, ._:-; at most 64), else
// replaced, so it can carry nothing into headers, bodies or logs.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header()[echo.HeaderXRequestID] = []string{requestIDOf(c.Request())}
		return next(c)
	}
}

// requestIDOf is the client's X-Request-Id when valid, else a new one.
func requestIDOf(r *http.Request) string {
	id := headerValue(r.Header, echo.HeaderXRequestID)
	if !validRequestID(id) {
		var b [16]byte
		// An id names a request, it guards nothing: math/rand's
		// generator, not a system call per request.
		id = string(strconv.AppendUint(b[:0], mathrand.Uint64()|1<<63, 16)) // 16 hex digits
	}
	return id
}

// headerValue is Header.Get for a key written canonically, as every
// key here is: Get canonicalises the key on every call, a tenth of a
// cached tile's answer.
func headerValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch b := id[i]; {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9', b == '.', b == '_', b == ':', b == '-':
		default:
			return false
		}
	}
	return true
}

// securityHeaders: no response is sniffed, and every HTML answer carries
// the page's Content-Security-Policy and frame rules unless its handler
// set its own (/embed may be framed anywhere).
func (h *handlers) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		res := c.Response()
		res.Header()["X-Content-Type-Options"] = nosniff
		if strings.HasPrefix(c.Path(), "/tiles/:") {
			return next(c) // a tile is never HTML
		}
		res.Before(func() {
			hdr := res.Header()
			if !strings.HasPrefix(hdr.Get(echo.HeaderContentType), "text/html") || hdr.Get("Content-Security-Policy") != "" {
				return
			}
			hdr.Set("Content-Security-Policy", h.csp("'self'"))
			hdr.Set("X-Frame-Options", "SAMEORIGIN")
			hdr.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		})
		return next(c)
	}
}

// cors lets any origin read (GET, HEAD, and the validation POST, which
// stores nothing); writes only from the configured origins.
func (h *handlers) cors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		origin := c.Request().Header.Get("Origin")
		hdr := c.Response().Header()
		req := c.Request()
		write := isWrite(req.Method, req.URL.Path)
		if req.Method == http.MethodOptions {
			method := req.Header.Get("Access-Control-Request-Method")
			write = isWrite(method, req.URL.Path)
		}
		allowed := !write || (origin != "" && (slices.Contains(h.writeOrigins, origin) || sameOrigin(origin, req.Host)))
		switch {
		case !write:
			readableAnywhere(hdr)
		case allowed:
			hdr.Set("Access-Control-Allow-Origin", origin)
			hdr.Add("Vary", "Origin")
			hdr.Set("Access-Control-Expose-Headers", exposedHeaders)
		}
		if req.Method == http.MethodOptions && req.Header.Get("Access-Control-Request-Method") != "" {
			if !allowed {
				return problem(http.StatusForbidden, typeForbidden, "writes are not allowed from origin %q", origin)
			}
			hdr.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS, POST, PUT")
			hdr.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Content-Disposition, If-Match, If-None-Match, Accept-Language, X-Request-Id")
			hdr.Set("Access-Control-Max-Age", "600")
			return c.NoContent(http.StatusNoContent)
		}
		if write && origin != "" && !allowed {
			return problem(http.StatusForbidden, typeForbidden, "writes are not allowed from origin %q", origin)
		}
		return next(c)
	}
}

// sameOrigin reports whether a browser's Origin is the server itself (the
// host the request was sent to): indmap's own page saves with the
// planner's token and needs no --cors-write-origins entry. A page on
// another site cannot send an Origin naming the Host it writes to.
func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, host)
}

// exposedHeaders are the answer headers a page on another origin may
// read.
const exposedHeaders = "ETag, X-Data-Version, X-Request-Id, Content-Language, Content-Disposition"

// readableAnywhere lets any origin read an answer: the same answer for
// every origin keeps shared caches simple.
func readableAnywhere(hdr http.Header) {
	hdr["Access-Control-Allow-Origin"] = anyOrigin
	hdr["Access-Control-Expose-Headers"] = exposed
}

// Constant header values every answer carries, shared (net/http only
// reads them; an Add appends to a copy, the slices being full).
var (
	nosniff   = []string{"nosniff"}
	anyOrigin = []string{"*"}
	exposed   = []string{exposedHeaders}
)

// isWrite tells writes (which need a token) from reads; validating a
// file, or diffing it against the stored plan, is a read.
func isWrite(method, path string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, "":
		return false
	case http.MethodPost:
		return !strings.HasSuffix(path, "/validate") && !strings.HasSuffix(path, "/diff")
	}
	return true
}

// gzipResponses compresses answers for clients that accept gzip (by
// acceptsGzip's reading of Accept-Encoding, q-values and x-gzip
// included), except tiles, which are stored gzipped.
func gzipResponses() echo.MiddlewareFunc {
	return middleware.GzipWithConfig(middleware.GzipConfig{
		Skipper: func(c echo.Context) bool {
			if !acceptsGzip(c.Request()) {
				c.Response().Header().Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
				return true
			}
			path := c.Request().URL.Path
			// Tiles are stored gzipped; an event stream must not wait in
			// a compressor's buffer; a plan's exports carry a strong ETag
			// (the revision, for If-Match), which names one encoding.
			return strings.HasPrefix(path, "/tiles/") && strings.Count(path, "/") > 2 || path == "/api/v1/events" ||
				strings.HasPrefix(path, "/api/v1/plans/") && strings.HasSuffix(path, "/assignments")
		},
		MinLength: 1024,
	})
}
