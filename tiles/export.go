package tiles

import (
	"fmt"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/maptile/tilecover"
)

// Cover lists the tiles z0–maxZoom over a plan's bounds, in Hilbert
// (PMTiles) order.
func (ix *Index) Cover(planID string, maxZoom int) ([]maptile.Tile, error) {
	pi, ok := ix.plans[planID]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownPlan, planID)
	}
	if maxZoom < 0 || maxZoom > MaxZoom {
		return nil, fmt.Errorf("maxzoom %d: want 0 to %d", maxZoom, MaxZoom)
	}
	var out []maptile.Tile
	for z := 0; z <= maxZoom; z++ {
		set, err := tilecover.Geometry(orb.Bound(pi.geom.bounds), maptile.Zoom(z))
		if err != nil {
			return nil, err
		}
		for t := range set {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return HilbertID(out[i]) < HilbertID(out[j]) })
	return out, nil
}

// Each renders the tiles of Cover and calls fn with each non-empty one
// (gzipped MVT), in Hilbert order.
func (ix *Index) Each(planID string, maxZoom int, fn func(t maptile.Tile, gz []byte) error) error {
	list, err := ix.Cover(planID, maxZoom)
	if err != nil {
		return err
	}
	for _, t := range list {
		b, err := ix.Encode(Request{Plan: planID, Tile: t})
		if err != nil {
			return fmt.Errorf("tile %d/%d/%d: %w", t.Z, t.X, t.Y, err)
		}
		if b == nil {
			continue
		}
		if err := fn(t, b); err != nil {
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
