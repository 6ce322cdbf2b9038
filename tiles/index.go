package tiles

import (
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/store"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/simplify"
)

// Extent and Buffer of the tiles, in tile units.
const (
	Extent = 4096
	Buffer = 64
)

// DefaultMaxZoom is the zoom advertised as maxzoom: from there on arcs
// are not simplified, and deeper zooms are overzoomed by clients (they
// still answer correctly).
const DefaultMaxZoom = 14

// simplifyUnits is the Douglas–Peucker tolerance in tile units: half a
// pixel of a 256-pixel tile.
const simplifyUnits = 8

// Index is one data version's plans prepared for tiling: geometry in
// Web Mercator world coordinates ([0,1]², y down), each plan's borders as
// shared arcs, R-trees over units and arcs, and the properties of every
// feature. It is immutable once built, apart from per-zoom simplified
// arcs that are computed on first use.
type Index struct {
	Version int64
	MaxZoom int
	plans   map[string]*planIndex
}

type planIndex struct {
	plan      *plan.Plan
	units     []unitGeom
	unitTree  *geo.Index
	topo      geo.Topology
	arcTree   *geo.Index
	arcBounds []orb.Bound
	codes     []string // unit code by topology shape index
	zooms     [DefaultMaxZoom + 1]zoomArcs
	bounds    orb.Bound                       // lon/lat
	roles     map[string]map[string]plan.Role // industry code → unit → role
}

type zoomArcs struct {
	once sync.Once
	arcs [][]orb.Point
}

// unitGeom is a unit ready for tiling.
type unitGeom struct {
	u     plan.Unit
	id    uint64
	shape int       // index into the plan topology, -1 for a point unit
	bound orb.Bound // world coordinates
	label orb.Point // world coordinates
	props map[string]any
}

// World projects lon/lat to Web Mercator world coordinates in [0,1].
func World(p orb.Point) orb.Point { return maptile.Fraction(p, 0) }

// FeatureID is a unit's numeric id, the same in every tile and layer:
// the adcode itself where the code is numeric, else a 52-bit hash with
// bit 52 set (so it cannot clash with an adcode and stays exact as a
// JavaScript number).
func FeatureID(code string) uint64 {
	if n, err := strconv.ParseUint(code, 10, 52); err == nil {
		return n
	}
	h := fnv.New64a()
	h.Write([]byte(code))
	return 1<<52 | h.Sum64()&(1<<52-1)
}

// NewIndex prepares every plan of a snapshot for tiling.
func NewIndex(snap *store.Snapshot) *Index {
	ix := &Index{Version: snap.Version, MaxZoom: DefaultMaxZoom, plans: map[string]*planIndex{}}
	for i := range snap.Plans {
		p := &snap.Plans[i]
		ix.plans[p.ID] = newPlanIndex(snap, p)
	}
	return ix
}

func newPlanIndex(snap *store.Snapshot, p *plan.Plan) *planIndex {
	pi := &planIndex{plan: p, roles: roles(p)}
	var shapes []orb.MultiPolygon
	first := true
	for _, u := range snap.PlanUnits(p) {
		g := unitGeom{u: u, id: FeatureID(u.Code), shape: -1, props: unitProps(snap, p, u)}
		if u.Geom == nil {
			continue
		}
		gb := u.Geom.Bound()
		if first {
			pi.bounds, first = gb, false
		} else {
			pi.bounds = pi.bounds.Union(gb)
		}
		g.label = World(u.Label)
		if mp, ok := u.Geom.(orb.MultiPolygon); ok {
			g.shape = len(shapes)
			shapes = append(shapes, mp)
			pi.codes = append(pi.codes, u.Code)
			// y flips in Mercator: the world bound of lon/lat bounds.
			a, b := World(gb.Min), World(gb.Max)
			g.bound = orb.Bound{Min: orb.Point{a[0], b[1]}, Max: orb.Point{b[0], a[1]}}
		} else {
			g.bound = orb.Bound{Min: g.label, Max: g.label}
		}
		pi.units = append(pi.units, g)
	}
	pi.topo = geo.BuildTopology(shapes)
	for ai := range pi.topo.Arcs {
		pts := pi.topo.Arcs[ai].Points
		for k := range pts {
			pts[k] = World(pts[k])
		}
		pi.arcBounds = append(pi.arcBounds, orb.LineString(pts).Bound())
	}
	bounds := make([]orb.Bound, len(pi.units))
	for i, g := range pi.units {
		bounds[i] = g.bound
	}
	pi.unitTree = geo.NewIndex(bounds)
	pi.arcTree = geo.NewIndex(pi.arcBounds)
	return pi
}

// arcsAt returns every arc simplified for zoom z (once per zoom).
func (pi *planIndex) arcsAt(z int) [][]orb.Point {
	if z >= len(pi.zooms) {
		z = len(pi.zooms) - 1
	}
	za := &pi.zooms[z]
	za.once.Do(func() {
		za.arcs = make([][]orb.Point, len(pi.topo.Arcs))
		// One tile unit at zoom z in world coordinates.
		unit := 1 / float64(uint64(Extent)<<uint(z))
		for i, a := range pi.topo.Arcs {
			if z >= DefaultMaxZoom || len(a.Points) <= 2 {
				za.arcs[i] = a.Points
				continue
			}
			ls := append(orb.LineString(nil), a.Points...)
			za.arcs[i] = simplify.DouglasPeucker(simplifyUnits * unit).LineString(ls)
		}
	})
	return za.arcs
}

// rings assembles a unit's rings at zoom z from the simplified arcs, so
// neighbours share every vertex of their common border.
func (pi *planIndex) rings(g *unitGeom, arcs [][]orb.Point) [][]orb.Ring {
	polys := pi.topo.Rings[g.shape]
	out := make([][]orb.Ring, 0, len(polys))
	for _, poly := range polys {
		var rings []orb.Ring
		for _, refs := range poly {
			var r orb.Ring
			for _, ref := range refs {
				pts := arcs[ref.Arc]
				for k := range pts {
					p := pts[k]
					if ref.Reversed {
						p = pts[len(pts)-1-k]
					}
					if len(r) == 0 || r[len(r)-1] != p {
						r = append(r, p)
					}
				}
			}
			rings = append(rings, r)
		}
		out = append(out, rings)
	}
	return out
}

// roles maps each industry to the units holding it and how. In a
// clusters plan, hosting a world or national cluster counts as main, a
// provincial one as special.
func roles(p *plan.Plan) map[string]map[string]plan.Role {
	out := map[string]map[string]plan.Role{}
	set := func(ind, unit string, r plan.Role) {
		if in, ok := p.Industry(ind); ok {
			ind = in.Code
		}
		if out[ind] == nil {
			out[ind] = map[string]plan.Role{}
		}
		if out[ind][unit] != plan.Main {
			out[ind][unit] = r
		}
	}
	for _, a := range p.Assignments {
		set(a.Industry, a.Unit, a.Role)
	}
	for _, c := range p.Clusters {
		r := plan.Special
		if c.Level != plan.Provincial {
			r = plan.Main
		}
		for _, h := range c.Hosts {
			set(c.Industry, h, r)
		}
	}
	return out
}

// unitProps are the units layer's properties; none is ever null.
func unitProps(snap *store.Snapshot, p *plan.Plan, u plan.Unit) map[string]any {
	mh, sh, cs := p.Holdings(u.Code)
	names := func(hs []plan.Holding) []string {
		out := make([]string, len(hs))
		for i, h := range hs {
			out[i] = h.Name
		}
		return out
	}
	main, special := names(mh), names(sh)
	var clusters []string
	for _, c := range cs {
		clusters = append(clusters, c.Name)
	}
	sort.Strings(clusters)
	return map[string]any{
		"code":          u.Code,
		"name":          u.Name,
		"kind":          u.Kind,
		"main":          strings.Join(main, "|"),
		"special":       strings.Join(special, "|"),
		"main_count":    uint64(len(main)),
		"special_count": uint64(len(special)),
		"clusters":      strings.Join(clusters, "|"),
		"cluster_count": uint64(len(clusters)),
		"violations":    uint64(len(snap.UnitViolations(p.ID, u.Code))),
		"approximate":   u.Approximate,
	}
}
