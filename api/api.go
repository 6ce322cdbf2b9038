// Package api is indmap's HTTP interface, on Echo: health, plans and
// units as JSON and GeoJSON, read from the live in-memory snapshot.
package api

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/indmap/indmap/store"
	"github.com/indmap/indmap/tiles"
	"github.com/labstack/echo/v4"
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
		tiles: tiles.NewServer(cfg.Data, cacheBytes, cfg.Log)}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = h.error
	e.Use(h.logRequests)

	e.GET("/healthz", h.health)
	v1 := e.Group("/api/v1", h.withSnapshot)
	v1.GET("/plans", h.plans)
	v1.GET("/units/:code", h.unit)
	v1.GET("/plans/:id/validation", h.validation)
	v1.POST("/plans/:id/validate", h.validate)
	e.GET("/tiles/:plan/:z/:x/:y", h.tile)
	e.GET("/tiles/:name", h.tileJSON)
	if cfg.Static != nil {
		e.FileFS("/", "index.html", cfg.Static)
	}
	return e
}

type handlers struct {
	data       Snapshots
	log        *slog.Logger
	tiles      *tiles.Server
	tileMaxAge int
	publicURL  string
}

// apiError is the JSON body of every error: a message, never internals.
type apiError struct {
	Error string `json:"error"`
}

func (h *handlers) error(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	code, msg := http.StatusInternalServerError, "internal error"
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code = he.Code
		msg = fmt.Sprint(he.Message)
	}
	if code >= 500 {
		h.log.ErrorContext(c.Request().Context(), "request failed", "path", c.Request().URL.Path, "err", err)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(code)
		return
	}
	_ = c.JSON(code, apiError{Error: msg})
}

func (h *handlers) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		level := slog.LevelInfo
		if strings.HasPrefix(c.Request().URL.Path, "/tiles/") && c.Response().Status < 400 {
			level = slog.LevelDebug // tiles come by the hundred
		}
		h.log.LogAttrs(c.Request().Context(), level, "request",
			slog.String("method", c.Request().Method),
			slog.String("path", c.Request().URL.Path),
			slog.Int("status", c.Response().Status),
			slog.Duration("took", time.Since(start)))
		return nil
	}
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
		return echo.NewHTTPError(http.StatusServiceUnavailable, "no data loaded")
	}
	status := "ok"
	if err != nil {
		status = "degraded: serving the last good data"
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]any{"status": status, "data_version": snap.Version, "units": len(snap.Units), "plans": len(snap.Plans)})
}
