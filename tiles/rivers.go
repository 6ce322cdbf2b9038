package tiles

import (
	"math"

	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/geo/rtree"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
)

// LayerRivers holds the rivers (GSHHG's WDBII) reaching into the plan's
// extent, each level from its zoom on: a reference for finding places,
// written only in tiles that have some.
const LayerRivers = "rivers"

// riverMinZoom is the tile zoom each WDBII level shows from: the great
// rivers with the provinces, the minor ones as the map comes closer to
// its towns.
var riverMinZoom = [geo.MaxRiverLevel + 1]int{0: 4, 1: 4, 2: 6, 3: 7, 4: 9}

// RiverMinZoom is the tile zoom rivers of a WDBII level show from.
func RiverMinZoom(level int) int { return riverMinZoom[level] }

// riverGeom is a piece of river in world coordinates with its
// Douglas–Peucker ranks (dpRanks), simplified per tile.
type riverGeom struct {
	id    uint64
	level int
	world []orb.Point
	keep  []float64
	props geojson.Properties // shared by its features: the encoder only reads them
}

// indexRivers puts the pieces of river reaching into the plan's extent
// (lon/lat) in world coordinates. A piece's id is its place in the
// embedded file: the same in every tile.
func (pg *planGeom) indexRivers(rivers []geo.River, extent orb.Bound) {
	var bounds []orb.Bound
	for i, r := range rivers {
		if !r.Line.Bound().Intersects(extent) {
			continue
		}
		w := make([]orb.Point, len(r.Line))
		for k, p := range r.Line {
			w[k] = World(p)
		}
		pg.rivers = append(pg.rivers, riverGeom{id: uint64(i) + 1, level: r.Level, world: w, keep: dpRanks(w),
			props: geojson.Properties{"level": r.Level}})
		bounds = append(bounds, orb.LineString(w).Bound())
	}
	pg.riverTree = rtree.New(bounds)
}

// riverLayer cuts the rivers shown at zoom z to a tile (query: its
// buffered bound in world coordinates), simplified as the units' borders
// are, in tile coordinates.
func (pg *planGeom) riverLayer(z int, x, y uint32, query orb.Bound) *mvt.Layer {
	l := &mvt.Layer{Name: LayerRivers, Version: 2, Extent: Extent}
	n := float64(uint64(1) << z)
	tol := 0.0
	if z < DefaultMaxZoom {
		tol = simplifyUnits / (n * Extent)
	}
	box := orb.Bound{Min: orb.Point{boxLo, boxLo}, Max: orb.Point{boxHi, boxHi}}
	pg.riverTree.Search(query, func(i int) bool {
		r := &pg.rivers[i]
		if z < riverMinZoom[r.level] {
			return true
		}
		var ls orb.LineString
		for k, p := range r.world {
			if r.keep[k] > tol {
				ls = append(ls, orb.Point{p[0]*n*Extent - float64(x)*Extent, p[1]*n*Extent - float64(y)*Extent})
			}
		}
		var out orb.MultiLineString
		for _, part := range clip.LineString(box, ls) {
			var q orb.LineString
			for _, p := range part {
				p = orb.Point{math.Round(p[0]), math.Round(p[1])}
				if len(q) == 0 || q[len(q)-1] != p {
					q = append(q, p)
				}
			}
			if len(q) >= 2 {
				out = append(out, q)
			}
		}
		if len(out) == 0 {
			return true
		}
		var g orb.Geometry = out
		if len(out) == 1 {
			g = out[0]
		}
		f := geojson.NewFeature(g)
		f.ID = r.id
		f.Properties = r.props
		l.Features = append(l.Features, f)
		return true
	})
	sortFeatures(l)
	return l
}
