// Package api is indmap's HTTP interface, on Echo: health, plans and
// units as JSON and GeoJSON, read from the live in-memory snapshot.
package api

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/indmap/indmap/store"
	"github.com/indmap/indmap/tiles"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Snapshots hands out the current data; *store.Live is one.
type Snapshots interface {
	Snapshot(ctx context.Context) (*store.Snapshot, error)
}

// Config is what the server needs.
type Config struct {
	Data   Snapshots
	Log    *slog.Logger
	Static fs.FS // the page's files; nil serves none
	// TileCacheBytes bounds the tile cache (0: DefaultTileCacheBytes;
	// negative: no cache).
	TileCacheBytes int64
	// TileMaxAge is the Cache-Control max-age of tiles, in seconds.
	TileMaxAge int
	// PublicURL is the server's address as clients see it (for TileJSON
	// tile URLs); empty means the request's own.
	PublicURL string
	// WriteOrigins are the browser origins allowed to write (CORS).
	WriteOrigins []string
	// Store takes planners' writes; with no Store or no Tokens, writes
	// answer 403.
	Store  *store.Store
	Tokens []string
	// BasemapURL is an optional raster XYZ template drawn under the units.
	BasemapURL string
	// MaxRenders bounds concurrent tile renders (0: two per CPU); a tile
	// request waits at most RenderWait for a slot, then gets 503.
	MaxRenders int
	RenderWait time.Duration
	// WritesPerMinute limits each token's writes (0: 30).
	WritesPerMinute int
	// MaxBodyBytes bounds a plan file sent to validate or write (0: 32 MiB).
	MaxBodyBytes int64
}

// DefaultTileCacheBytes is the default tile cache budget.
const DefaultTileCacheBytes = 256 << 20

// New builds the HTTP handler.
func New(cfg Config) *echo.Echo {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	cacheBytes := cfg.TileCacheBytes
	if cacheBytes == 0 {
		cacheBytes = DefaultTileCacheBytes
	}
	h := &handlers{data: cfg.Data, log: cfg.Log, tileMaxAge: cfg.TileMaxAge, publicURL: cfg.PublicURL,
		tiles: tiles.NewServerLimits(cfg.Data, cacheBytes, cfg.MaxRenders, renderWait(cfg.RenderWait), cfg.Log), metrics: newMetrics(), writeOrigins: cfg.WriteOrigins,
		store: cfg.Store, tokens: cfg.Tokens, basemapURL: cfg.BasemapURL, writes: newRateLimit(cfg.WritesPerMinute), maxBody: cfg.MaxBodyBytes}
	if h.maxBody <= 0 {
		h.maxBody = 32 << 20
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = h.error
	// Recover turns a handler's panic into a 500 problem (never a dropped
	// connection), logged with its stack.
	e.Use(requestID(), h.logRequests, middleware.RecoverWithConfig(middleware.RecoverConfig{
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			h.log.ErrorContext(c.Request().Context(), "panic", "path", c.Request().URL.Path, "err", err, "stack", string(stack))
			return err
		},
	}), h.cors, gzipJSON())

	e.GET("/healthz", h.health)
	e.GET("/readyz", h.ready)
	e.GET("/metrics", h.serveMetrics)
	v1 := e.Group("/api/v1", h.withSnapshot)
	v1.GET("/plans", h.plans)
	v1.GET("/units/:code", h.unit)
	v1.GET("/plans/:id/units", h.planUnits)
	v1.GET("/plans/:id/sites", h.sites)
	v1.GET("/industries", h.industries)
	v1.GET("/lookup", h.lookup)
	v1.GET("/openapi.json", h.v1OpenAPI)
	v1.PUT("/plans/:id/assignments", h.putAssignments)
	v1.GET("/plans/:id/revisions", h.revisions)
	v1.POST("/plans/:id/revisions/:n/restore", h.restore)
	v1.GET("/plans/:id/validation", h.validation)
	v1.POST("/plans/:id/validate", h.validate)
	h.registerOGC(e)
	e.GET("/tiles/:plan/:z/:x/:y", h.tile)
	e.GET("/tiles/:name", h.tileJSON)
	if cfg.Static != nil {
		h.assets = &assets{fs: cfg.Static, etags: map[string]string{}}
		e.GET("/", h.page(false))
		e.GET("/embed", h.page(true))
		e.GET("/static/*", h.static)
	}
	e.GET("/styles/:name", h.style)
	e.GET("/fonts/:stack/:range", h.glyphs)
	return e
}

type handlers struct {
	data         Snapshots
	log          *slog.Logger
	tiles        *tiles.Server
	tileMaxAge   int
	publicURL    string
	metrics      *metrics
	writeOrigins []string
	store        *store.Store
	tokens       []string
	basemapURL   string
	assets       *assets
	writes       *rateLimit
	maxBody      int64
}

func renderWait(d time.Duration) time.Duration {
	if d <= 0 {
		return 2 * time.Second
	}
	return d
}

const snapshotKey = "snapshot"

// withSnapshot pins one data version for the whole request and answers
// conditional requests: responses are keyed on the data version, so a
// client revalidates cheaply and never keeps stale data.
func (h *handlers) withSnapshot(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		snap, err := h.data.Snapshot(c.Request().Context())
		if snap == nil {
			return fmt.Errorf("no data: %w", err)
		}
		if err != nil {
			h.log.WarnContext(c.Request().Context(), "reload failed; serving the previous data", "version", snap.Version, "err", err)
		}
		c.Set(snapshotKey, snap)
		if m := c.Request().Method; m != http.MethodGet && m != http.MethodHead {
			return next(c)
		}
		etag := `"v` + strconv.FormatInt(snap.Version, 10) + `"`
		hdr := c.Response().Header()
		hdr.Set("ETag", etag)
		hdr.Set("Cache-Control", "no-cache")
		hdr.Set("X-Data-Version", strconv.FormatInt(snap.Version, 10))
		if match := c.Request().Header.Get("If-None-Match"); match != "" && match == etag {
			return c.NoContent(http.StatusNotModified)
		}
		return next(c)
	}
}

func snapshotOf(c echo.Context) *store.Snapshot { return c.Get(snapshotKey).(*store.Snapshot) }

func (h *handlers) health(c echo.Context) error {
	snap, err := h.data.Snapshot(c.Request().Context())
	if snap == nil {
		return problem(http.StatusServiceUnavailable, "about:blank", "no data loaded")
	}
	status := "ok"
	if err != nil {
		status = "degraded: serving the last good data"
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]any{"status": status, "data_version": snap.Version, "units": len(snap.Units), "plans": len(snap.Plans)})
}

// ready answers 200 once data and the tile index are loaded.
func (h *handlers) ready(c echo.Context) error {
	ix, err := h.tiles.Index(c.Request().Context())
	if err != nil {
		return problem(http.StatusServiceUnavailable, "about:blank", "not ready: %v", err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]any{"status": "ready", "data_version": ix.Version})
}

func (h *handlers) serveMetrics(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderContentType, "text/plain; version=0.0.4; charset=utf-8")
	c.Response().Header().Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
	w := c.Response()
	h.metrics.write(w)
	bytes, entries, hits, misses := h.tiles.Cache().Stats()
	fmt.Fprintln(w, "# TYPE indmap_tile_cache_hits_total counter")
	fmt.Fprintf(w, "indmap_tile_cache_hits_total %d\n", hits)
	fmt.Fprintln(w, "# TYPE indmap_tile_cache_misses_total counter")
	fmt.Fprintf(w, "indmap_tile_cache_misses_total %d\n", misses)
	fmt.Fprintln(w, "# TYPE indmap_tile_cache_bytes gauge")
	fmt.Fprintf(w, "indmap_tile_cache_bytes %d\n", bytes)
	fmt.Fprintln(w, "# TYPE indmap_tile_cache_entries gauge")
	fmt.Fprintf(w, "indmap_tile_cache_entries %d\n", entries)
	if snap, _ := h.data.Snapshot(c.Request().Context()); snap != nil {
		fmt.Fprintln(w, "# TYPE indmap_data_version gauge")
		fmt.Fprintf(w, "indmap_data_version %d\n", snap.Version)
	}
	return nil
}
