// Package api is indmap's HTTP interface, on Echo: health, plans and
// units as JSON and GeoJSON, read from the live in-memory snapshot.
package api

import (
	"crypto/rand"
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/indmap/indmap/readmodel"
	"github.com/indmap/indmap/store"
	"github.com/indmap/indmap/tiles"
	"github.com/indmap/indmap/tiles/glyphs"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Config is what the server needs.
type Config struct {
	// Data is the live data: its watcher publishes each new snapshot.
	Data *readmodel.Live
	// Tiles serves the tiles; the caller has the watcher prepare its
	// index before each snapshot is published (indmap serve does). Nil:
	// a tile server with TileCacheBytes, MaxRenders and RenderWait whose
	// index is built on a request when missing (tests).
	Tiles  *tiles.Server
	Log    *slog.Logger
	Static fs.FS // the page's files; nil serves none
	// Fonts are the fonts map labels' glyphs are rendered from (.ttf or
	// .otf); with none, every glyph range is answered empty.
	Fonts fs.FS
	// TileCacheBytes bounds the tile cache when New makes the tile
	// server (0: DefaultTileCacheBytes; negative: no cache).
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
	// Authors names the holders of some tokens (token → name, from
	// --tokens-file lines name:token): their revisions carry the name;
	// others a keyed id of the token.
	Authors map[string]string
	// BasemapURL is an optional raster XYZ template drawn under the units.
	BasemapURL string
	// MaxRenders bounds concurrent tile renders (0: two per CPU); a tile
	// request waits at most RenderWait for a slot, then gets 503.
	MaxRenders int
	RenderWait time.Duration
	// WritesPerMinute limits each token's writes (0: 30).
	WritesPerMinute int
	// MaxBodyBytes bounds a plan file sent to a write (0: 32 MiB).
	MaxBodyBytes int64
	// Limits bound what one client may cost: validations, failed token
	// attempts, records per file (zero fields take their defaults).
	Limits Limits
	// TrustedProxies are the CIDRs of reverse proxies whose
	// X-Forwarded-For names the client; with none, the client is the
	// connection's peer.
	TrustedProxies []*net.IPNet
	// KeepRevisions is how many revisions a plan keeps (0: all).
	KeepRevisions int
	// Closing, closed when the server shuts down, ends the event streams
	// (they would otherwise hold the shutdown for its whole grace).
	Closing <-chan struct{}
	// TokenKey keys the ids that name tokens in logs and revisions (see
	// store.Store.TokenKey); nil: a random key for this process.
	TokenKey []byte
}

// DefaultTileCacheBytes is the default tile cache budget.
const DefaultTileCacheBytes = 256 << 20

// New builds the HTTP handler.
func New(cfg Config) *Handler {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Tiles == nil {
		cfg.Tiles = NewTileServer(cfg)
	}
	limits := cfg.Limits.withDefaults()
	h := &handlers{data: cfg.Data, log: cfg.Log, tileMaxAge: cfg.TileMaxAge, publicURL: cfg.PublicURL,
		tileCacheControl: []string{"public, max-age=" + strconv.Itoa(cfg.TileMaxAge)},
		tiles:            cfg.Tiles,
		writeOrigins:     cfg.WriteOrigins,
		store:            cfg.Store, tokens: cfg.Tokens, authors: cfg.Authors, basemapURL: cfg.BasemapURL, writes: newRateLimit(float64(cfg.WritesPerMinute), 30),
		maxBody: cfg.MaxBodyBytes, limits: limits, validations: newClientLimiter(limits), keepRevisions: cfg.KeepRevisions,
		authFailures: newRateLimit(float64(limits.AuthFailuresPerMinute), 10),
		streams:      &streams{max: limits.StreamsPerClient, total: limits.Streams, per: map[string]int{}},
		workbooks:    make(chan struct{}, limits.WorkbookParses), closing: cfg.Closing, tokenKey: cfg.TokenKey}
	h.metrics = newMetrics(h)
	h.trusted = cfg.TrustedProxies
	h.exports = newExports()
	if h.tokenKey == nil {
		h.tokenKey = make([]byte, 32)
		rand.Read(h.tokenKey)
	}
	if h.maxBody <= 0 {
		h.maxBody = 32 << 20
	}
	h.glyphs = openGlyphs(cfg.Fonts, h.log)
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = h.error
	e.JSONSerializer = jsonSerializer{}
	e.IPExtractor = ipExtractor(cfg.TrustedProxies)
	// Recover turns a handler's panic into a 500 problem (never a dropped
	// connection), logged with its stack.
	e.Use(requestID, h.logRequests, rejectUnknownMethods, middleware.RecoverWithConfig(middleware.RecoverConfig{
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			h.log.ErrorContext(c.Request().Context(), "panic", "path", c.Request().URL.Path, "err", err, "stack", string(stack))
			return err
		},
	}), h.securityHeaders, h.cors, gzipResponses(), conditional)

	// Every GET route answers HEAD too (RFC 9110 §9.3.2); the server
	// sends no body for HEAD. Routes carry their middleware themselves
	// (no Group.Use, which answers 404 instead of 405 for a known path
	// with a wrong method).
	get := func(path string, fn echo.HandlerFunc, mw ...echo.MiddlewareFunc) {
		e.Match([]string{http.MethodGet, http.MethodHead}, path, fn, mw...)
	}
	data := func(method, path string, fn echo.HandlerFunc) {
		if method == http.MethodGet {
			get(path, fn, h.withSnapshot)
			return
		}
		e.Add(method, path, fn, h.withSnapshot)
	}
	get("/healthz", h.health)
	get("/readyz", h.ready)
	get("/metrics", h.serveMetrics)
	data("GET", "/api/v1/plans", h.plans)
	data("GET", "/api/v1/units/:code", h.unit)
	data("GET", "/api/v1/plans/:id/units", h.planUnits)
	data("GET", "/api/v1/plans/:id/sites", h.sites)
	data("GET", "/api/v1/industries", h.industries)
	data("GET", "/api/v1/lookup", h.lookup)
	data("GET", "/api/v1/search", h.searchNames)
	data("GET", "/api/v1/openapi.json", h.v1OpenAPI)
	get("/api/v1/events", h.events)
	data("GET", "/api/v1/plans/:id/assignments", h.assignments)
	data("PUT", "/api/v1/plans/:id/assignments", h.putAssignments)
	data("GET", "/api/v1/plans/:id/revisions", h.revisions)
	data("GET", "/api/v1/plans/:id/revisions/:n/diff", h.revisionDiff)
	data("POST", "/api/v1/plans/:id/revisions/:n/restore", h.restore)
	data("GET", "/api/v1/plans/:id/validation", h.validation)
	data("GET", "/api/v1/plans/:id/theme", h.theme)
	data("POST", "/api/v1/plans/:id/validate", h.validate)
	data("POST", "/api/v1/plans/:id/diff", h.diffFile)
	h.registerOGC(data)
	get(tileRoute, h.tile)
	get("/tiles/:name", h.tileJSON)
	if cfg.Static != nil {
		h.assets = &assets{fs: cfg.Static, etags: map[string]string{}, complete: hasMapLibre(cfg.Static)}
		if !h.assets.complete {
			h.log.Warn("the page's MapLibre files are not in this binary: the page explains how to build it (make build)")
		}
		get("/", h.page(false))
		get("/embed", h.page(true))
		get("/static/*", h.static)
	}
	get("/styles/:name", h.style)
	get("/fonts/:stack/:range", h.glyphRange)
	return &Handler{Echo: e, h: h}
}

// NewTileServer makes the tile server cfg asks for (cache, render
// limits) over cfg.Data.
func NewTileServer(cfg Config) *tiles.Server {
	cacheBytes := cfg.TileCacheBytes
	if cacheBytes == 0 {
		cacheBytes = DefaultTileCacheBytes
	}
	var data tiles.Snapshots
	if cfg.Data != nil {
		data = cfg.Data
	}
	return tiles.NewServerLimits(data, cacheBytes, cfg.MaxRenders, renderWait(cfg.RenderWait), cfg.Log)
}

type handlers struct {
	trusted    []*net.IPNet // proxies whose forwarded headers are believed
	exports    *exports     // plan files built once per revision and representation
	data       *readmodel.Live
	log        *slog.Logger
	tiles      *tiles.Server
	tileMaxAge int
	// tileCacheControl is Cache-Control for a tile URL without ?v=.
	tileCacheControl []string
	versionHeader    versionHeader
	publicURL        string
	metrics          *metrics
	writeOrigins     []string
	store            *store.Store
	tokens           []string
	authors          map[string]string
	basemapURL       string
	assets           *assets
	writes           *rateLimit
	authFailures     *rateLimit
	maxBody          int64
	limits           Limits
	validations      *clientLimiter
	keepRevisions    int
	revisionCounts   revisionCounts
	streams          *streams
	glyphs           *glyphs.Set
	workbooks        chan struct{}
	// closing ends the event streams when the server shuts down.
	closing  <-chan struct{}
	tokenKey []byte
}

func renderWait(d time.Duration) time.Duration {
	if d <= 0 {
		return 2 * time.Second
	}
	return d
}

const snapshotKey = "snapshot"

// withSnapshot pins one data version for the whole request; a successful
// answer is tagged with it (see conditional), so clients revalidate
// cheaply and never keep stale data.
func (h *handlers) withSnapshot(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		snap, err := h.data.Snapshot(c.Request().Context())
		if snap == nil {
			c.Response().Header().Set("Retry-After", "1")
			return problem(http.StatusServiceUnavailable, "/problems/not-ready", "the data is still loading (%v); retry shortly", err)
		}
		c.Set(snapshotKey, snap)
		if m := c.Request().Method; m != http.MethodGet && m != http.MethodHead {
			return next(c)
		}
		revalidated(c, snap.Version)
		return next(c)
	}
}

func snapshotOf(c echo.Context) *readmodel.Snapshot { return c.Get(snapshotKey).(*readmodel.Snapshot) }

// dataState says what the server serves and whether the last load of
// the data failed: {"status": "ok"|"loading"|"error", "error": …,
// "data_version": the version served, when there is one}.
func (h *handlers) dataState(c echo.Context) (map[string]any, bool) {
	snap, _ := h.data.Snapshot(c.Request().Context())
	out := map[string]any{"status": "ok"}
	if snap != nil {
		out["data_version"], out["units"], out["plans"] = snap.Version, len(snap.Units), len(snap.Plans)
	} else {
		out["status"] = "loading"
	}
	err := h.data.Err()
	if err != nil && snap != nil && errors.Is(err, store.ErrUnavailable) {
		// A database outage: every replica still serves what it has, so
		// a load balancer keeps them all; writes answer 503 meanwhile.
		out["status"], out["error"] = "degraded", publicError(err)
		out["serving"] = "the last data loaded; writes are refused until the database is back"
		return out, true
	}
	if err != nil {
		out["status"], out["error"] = "error", err.Error()
		if snap != nil {
			out["serving"] = "the last data loaded, which may be out of date"
		} else {
			out["serving"] = "nothing"
		}
	}
	return out, snap != nil && err == nil
}

// health is liveness: the process answers (200). It says what data it
// serves and the last load's error.
func (h *handlers) health(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	state, _ := h.dataState(c)
	return c.JSON(http.StatusOK, state)
}

// ready answers from state, at once: 200 once the data and its tile
// index are live and the last load succeeded; 503 before, and while the
// data cannot be read (the JSON says why).
func (h *handlers) ready(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	state, ok := h.dataState(c)
	if !ok {
		c.Response().Header().Set("Retry-After", "1")
		return c.JSON(http.StatusServiceUnavailable, state)
	}
	if state["status"] == "ok" {
		state["status"] = "ready"
	}
	return c.JSON(http.StatusOK, state)
}

func (h *handlers) serveMetrics(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	h.metrics.handler.ServeHTTP(c.Response(), c.Request())
	return nil
}
