package tiles

import (
	"compress/gzip"
	"hash/fnv"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/store"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// Extent and Buffer of the tiles, in tile units.
const (
	Extent = 4096
	Buffer = 64
)

// DefaultMaxZoom is the zoom advertised as maxzoom: from there on arcs
// are not simplified, and deeper zooms reuse its geometry scaled up
// (clients overzoom, and deeper tiles still answer correctly).
const DefaultMaxZoom = 14

// Index is one data version's plans prepared for tiling: geometry in
// Web Mercator world coordinates ([0,1]², y down), each plan's borders as
// shared arcs, an R-tree over units, and the properties of every
// feature. It is immutable once built, apart from each zoom's geometry,
// computed on first use.
type Index struct {
	Version int64
	MaxZoom int
	plans   map[string]*planIndex
	// gzips holds idle gzip writers (about a megabyte of state each),
	// reused across tiles; a channel, as a sync.Pool drops them at every
	// garbage collection.
	gzips chan *gzip.Writer
}

type planIndex struct {
	plan     *plan.Plan
	units    []unitGeom
	unitTree *geo.Index
	// groups holds one topology per kind of unit: units of one kind
	// form a partition (see topo.Partition), kinds may overlap.
	groups []group
	zooms  [DefaultMaxZoom + 1]zoomOnce
	bounds orb.Bound                       // lon/lat
	roles  map[string]map[string]plan.Role // industry code → unit → role
}

type zoomOnce struct {
	once sync.Once
	g    *zoomGeom
}

// group is the arcs of one kind of unit, in world coordinates.
type group struct {
	topo  geo.Topology
	units []int32 // topology shape → index in planIndex.units
	// keepAbove[arc][i] is the Douglas–Peucker tolerance (world units)
	// up to which the arc's point i is kept (see dpRanks).
	keepAbove [][]float64
}

func (g *group) unit(shape int) int32 {
	if shape < 0 {
		return -1
	}
	return g.units[shape]
}

// unitGeom is a unit ready for tiling.
type unitGeom struct {
	u     plan.Unit
	id    uint64
	shape bool      // has a polygon
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
	ix := &Index{Version: snap.Version, MaxZoom: DefaultMaxZoom, plans: map[string]*planIndex{},
		gzips: make(chan *gzip.Writer, 2*runtime.GOMAXPROCS(0))}
	for i := range snap.Plans {
		p := &snap.Plans[i]
		ix.plans[p.ID] = newPlanIndex(snap, p)
	}
	return ix
}

func newPlanIndex(snap *store.Snapshot, p *plan.Plan) *planIndex {
	pi := &planIndex{plan: p, roles: roles(p)}
	shapes := map[string][]orb.MultiPolygon{}
	members := map[string][]int32{}
	var kinds []string
	first := true
	for _, u := range snap.PlanUnits(p) {
		g := unitGeom{u: u, id: FeatureID(u.Code), props: unitProps(snap, p, u)}
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
			g.shape = true
			if shapes[u.Kind] == nil {
				kinds = append(kinds, u.Kind)
			}
			shapes[u.Kind] = append(shapes[u.Kind], mp)
			members[u.Kind] = append(members[u.Kind], int32(len(pi.units)))
			// y flips in Mercator: the world bound of lon/lat bounds.
			a, b := World(gb.Min), World(gb.Max)
			g.bound = orb.Bound{Min: orb.Point{a[0], b[1]}, Max: orb.Point{b[0], a[1]}}
		} else {
			g.bound = orb.Bound{Min: g.label, Max: g.label}
		}
		pi.units = append(pi.units, g)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		grp := group{topo: geo.BuildTopology(shapes[k]), units: members[k]}
		grp.keepAbove = make([][]float64, len(grp.topo.Arcs))
		for ai := range grp.topo.Arcs {
			pts := grp.topo.Arcs[ai].Points
			for i := range pts {
				pts[i] = World(pts[i])
			}
			grp.keepAbove[ai] = dpRanks(pts)
		}
		pi.groups = append(pi.groups, grp)
	}
	bounds := make([]orb.Bound, len(pi.units))
	for i, g := range pi.units {
		bounds[i] = g.bound
	}
	pi.unitTree = geo.NewIndex(bounds)
	return pi
}

// zoom returns the plan's geometry at zoom z, built on first use.
func (pi *planIndex) zoom(z int) *zoomGeom {
	zo := &pi.zooms[z]
	zo.once.Do(func() { zo.g = pi.buildZoom(z) })
	return zo.g
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
