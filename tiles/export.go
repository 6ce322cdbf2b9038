package tiles

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/maptile/tilecover"
)

// ArchiveStats says what an export wrote.
type ArchiveStats struct {
	Tiles     int   // tiles addressed (non-empty tiles of the cover)
	Distinct  int   // distinct tile contents, each stored once
	Entries   int   // PMTiles directory entries (runs of identical tiles count once); 0 for MBTiles
	Bytes     int64 // the tiles' bytes summed as if each were stored
	DataBytes int64 // tile bytes stored (the distinct contents)
	FileBytes int64 // the file's size
}

// Cover lists the tiles z0–maxZoom over a plan's bounds, in PMTiles
// tile-id order (by zoom, then along the Hilbert curve).
func (ix *Index) Cover(planID string, maxZoom int) ([]maptile.Tile, error) {
	pi, ok := ix.plans[planID]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownPlan, planID)
	}
	if maxZoom < 0 || maxZoom > MaxZoom {
		return nil, fmt.Errorf("maxzoom %d: want 0 to %d", maxZoom, MaxZoom)
	}
	type idTile struct {
		id uint64
		t  maptile.Tile
	}
	var list []idTile
	for z := 0; z <= maxZoom; z++ {
		set, err := tilecover.Geometry(orb.Bound(pi.geom.bounds), maptile.Zoom(z))
		if err != nil {
			return nil, err
		}
		for t := range set {
			list = append(list, idTile{tileID(t), t})
		}
	}
	slices.SortFunc(list, func(a, b idTile) int { return cmp.Compare(a.id, b.id) })
	out := make([]maptile.Tile, len(list))
	for i, it := range list {
		out[i] = it.t
	}
	return out, nil
}

// Each renders the tiles of Cover and calls fn with each non-empty one
// (gzipped MVT), in tile-id order. GOMAXPROCS goroutines render the
// tiles, a bounded window ahead of fn, which runs on the caller's
// goroutine.
func (ix *Index) Each(planID string, maxZoom int, fn func(t maptile.Tile, gz []byte) error) error {
	list, err := ix.Cover(planID, maxZoom)
	if err != nil {
		return err
	}
	type result struct {
		gz   []byte
		err  error
		done chan struct{}
	}
	results := make([]result, len(list))
	for i := range results {
		results[i].done = make(chan struct{})
	}
	workers := runtime.GOMAXPROCS(0)
	// At most window tiles are rendered and not yet taken by fn.
	slots := make(chan struct{}, 64*workers)
	todo := make(chan int)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range todo {
				results[i].gz, results[i].err = ix.Encode(Request{Plan: planID, Tile: list[i]})
				close(results[i].done)
			}
		}()
	}
	go func() {
		defer close(todo)
		for i := range list {
			select {
			case slots <- struct{}{}:
			case <-stop:
				return
			}
			select {
			case todo <- i:
			case <-stop:
				return
			}
		}
	}()
	defer wg.Wait()
	defer close(stop)
	for i, t := range list {
		<-results[i].done
		r := results[i]
		results[i].gz = nil // handed on: let it go
		<-slots
		if r.err != nil {
			return fmt.Errorf("tile %d/%d/%d: %w", t.Z, t.X, t.Y, r.err)
		}
		if r.gz == nil {
			continue
		}
		if err := fn(t, r.gz); err != nil {
			return err
		}
	}
	return nil
}

// Bounds is a plan's extent in lon/lat.
func (ix *Index) Bounds(planID string) (orb.Bound, bool) {
	pi, ok := ix.plans[planID]
	if !ok {
		return orb.Bound{}, false
	}
	return pi.geom.bounds, true
}

// writeFileAtomically writes path through a temporary file beside it
// (mode 0644), so that the file appears only when complete and a failed
// export leaves nothing behind.
func writeFileAtomically(path string, write func(io.Writer) error) error {
	dir, base := filepath.Split(path)
	tmp, err := os.CreateTemp(dir, "."+base+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
