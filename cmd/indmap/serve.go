package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/indmap/indmap/api"
	"github.com/indmap/indmap/readmodel"
	"github.com/indmap/indmap/static"
	"github.com/indmap/indmap/store"
	"github.com/indmap/indmap/tiles/glyphs"
)

// openServed opens the database a server serves: it must exist; a
// read-only server migrates nothing.
func openServed(ctx context.Context, e *env, db string, o store.Options) (*store.Store, error) {
	if store.IsURL(db) {
		if err := hasData(ctx, db); err != nil {
			return nil, err
		}
	} else if _, err := os.Stat(db); err != nil {
		return nil, fmt.Errorf("%s: %w (create it with indmap init)", db, err)
	}
	return openStoreWith(ctx, e, db, o)
}

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "serve [--db FILE] [--addr :8080]",
		"Serves the database over HTTP: the API under /api/v1, vector tiles at\n"+
			"/tiles/{plan}/{z}/{x}/{y}.mvt with TileJSON at /tiles/{plan}.json, and a page at /.\n"+
			"Data changed by indmap import is picked up without a restart.\n"+
			"SIGINT or SIGTERM stops it after in-flight requests finish.")
	db := dbFlag(e, fs)
	addr := fs.String("addr", ":8080", "address to listen on")
	reload := fs.Duration("reload-interval", time.Second, "how often the data watcher checks for data changed by another process")
	grace := fs.Duration("shutdown-timeout", 15*time.Second, "how long in-flight requests may take at shutdown")
	cacheMB := fs.Int64("tile-cache-mb", api.DefaultTileCacheBytes>>20, "tile cache size in MiB (0 disables it)")
	maxAge := fs.Int("tile-max-age", 60, "Cache-Control max-age of tiles, in seconds")
	publicURL := fs.String("public-url", "", "the server's URL as clients see it, for TileJSON (default: the request's host)")
	tokensFile := fs.String("tokens-file", "", "file of write tokens, one per line, each a token or name:token naming its holder in revisions (else $INDMAP_TOKENS, comma-separated); none: writes disabled")
	writeOrigins := fs.String("cors-write-origins", "", "comma-separated browser origins allowed to write")
	maxRenders := fs.Int("max-renders", 0, "tile renders at once (0: two per CPU); more wait, then get 503 with Retry-After")
	renderWaitFlag := fs.Duration("render-wait", 2*time.Second, "how long a tile request waits for a render slot")
	maxBodyMB := fs.Int64("max-body-mb", 32, "largest plan file accepted by validate and writes, in MiB")
	writeRate := fs.Int("writes-per-minute", 30, "writes allowed per token per minute (429 past it)")
	d := api.DefaultLimits
	validateConc := fs.Int("validate-concurrency", d.ValidateConcurrency, "validations one client may run at once (429 past it)")
	validateSecs := fs.Float64("validate-seconds-per-minute", d.ValidateSecondsPerMinute, "processing seconds one client's validations may take per minute (429 with Retry-After past it)")
	validateMB := fs.Int64("validate-max-mb", d.ValidateMaxBytes>>20, "largest file accepted by validate, in MiB (413 past it)")
	maxRecords := fs.Int("max-records", d.MaxRecords, "most records in a plan file sent to validate or a write (413 past it)")
	authFailures := fs.Int("auth-failures-per-minute", d.AuthFailuresPerMinute, "failed token attempts one client may make per minute (429 past it)")
	trusted := fs.String("trusted-proxies", "", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For names the client (default: none; the client is the peer)")
	keepRevisions := fs.Int("keep-revisions", 100, "revisions kept per plan, older ones deleted at each write (0: keep all)")
	streamsPerClient := fs.Int("event-streams-per-client", d.StreamsPerClient, "event streams (/api/v1/events) one client may hold open (429 past it)")
	streamsAll := fs.Int("event-streams", d.Streams, "event streams the server holds open in all (503 past it)")
	workbooks := fs.Int("workbook-parses", d.WorkbookParses, ".xlsx files read at once, server-wide (others wait, then 503)")
	connsPerClient := fs.Int("max-conns-per-client", 256, "connections one address may hold open; more are closed at once (0: no limit; raise it behind a proxy without --trusted-proxies)")
	connsAll := fs.Int("max-conns", 10000, "connections the server holds open in all; more are closed at once (0: no limit)")
	memoryMB := fs.Int64("memory-limit-mb", 1024, "soft memory limit of the Go runtime, in MiB (GOMEMLIMIT, when set, wins; 0: none)")
	readHeaderTimeout := fs.Duration("read-header-timeout", 10*time.Second, "time to read a request's headers")
	readTimeout := fs.Duration("read-timeout", 60*time.Second, "time to read a whole request, body included")
	writeTimeout := fs.Duration("write-timeout", 60*time.Second, "time to write a response")
	idleTimeout := fs.Duration("idle-timeout", 120*time.Second, "how long an idle keep-alive connection stays open")
	readOnly := fs.Bool("read-only", false, "serve without writing: for a server pointed at a PostgreSQL hot standby (writes answer 503)")
	dbConns := fs.Int("db-max-conns", 8, "PostgreSQL connections this server opens at most")
	dbTimeout := fs.Duration("db-statement-timeout", 30*time.Second, "PostgreSQL statements running longer are cancelled; a request waits for the database at most 5 s longer (503 after)")
	basemap := fs.String("basemap-url", "", "optional raster basemap XYZ template, e.g. https://tile.example/{z}/{x}/{y}.png (off by default: the map needs no external server)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErr("unexpected argument %q", pos[0])
	}
	proxies, err := parseCIDRs(*trusted)
	if err != nil {
		return usageErr("--trusted-proxies: %v", err)
	}
	if os.Getenv("GOMEMLIMIT") == "" && *memoryMB > 0 {
		// Past it the collector works harder and gives memory back: a
		// burst of large requests does not leave the process bloated.
		debug.SetMemoryLimit(*memoryMB << 20)
	}
	st, err := openServed(ctx, e, *db, store.Options{ReadOnly: *readOnly, MaxConns: *dbConns, StatementTimeout: *dbTimeout,
		RequestTimeout: *dbTimeout + 5*time.Second})
	if err != nil {
		return err
	}
	defer st.Close()
	// The watcher loads the data in the background: the server answers at
	// once, /readyz says 503 until the data and its tile index are live.
	live := readmodel.NewLive(st, *reload, e.log)
	if st.ReadOnly() {
		e.log.Warn("database is read-only: serving, but imports and writes will fail", "db", redacted(*db))
	}
	tokens, authors, err := loadTokens(*tokensFile, e.getenv("INDMAP_TOKENS"))
	if err != nil {
		return err
	}
	if len(tokens) == 0 {
		e.log.Warn("writes disabled: no tokens configured (set INDMAP_TOKENS or --tokens-file)")
	} else if !st.ReadOnly() {
		e.log.Info("writes enabled", "tokens", len(tokens))
	}
	key, err := st.TokenKey(ctx)
	if err != nil {
		return fmt.Errorf("token key: %w", err)
	}
	inner, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	ln := newLimitListener(inner, *connsPerClient, *connsAll)
	closing := make(chan struct{})
	// The watcher has the tile index of each new snapshot built before
	// the snapshot goes live, never on a request's path.
	cfg := api.Config{Data: live, Log: e.log, TileCacheBytes: cacheBytes(*cacheMB), MaxRenders: *maxRenders, RenderWait: *renderWaitFlag}
	tileServer := api.NewTileServer(cfg)
	live.Prepare(tileServer.Prepare)
	srv := &http.Server{
		Handler: api.New(api.Config{Data: live, Tiles: tileServer, Log: e.log, Static: static.FS, Fonts: glyphs.Embedded(),
			TileMaxAge: *maxAge, PublicURL: *publicURL,
			Store: st, Tokens: tokens, Authors: authors, WriteOrigins: splitComma(*writeOrigins), BasemapURL: *basemap,
			WritesPerMinute: *writeRate, MaxBodyBytes: *maxBodyMB << 20,
			Limits: api.Limits{ValidateConcurrency: *validateConc, ValidateSecondsPerMinute: *validateSecs,
				ValidateMaxBytes: *validateMB << 20, MaxRecords: *maxRecords, AuthFailuresPerMinute: *authFailures,
				StreamsPerClient: *streamsPerClient, Streams: *streamsAll, WorkbookParses: *workbooks},
			TrustedProxies: proxies, KeepRevisions: *keepRevisions, Closing: closing, TokenKey: key}),
		ReadHeaderTimeout: *readHeaderTimeout,
		ReadTimeout:       *readTimeout,
		WriteTimeout:      *writeTimeout,
		IdleTimeout:       *idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(e.log.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(func() { close(closing) })
	e.log.Info("serving", "addr", ln.Addr().String(), "db", redacted(*db), "read_only", st.ReadOnly())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	wctx, stopWatcher := context.WithCancel(context.Background())
	defer stopWatcher()
	live.Start(wctx)
	// Other servers' writes, as soon as they commit (PostgreSQL; a
	// GeoPackage's are found by the watcher's checks).
	go st.Watch(wctx, live.Poke, e.log)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	e.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), *grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// cacheBytes turns the --tile-cache-mb flag into the API's setting, where
// a negative budget disables the cache.
func cacheBytes(mb int64) int64 {
	if mb <= 0 {
		return -1
	}
	return mb << 20
}

// loadTokens reads write tokens from a file (one per line, # comments) or
// else from a comma-separated list. An entry name:token names the
// token's holder, whose revisions carry the name; a bare token is known
// by its keyed id.
func loadTokens(file, list string) (tokens []string, authors map[string]string, err error) {
	var entries []string
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, nil, fmt.Errorf("tokens: %w", err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
				entries = append(entries, line)
			}
		}
		if len(entries) == 0 {
			return nil, nil, fmt.Errorf("tokens: %s has no tokens", file)
		}
	} else {
		entries = splitComma(list)
	}
	authors = map[string]string{}
	for i, e := range entries {
		name, token, named := strings.Cut(e, ":")
		if !named {
			token, name = e, ""
		}
		name, token = strings.TrimSpace(name), strings.TrimSpace(token)
		switch {
		case named && name == "":
			return nil, nil, fmt.Errorf("tokens: entry %d has an empty name before ':' (name:token)", i+1)
		case utf8.RuneCountInString(name) > 64 || strings.ContainsFunc(name, unicode.IsControl):
			return nil, nil, fmt.Errorf("tokens: entry %d: a name is at most 64 printable characters", i+1)
		}
		tokens = append(tokens, token)
		if name != "" {
			authors[token] = name
		}
	}
	return tokens, authors, checkTokens(tokens)
}

// minTokenLength is the shortest write token accepted: a token is a
// password anyone on the network may guess at.
const minTokenLength = 16

func checkTokens(tokens []string) error {
	for i, t := range tokens {
		if len(t) < minTokenLength {
			return fmt.Errorf("tokens: token %d has %d characters; use at least %d (e.g. openssl rand -hex 16)", i+1, len(t), minTokenLength)
		}
	}
	return nil
}

// parseCIDRs reads comma-separated CIDRs (a bare address is one host).
func parseCIDRs(s string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, p := range splitComma(s) {
		if !strings.Contains(p, "/") {
			if ip := net.ParseIP(p); ip != nil && ip.To4() != nil {
				p += "/32"
			} else {
				p += "/128"
			}
		}
		_, n, err := net.ParseCIDR(p)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

func splitComma(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
