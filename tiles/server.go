package tiles

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	goruntime "runtime"
	"sync"
	"time"

	"github.com/indmap/indmap/store"
)

// Snapshots hands out the current data; *store.Live is one.
type Snapshots interface {
	Snapshot(ctx context.Context) (*store.Snapshot, error)
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

	mu       sync.Mutex
	cur      *Index
	building int64 // version being built, 0 for none
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

// Index returns the index to serve from: the current data version's once
// built, else the previous one while the new one builds.
func (s *Server) Index(ctx context.Context) (*Index, error) {
	snap, err := s.data.Snapshot(ctx)
	if snap == nil {
		return nil, fmt.Errorf("no data: %w", err)
	}
	s.mu.Lock()
	cur := s.cur
	if cur != nil && cur.Version == snap.Version {
		s.mu.Unlock()
		return cur, nil
	}
	if cur == nil {
		// Nothing to serve yet: build now.
		s.mu.Unlock()
		ix := NewIndex(snap)
		s.mu.Lock()
		if s.cur == nil || s.cur.Version < ix.Version {
			s.cur = ix
		}
		cur = s.cur
		s.mu.Unlock()
		return cur, nil
	}
	if s.building != snap.Version {
		s.building = snap.Version
		go s.build(snap)
	}
	s.mu.Unlock()
	return cur, nil
}

func (s *Server) build(snap *store.Snapshot) {
	ix := NewIndex(snap)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil || s.cur.Version < ix.Version {
		s.cur = ix
		s.log.Info("tile index rebuilt", "data_version", ix.Version)
	}
	if s.building == snap.Version {
		s.building = 0
	}
}

// Tile returns a tile's gzipped MVT (nil when empty) and the version it
// was made from, from the cache when it can.
func (s *Server) Tile(ctx context.Context, req Request) ([]byte, int64, error) {
	ix, err := s.Index(ctx)
	if err != nil {
		return nil, 0, err
	}
	industry, err := ix.Industry(req.Plan, req.Industry)
	if err != nil {
		return nil, ix.Version, err
	}
	key := fmt.Sprintf("%s/%d/%d/%d/%d/%s", req.Plan, ix.Version, req.Tile.Z, req.Tile.X, req.Tile.Y, industry)
	if b, ok := s.cache.Get(key); ok {
		return b, ix.Version, nil
	}
	timer := time.NewTimer(s.renderWait)
	select {
	case s.renders <- struct{}{}:
		timer.Stop()
	case <-timer.C:
		return nil, ix.Version, ErrBusy
	case <-ctx.Done():
		timer.Stop()
		return nil, ix.Version, ctx.Err()
	}
	defer func() { <-s.renders }()
	b, err := ix.Encode(req)
	if err != nil {
		return nil, ix.Version, err
	}
	s.cache.Put(key, b)
	return b, ix.Version, nil
}
