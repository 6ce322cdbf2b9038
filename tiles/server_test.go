package tiles_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/readmodel"
	"github.com/indmap/indmap/tiles"
	"github.com/paulmach/orb/maptile"
)

type fakeData struct {
	cur atomic.Pointer[readmodel.Snapshot]
}

func (f *fakeData) Snapshot(context.Context) (*readmodel.Snapshot, error) { return f.cur.Load(), nil }

func TestServerServesPreviousVersionDuringRebuild(t *testing.T) {
	index(t)
	ctx := context.Background()
	data := &fakeData{}
	data.cur.Store(seedSnap)
	s := tiles.NewServer(data, 1<<20, nil)
	req := tiles.Request{Plan: plan.ChongqingID, Tile: maptile.At(jiefangbei, 9)}
	a, err := s.Tile(ctx, req)
	v1 := a.Version
	if err != nil || v1 != seedSnap.Version || a.Body == nil {
		t.Fatalf("first tile: v%d, %v", v1, err)
	}
	if _, err := s.Tile(ctx, req); err != nil {
		t.Fatal(err)
	}
	if _, entries, hits, _ := s.Cache().Stats(); entries != 1 || hits != 1 {
		t.Errorf("cache: %d entries, %d hits", entries, hits)
	}
	next := readmodel.NewSnapshot(seedSnap.Version+1, seedSnap.Units, seedSnap.Plans, seedSnap.Neighbours)
	data.cur.Store(next)
	// The request that sees the new version is served, whole, from the
	// old index while the new one builds.
	if tl, err := s.Tile(ctx, req); err != nil || tl.Version != v1 {
		t.Errorf("during rebuild: v%d, %v", tl.Version, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		tl, _ := s.Tile(ctx, req)
		if tl.Version == next.Version {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the new index never arrived")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestCacheEvictsByBytes(t *testing.T) {
	c := tiles.NewCache(1000)
	for i := 0; i < 20; i++ {
		c.Put(string(rune('a'+i)), make([]byte, 100))
	}
	size, entries, _, _ := c.Stats()
	if size > 1000 || entries == 0 || entries >= 20 {
		t.Errorf("%d bytes in %d entries", size, entries)
	}
	if _, ok := c.Get("a"); ok {
		t.Error("the oldest entry survived")
	}
	if _, ok := c.Get(string(rune('a' + 19))); !ok {
		t.Error("the newest entry was evicted")
	}
	off := tiles.NewCache(0)
	off.Put("x", []byte("y"))
	if _, ok := off.Get("x"); ok {
		t.Error("a disabled cache kept a tile")
	}
}

func BenchmarkTileCacheHit(b *testing.B) {
	index(b)
	data := &fakeData{}
	data.cur.Store(seedSnap)
	s := tiles.NewServer(data, 64<<20, nil)
	req := tiles.Request{Plan: plan.ChongqingID, Tile: maptile.At(jiefangbei, 10)}
	ctx := context.Background()
	s.Tile(ctx, req)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Tile(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// TestEmptyTilesNotCached: a tile far from the plan is empty at once and
// takes no place in the cache.
func TestEmptyTilesNotCached(t *testing.T) {
	index(t)
	data := &fakeData{}
	data.cur.Store(seedSnap)
	s := tiles.NewServer(data, 1<<20, nil)
	for x := uint32(0); x < 50; x++ {
		tl, err := s.Tile(context.Background(), tiles.Request{Plan: plan.ChongqingID, Tile: maptile.New(x, 0, 22)})
		if err != nil || tl.Body != nil {
			t.Fatalf("tile far away: %v %v", tl.Body, err)
		}
	}
	if _, entries, _, _ := s.Cache().Stats(); entries != 0 {
		t.Errorf("%d empty tiles cached", entries)
	}
	if tl, _ := s.Tile(context.Background(), tiles.Request{Plan: plan.ChongqingID, Tile: maptile.At(jiefangbei, 12)}); tl.Body == nil {
		t.Error("a tile over the plan came back empty")
	}
}
