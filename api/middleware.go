package api

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

func jsonEncode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

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
		if route == "" {
			route = "unmatched"
		}
		h.metrics.observe(route, c.Request().Method, c.Response().Status, took)
		level := slog.LevelInfo
		if strings.HasPrefix(route, "/tiles/") && c.Response().Status < 400 {
			level = slog.LevelDebug // tiles come by the hundred
		}
		h.log.LogAttrs(c.Request().Context(), level, "request",
			slog.String("id", c.Response().Header().Get(echo.HeaderXRequestID)),
			slog.String("method", c.Request().Method),
			slog.String("path", c.Request().URL.Path),
			slog.Int("status", c.Response().Status),
			slog.Duration("took", took))
		return nil
	}
}

// requestID gives every request an id (kept from X-Request-Id when the
// client sent a sane one), echoed in the response and in problems.
func requestID() echo.MiddlewareFunc {
	return middleware.RequestIDWithConfig(middleware.RequestIDConfig{
		Generator: func() string { return fmt.Sprintf("%016x", randUint64()) },
	})
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
		allowed := !write || (origin != "" && slices.Contains(h.writeOrigins, origin))
		switch {
		case !write:
			// The same answer for every origin keeps shared caches simple.
			hdr.Set("Access-Control-Allow-Origin", "*")
			hdr.Set("Access-Control-Expose-Headers", "ETag, X-Data-Version, X-Request-Id")
		case allowed:
			hdr.Set("Access-Control-Allow-Origin", origin)
			hdr.Add("Vary", "Origin")
			hdr.Set("Access-Control-Expose-Headers", "ETag, X-Data-Version, X-Request-Id")
		}
		if req.Method == http.MethodOptions && req.Header.Get("Access-Control-Request-Method") != "" {
			if !allowed {
				return problem(http.StatusForbidden, typeForbidden, "writes are not allowed from origin %q", origin)
			}
			hdr.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS, POST, PUT")
			hdr.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, If-None-Match, X-Request-Id")
			hdr.Set("Access-Control-Max-Age", "600")
			return c.NoContent(http.StatusNoContent)
		}
		if write && origin != "" && !allowed {
			return problem(http.StatusForbidden, typeForbidden, "writes are not allowed from origin %q", origin)
		}
		return next(c)
	}
}

// isWrite tells writes (which need a token) from reads; validating a
// file is a read.
func isWrite(method, path string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, "":
		return false
	case http.MethodPost:
		return !strings.HasSuffix(path, "/validate")
	}
	return true
}

// gzipJSON compresses responses except tiles, which are stored gzipped.
func gzipJSON() echo.MiddlewareFunc {
	return middleware.GzipWithConfig(middleware.GzipConfig{
		Skipper: func(c echo.Context) bool {
			return strings.HasPrefix(c.Request().URL.Path, "/tiles/") && strings.Count(c.Request().URL.Path, "/") > 2
		},
		MinLength: 1024,
	})
}

// metrics counts requests and their latency by route, for /metrics.
type metrics struct {
	mu       sync.Mutex
	requests map[[3]string]uint64 // route, method, code
	hist     map[string]*histogram
}

var latencyBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

type histogram struct {
	counts []uint64
	sum    float64
	n      uint64
}

func newMetrics() *metrics {
	return &metrics{requests: map[[3]string]uint64{}, hist: map[string]*histogram{}}
}

func (m *metrics) observe(route, method string, status int, took time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[[3]string{route, method, fmt.Sprint(status)}]++
	h := m.hist[route]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(latencyBuckets))}
		m.hist[route] = h
	}
	s := took.Seconds()
	for i, b := range latencyBuckets {
		if s <= b {
			h.counts[i]++
		}
	}
	h.sum += s
	h.n++
}

// write renders the counters in Prometheus' text format.
func (m *metrics) write(w io.Writer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fmt.Fprintln(w, "# HELP indmap_http_requests_total HTTP requests by route, method and status.")
	fmt.Fprintln(w, "# TYPE indmap_http_requests_total counter")
	keys := make([][3]string, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return strings.Join(keys[i][:], " ") < strings.Join(keys[j][:], " ") })
	for _, k := range keys {
		fmt.Fprintf(w, "indmap_http_requests_total{route=%q,method=%q,code=%q} %d\n", k[0], k[1], k[2], m.requests[k])
	}
	fmt.Fprintln(w, "# HELP indmap_http_request_duration_seconds HTTP request latency by route.")
	fmt.Fprintln(w, "# TYPE indmap_http_request_duration_seconds histogram")
	routes := make([]string, 0, len(m.hist))
	for r := range m.hist {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	for _, r := range routes {
		h := m.hist[r]
		for i, b := range latencyBuckets {
			fmt.Fprintf(w, "indmap_http_request_duration_seconds_bucket{route=%q,le=\"%g\"} %d\n", r, b, h.counts[i])
		}
		fmt.Fprintf(w, "indmap_http_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d\n", r, h.n)
		fmt.Fprintf(w, "indmap_http_request_duration_seconds_sum{route=%q} %g\n", r, h.sum)
		fmt.Fprintf(w, "indmap_http_request_duration_seconds_count{route=%q} %d\n", r, h.n)
	}
}
