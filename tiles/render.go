package tiles

import (
	"errors"
	"fmt"
	"math"

	"github.com/indmap/indmap/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
)

// Layer names, in the order they are written.
const (
	LayerUnits   = "units"
	LayerBorders = "borders"
	LayerLabels  = "labels"
)

// ErrUnknownPlan is returned for a plan the index does not have.
var ErrUnknownPlan = errors.New("unknown plan")

// ErrUnknownIndustry is returned for an industry filter outside the
// plan's catalogue.
var ErrUnknownIndustry = errors.New("unknown industry")

// Request names a tile and its filter.
type Request struct {
	Plan string
	Tile maptile.Tile
	// Industry, when set, adds role = main | special | none to every
	// feature (a catalogue code or exact name).
	Industry string
}

// Industry resolves a filter to a catalogue code ("" for none).
func (ix *Index) Industry(planID, industry string) (string, error) {
	pi, ok := ix.plans[planID]
	if !ok {
		return "", fmt.Errorf("%w %q", ErrUnknownPlan, planID)
	}
	if industry == "" {
		return "", nil
	}
	in, ok := pi.plan.Industry(industry)
	if !ok {
		return "", fmt.Errorf("%w %q in plan %s", ErrUnknownIndustry, industry, planID)
	}
	return in.Code, nil
}

// HasPlan reports whether the index has the plan.
func (ix *Index) HasPlan(id string) bool { _, ok := ix.plans[id]; return ok }

// Layers builds a tile's layers in tile coordinates; all three layers
// are present, possibly empty, in a fixed order.
func (ix *Index) Layers(req Request) (mvt.Layers, error) {
	pi, ok := ix.plans[req.Plan]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownPlan, req.Plan)
	}
	industry, err := ix.Industry(req.Plan, req.Industry)
	if err != nil {
		return nil, err
	}
	t := newTileFrame(req.Tile)
	role := func(code string) (string, bool) {
		if req.Industry == "" {
			return "", false
		}
		if r, ok := pi.roles[industry][code]; ok {
			return string(r), true
		}
		return "none", true
	}
	z := int(req.Tile.Z)
	arcs := pi.arcsAt(z)
	units := &mvt.Layer{Name: LayerUnits, Version: 2, Extent: Extent}
	labels := &mvt.Layer{Name: LayerLabels, Version: 2, Extent: Extent}
	pi.unitTree.Search(t.query, func(i int) bool {
		g := &pi.units[i]
		if g.shape >= 0 {
			if mp := t.polygons(pi.rings(g, arcs)); len(mp) > 0 {
				f := geojson.NewFeature(mp)
				f.ID = g.id
				f.Properties = copyProps(g.props)
				if r, ok := role(g.u.Code); ok {
					f.Properties["role"] = r
				}
				units.Features = append(units.Features, f)
			}
		}
		if p, ok := t.point(g.label); ok {
			f := geojson.NewFeature(p)
			f.ID = g.id
			f.Properties = geojson.Properties{"code": g.u.Code, "name": g.u.Name, "main": g.props["main"],
				"kind": g.u.Kind, "approximate": g.u.Approximate}
			if r, ok := role(g.u.Code); ok {
				f.Properties["role"] = r
			}
			labels.Features = append(labels.Features, f)
		}
		return true
	})
	borders := &mvt.Layer{Name: LayerBorders, Version: 2, Extent: Extent}
	pi.arcTree.Search(t.query, func(ai int) bool {
		a := pi.topo.Arcs[ai]
		if mls := t.lines(arcs[ai]); len(mls) > 0 {
			var g orb.Geometry = mls
			if len(mls) == 1 {
				g = mls[0]
			}
			f := geojson.NewFeature(g)
			f.ID = uint64(ai + 1)
			left, right := pi.codes[a.Left], ""
			if a.Right >= 0 {
				right = pi.codes[a.Right]
			}
			f.Properties = geojson.Properties{"left": left, "right": right, "outer": a.Right < 0}
			borders.Features = append(borders.Features, f)
		}
		return true
	})
	sortFeatures(units)
	sortFeatures(borders)
	sortFeatures(labels)
	return mvt.Layers{units, borders, labels}, nil
}

func copyProps(p map[string]any) geojson.Properties {
	out := make(geojson.Properties, len(p)+1)
	for k, v := range p {
		out[k] = v
	}
	return out
}

// sortFeatures orders features by id, so the same data gives the same
// bytes whatever order the R-tree returned them in.
func sortFeatures(l *mvt.Layer) {
	fs := l.Features
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && fs[j].ID.(uint64) < fs[j-1].ID.(uint64); j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
}

// tileFrame maps world coordinates to one tile's coordinates.
type tileFrame struct {
	scale, x0, y0 float64
	query         orb.Bound // world bound of the tile grown by the buffer
	clip          orb.Bound // tile coordinates: the tile grown by the buffer
}

func newTileFrame(t maptile.Tile) tileFrame {
	n := float64(uint64(1) << t.Z)
	f := tileFrame{scale: n * Extent, x0: float64(t.X) * Extent, y0: float64(t.Y) * Extent}
	b := float64(Buffer) / (n * Extent)
	f.query = orb.Bound{
		Min: orb.Point{float64(t.X)/n - b, float64(t.Y)/n - b},
		Max: orb.Point{float64(t.X+1)/n + b, float64(t.Y+1)/n + b},
	}
	f.clip = orb.Bound{Min: orb.Point{-Buffer, -Buffer}, Max: orb.Point{Extent + Buffer, Extent + Buffer}}
	return f
}

func (f tileFrame) project(p orb.Point) orb.Point {
	return orb.Point{p[0]*f.scale - f.x0, p[1]*f.scale - f.y0}
}

func (f tileFrame) point(p orb.Point) (orb.Point, bool) {
	if !f.query.Contains(p) {
		return orb.Point{}, false
	}
	q := f.project(p)
	return orb.Point{math.Round(q[0]), math.Round(q[1])}, true
}

// polygons projects, clips and snaps a unit's rings to the tile grid,
// drops what collapses, and winds rings as MVT 2.1 asks: exteriors with
// positive area in tile coordinates (y down), holes negative.
func (f tileFrame) polygons(polys [][]orb.Ring) orb.MultiPolygon {
	var out orb.MultiPolygon
	for _, rings := range polys {
		var poly orb.Polygon
		for ri, r := range rings {
			tr := make(orb.Ring, len(r))
			for k, p := range r {
				tr[k] = f.project(p)
			}
			if !tr.Bound().Intersects(f.clip) {
				if ri == 0 {
					break
				}
				continue
			}
			c := snapRing(clip.Ring(f.clip, tr))
			if c == nil {
				if ri == 0 {
					break // the exterior collapsed: so does the polygon
				}
				continue
			}
			a := geo.PlanarArea(c)
			if (ri == 0) != (a > 0) {
				geo.Reverse(c)
			}
			poly = append(poly, c)
		}
		if len(poly) > 0 {
			out = append(out, poly)
		}
	}
	return out
}

// lines projects, clips and snaps an arc.
func (f tileFrame) lines(arc []orb.Point) orb.MultiLineString {
	ls := make(orb.LineString, len(arc))
	for k, p := range arc {
		ls[k] = f.project(p)
	}
	var out orb.MultiLineString
	for _, part := range clip.LineString(f.clip, ls) {
		var s orb.LineString
		for _, p := range part {
			p = orb.Point{math.Round(p[0]), math.Round(p[1])}
			if len(s) == 0 || s[len(s)-1] != p {
				s = append(s, p)
			}
		}
		if len(s) >= 2 {
			out = append(out, s)
		}
	}
	return out
}

// snapRing rounds a ring to integer tile coordinates and removes repeated
// points; nil when fewer than 3 distinct points or no area remain.
func snapRing(r orb.Ring) orb.Ring {
	if len(r) == 0 {
		return nil
	}
	out := make(orb.Ring, 0, len(r))
	for _, p := range r {
		p = orb.Point{math.Round(p[0]), math.Round(p[1])}
		if len(out) == 0 || out[len(out)-1] != p {
			out = append(out, p)
		}
	}
	for len(out) > 1 && out[len(out)-1] == out[0] {
		out = out[:len(out)-1]
	}
	if len(out) < 3 || geo.PlanarArea(append(out, out[0])) == 0 {
		return nil
	}
	return append(out, out[0])
}

// Empty reports whether no layer has a feature.
func Empty(ls mvt.Layers) bool {
	for _, l := range ls {
		if len(l.Features) > 0 {
			return false
		}
	}
	return true
}

// Encode renders a tile: the gzipped MVT, or nil when the tile is empty.
func (ix *Index) Encode(req Request) ([]byte, error) {
	ls, err := ix.Layers(req)
	if err != nil || Empty(ls) {
		return nil, err
	}
	return mvt.MarshalGzipped(ls)
}
