package tiles

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	goruntime "runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/indmap/indmap/readmodel"
	"github.com/paulmach/orb/maptile"
)

// Snapshots hands out the current data; *readmodel.Live is one.
type Snapshots interface {
	Snapshot(ctx context.Context) (*readmodel.Snapshot, error)
}

// Server keeps the tile index in step with the data and caches tiles.
// When the data version moves, the new index is built in the background
// while requests go on being served, whole, from the previous one.
type Server struct {
	data  Snapshots
	cache *Cache
	log   *slog.Logger
	// renders bounds concurrent renders (cache misses); a request waits
	// at most renderWait for a slot, then gets ErrBusy.
	renders    chan struct{}
	renderWait time.Duration

	// dropped counts the units left out of tiles or zooms for a broken
	// outline (see buildDropping), since start.
	dropped atomic.Int64

	mu       sync.Mutex
	cur      *Index
	prev     *Index // the index before cur, while cur's snapshot is not yet published
	building int64  // version being built, 0 for none
}

// ErrBusy is returned when every render slot stayed taken for the wait.
var ErrBusy = errors.New("too many tiles being rendered")

// NewServer makes a tile server with a cache of cacheBytes, at most
// maxRenders renders at once (0: two per CPU), each request waiting at
// most renderWait for a slot.
func NewServer(data Snapshots, cacheBytes int64, log *slog.Logger) *Server {
	return NewServerLimits(data, cacheBytes, 0, 2*time.Second, log)
}

// NewServerLimits is NewServer with the render limits set.
func NewServerLimits(data Snapshots, cacheBytes int64, maxRenders int, renderWait time.Duration, log *slog.Logger) *Server {
	if log == nil {
		log = slog.Default()
	}
	if maxRenders <= 0 {
		maxRenders = 2 * goruntime.GOMAXPROCS(0)
	}
	return &Server{data: data, cache: NewCache(cacheBytes), log: log, renders: make(chan struct{}, maxRenders), renderWait: renderWait}
}

// Cache is the server's tile cache.
func (s *Server) Cache() *Cache { return s.cache }

// Prepare builds the index of a snapshot before it is published (a
// readmodel.Preparer), so that the snapshot and its index go live together.
// Every zoom's geometry is built then too, so that no tile request after
// a data change waits for one.
func (s *Server) Prepare(ctx context.Context, snap *readmodel.Snapshot) error {
	start := time.Now()
	if _, err := s.install(ctx, snap, true); err != nil {
		return err
	}
	s.log.Info("tile index prepared", "data_version", snap.Version, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// install builds the index of snap from the current one (with every
// zoom's geometry when prepare) and makes it current unless a newer one
// got there first; it reports whether it did.
func (s *Server) install(ctx context.Context, snap *readmodel.Snapshot, prepare bool) (bool, error) {
	s.mu.Lock()
	prev := s.cur
	s.mu.Unlock()
	ix := NewIndexFrom(snap, prev)
	ix.onDrop = s.noteDrop
	if prepare {
		if err := ix.prepare(ctx); err != nil {
			return false, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil || s.cur.Version < ix.Version {
		s.prev, s.cur = s.cur, ix
		return true, nil
	}
	return false, nil
}

// noteDrop says which units a tile or a zoom left out, and counts them.
func (s *Server) noteDrop(where string, codes []string) {
	s.dropped.Add(int64(len(codes)))
	s.log.Warn("units left out for a broken outline", "where", where, "units", codes)
}

// DroppedUnits counts the units left out of tiles or zooms since start
// (a metric: each is also logged).
func (s *Server) DroppedUnits() int64 { return s.dropped.Load() }

// Index returns the index of the current snapshot. Where nothing
// prepared it (a data source without a watcher), it is built here: at
// once when there is nothing to serve, else in the background while the
// previous index serves.
func (s *Server) Index(ctx context.Context) (*Index, error) {
	snap, err := s.data.Snapshot(ctx)
	if snap == nil {
		if err == nil {
			err = errors.New("no snapshot")
		}
		return nil, fmt.Errorf("no data: %w", err)
	}
	s.mu.Lock()
	cur, prev := s.cur, s.prev
	switch {
	case cur != nil && cur.Version == snap.Version:
		s.mu.Unlock()
		return cur, nil
	case cur != nil && cur.Version > snap.Version && prev != nil && prev.Version == snap.Version:
		// The next index is prepared but its snapshot is not published
		// yet: keep serving the one that matches.
		s.mu.Unlock()
		return prev, nil
	case cur == nil:
		s.mu.Unlock()
		s.install(ctx, snap, false)
		s.mu.Lock()
		cur = s.cur
		s.mu.Unlock()
		return cur, nil
	}
	if s.building != snap.Version && cur.Version < snap.Version {
		s.building = snap.Version
		go s.build(snap)
	}
	s.mu.Unlock()
	return cur, nil
}

// build makes an index in the background; a panic is logged and the
// previous index goes on serving.
func (s *Server) build(snap *readmodel.Snapshot) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("tile index build panicked; serving the previous index", "data_version", snap.Version, "panic", r, "stack", string(debug.Stack()))
		}
		s.mu.Lock()
		if s.building == snap.Version {
			s.building = 0
		}
		s.mu.Unlock()
	}()
	if ok, _ := s.install(context.Background(), snap, false); ok {
		s.log.Info("tile index rebuilt", "data_version", snap.Version)
	}
}

// A Tile is a rendered tile with what names its content.
type Tile struct {
	Body []byte // gzipped MVT, nil when the tile is empty
	// Tag names what the tile holds (Index.Tag): the same tag, the same
	// bytes, whatever the data version.
	Tag     string
	Version int64 // the data version it was served at
	// Industry is the catalogue code of a thematic tile ("" for none),
	// however the request named it.
	Industry string
	// ETag is the ETag header of the gzipped Body, as ETag makes it,
	// for a tile from the cache (nil otherwise); shared, read only.
	ETag []string
}

// Cached returns a tile only when its answer is known without rendering,
// rendering nothing: the server's fast path. The tile is one in the
// cache, or an empty one (nil Body): cached empty, or outside the plan.
func (s *Server) Cached(ctx context.Context, req Request) (Tile, bool) {
	t, _, done, err := s.lookup(ctx, req, false)
	return t, done && err == nil
}

// lookup resolves a request against the current index: done when the
// answer is known without rendering (outside the plan, or cached).
func (s *Server) lookup(ctx context.Context, req Request, countMiss bool) (t Tile, ix *Index, done bool, err error) {
	if ix, err = s.Index(ctx); err != nil {
		return Tile{}, nil, true, err
	}
	industry, err := ix.Industry(req.Plan, req.Industry)
	if err != nil {
		return Tile{Version: ix.Version}, ix, true, err
	}
	t = Tile{Tag: ix.Tag(req.Plan, industry), Version: ix.Version, Industry: industry}
	// The cache first: a hit is the hot path (make bench-ceiling), and
	// the key is built on the stack.
	var buf [128]byte
	if b, meta, ok := s.cache.get(appendCacheKey(buf[:0], req, t.Tag, industry), false); ok {
		t.Body = b
		t.ETag, _ = meta.([]string)
		return t, ix, true, nil
	}
	if ix.Outside(req.Plan, req.Tile) {
		// Empty for sure: neither rendered nor cached, so that requests
		// all over the world cannot crowd the cache.
		return t, ix, true, nil
	}
	if countMiss {
		s.cache.miss()
	}
	return t, ix, false, nil
}

// Tile returns a tile, from the cache when it can. The cache is keyed by
// the tile's tag, not the data version: a write to a plan's assignments
// keeps every geometry tile cached.
func (s *Server) Tile(ctx context.Context, req Request) (Tile, error) {
	t, ix, done, err := s.lookup(ctx, req, true)
	if done || err != nil {
		return t, err
	}
	key := string(appendCacheKey(nil, req, t.Tag, t.Industry))
	timer := time.NewTimer(s.renderWait)
	select {
	case s.renders <- struct{}{}:
		timer.Stop()
	case <-timer.C:
		return t, ErrBusy
	case <-ctx.Done():
		timer.Stop()
		return t, ctx.Err()
	}
	defer func() { <-s.renders }()
	if t.Body, err = ix.Encode(req); err != nil {
		return t, err
	}
	s.cache.put(key, t.Body, []string{ETag(t.Tag, req.Plan, req.Tile, t.Industry, true)})
	return t, nil
}

// ETag is a tile's strong ETag: its content tag and a hash of what
// it is (plan, z/x/y, industry), and the encoding.
func ETag(tag, planID string, t maptile.Tile, industry string, gz bool) string {
	var b [96]byte
	k := append(b[:0], planID...)
	for _, n := range [3]uint32{uint32(t.Z), t.X, t.Y} {
		k = append(k, '/')
		k = strconv.AppendUint(k, uint64(n), 10)
	}
	k = append(k, '/')
	k = append(k, industry...)
	// FNV-1a (hash/fnv's New64a) inline: the hash escapes no value.
	h := uint64(14695981039346656037)
	for _, c := range k {
		h = (h ^ uint64(c)) * 1099511628211
	}
	var eb [128]byte
	e := append(eb[:0], '"')
	e = append(e, tag...)
	e = append(e, '-')
	e = strconv.AppendUint(e, h, 16)
	if gz {
		e = append(e, "-gzip"...)
	}
	return string(append(e, '"'))
}

// appendCacheKey appends the name of a tile's content to b: plan,
// content tag, z/x/y, industry. Built without fmt: it is made for every
// tile asked for.
func appendCacheKey(b []byte, req Request, tag, industry string) []byte {
	b = append(append(append(b, req.Plan...), '/'), tag...)
	for _, n := range [3]uint32{uint32(req.Tile.Z), req.Tile.X, req.Tile.Y} {
		b = strconv.AppendUint(append(b, '/'), uint64(n), 10)
	}
	return append(append(b, '/'), industry...)
}
