package tiles

import (
	"context"
	"fmt"
	gzip "github.com/klauspost/compress/gzip"
	"hash/fnv"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/geo/rtree"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/plan/search"
	"github.com/indmap/indmap/readmodel"
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

// Index is one data version's plans prepared for tiling. A plan's
// geometry (planGeom: its units in Web Mercator world coordinates, each
// kind's borders as shared arcs, an R-tree, each zoom's geometry built on
// first use) depends only on the boundaries and the plan's definition: it
// is shared by every index whose snapshot has the same geometry tag, so a
// write to a plan's assignments keeps it (and every geometry tile)
// whole. What a plan says of its units (roles, violations) is read from
// the snapshot's read model when a tile asks for it (?industry=).
type Index struct {
	Version int64
	MaxZoom int
	plans   map[string]*planIndex
	// gzips holds idle gzip writers (about a megabyte of state each),
	// reused across tiles; a channel, as a sync.Pool drops them at every
	// garbage collection.
	gzips chan *gzip.Writer
	// small holds the gzipped bytes of small tiles by their raw bytes:
	// a unit's inner tiles are alike at every zoom (a fifth of
	// Shandong's county tiles z5–12 repeat another), and compressing a
	// small body costs mostly its Huffman tables.
	small *smallBodies
	// onDrop, when set, hears of units left out of a tile or a zoom for
	// a broken outline (see buildDropping): where, and their codes.
	onDrop func(where string, codes []string)
}

// planIndex is one plan at one data version.
type planIndex struct {
	plan *plan.Plan
	snap *readmodel.Snapshot
	geom *planGeom
	// themeTag names the plan's thematic content (see
	// readmodel.Snapshot.PlanTag); geom.tag its geometry.
	themeTag string
}

// planGeom is a plan's geometry, immutable once built apart from each
// zoom's geometry, built on first use.
type planGeom struct {
	tag      string
	planID   string
	units    []unitGeom
	unitTree *rtree.Tree
	// groups holds one topology per kind of unit: units of one kind form
	// a partition (see topo.Partition), kinds may overlap (a plan's
	// cities and their counties), so each is tiled on its own.
	groups []*group
	bounds orb.Bound // lon/lat
	// regions names each unit's region (a plan's groups, e.g. economic
	// circles), -1 for none, and regionNames the regions by index.
	regions       []int32
	regionNames   []string
	regionNamesEn []string
	// regionGroup is the kind (group index) whose units carry the
	// regions, -1 for a plan without regions.
	regionGroup int32
	// show says at which zooms a kind of unit shows (the plan's display).
	show func(kind string, z int) bool
	// places are the named places inside the plan's units (LayerPlaces).
	places    []placeGeom
	placeTree *rtree.Tree
	// rivers are the pieces of river reaching into the plan's extent
	// (LayerRivers).
	rivers    []riverGeom
	riverTree *rtree.Tree
}

// placeGeom is a named place in world coordinates with the zoom it
// shows from and its tile properties.
type placeGeom struct {
	id      uint64
	world   orb.Point
	minZoom int
	props   map[string]any
}

// placeMinZoom is the tile zoom each kind of place shows from (MapLibre
// asks 512-pixel tiles of its own zoom): cities with the districts,
// seats and towns as the map comes closer.
var placeMinZoom = map[string]int{search.PlaceAirport: 6, search.PlaceCity: 6, search.PlaceCountySeat: 8, search.PlaceTown: 10,
	search.PlaceSettlement: 12, search.PlaceNeighborhood: 12}

// placeID is a place's feature id, the same in every tile: its GeoNames
// id, or an airport's OurAirports id with bit 50 set (GeoNames' ids stay
// far below it; both stay exact as JavaScript numbers).
func placeID(code string) (uint64, bool) {
	if id, ok := strings.CutPrefix(code, "geonames:"); ok {
		n, err := strconv.ParseUint(id, 10, 50)
		return n, err == nil
	}
	if id, ok := strings.CutPrefix(code, "ourairports:"); ok {
		n, err := strconv.ParseUint(id, 10, 50)
		return n | 1<<50, err == nil
	}
	return 0, false
}

// PlaceMinZoom is the tile zoom a kind of place shows from in the places
// layer (false: places of that kind are not tiled).
func PlaceMinZoom(kind string) (int, bool) { z, ok := placeMinZoom[kind]; return z, ok }

type zoomOnce struct {
	once sync.Once
	g    *zoomGeom
	// told is set once the zoom's dropped units were reported.
	told atomic.Bool
}

// group is the arcs of one kind of unit, in world coordinates, and its
// zooms.
type group struct {
	kind  string
	topo  geo.Topology
	units []int32 // topology shape → index in planGeom.units
	// keepAbove[arc][i] is the Douglas–Peucker tolerance (world units)
	// up to which the arc's point i is kept (see dpRanks).
	keepAbove [][]float64
	zooms     [DefaultMaxZoom + 1]zoomOnce
}

func (g *group) unit(shape int) int32 {
	if shape < 0 {
		return -1
	}
	return g.units[shape]
}

// unitGeom is a unit ready for tiling: its identity properties only
// (what a plan says of it changes far more often than its geometry).
type unitGeom struct {
	u     plan.Unit
	id    uint64
	group int32     // index in planGeom.groups, -1 for a unit known by a point
	bound orb.Bound // world coordinates
	label orb.Point // world coordinates
	// props and labels are its identity's fields in the units and the
	// labels layer (see plan.UnitFields).
	props, labels map[string]any
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
func NewIndex(snap *readmodel.Snapshot) *Index { return NewIndexFrom(snap, nil) }

// NewIndexFrom is NewIndex reusing the geometry of prev's plans whose
// geometry tag has not changed.
func NewIndexFrom(snap *readmodel.Snapshot, prev *Index) *Index {
	ix := &Index{Version: snap.Version, MaxZoom: DefaultMaxZoom, plans: map[string]*planIndex{}}
	if prev != nil {
		// The idle gzip writers go on to the next index: the first tiles
		// after a change allocate none (BenchmarkFirstTileAfterChange).
		ix.gzips, ix.small = prev.gzips, prev.small
	} else {
		ix.gzips = make(chan *gzip.Writer, 2*runtime.GOMAXPROCS(0))
		ix.small = &smallBodies{m: map[string][]byte{}}
	}
	for i := range snap.Plans {
		p := &snap.Plans[i]
		tag := snap.PlanGeometryTag(p.ID)
		var pg *planGeom
		if prev != nil {
			if old, ok := prev.plans[p.ID]; ok && old.geom.tag == tag && tag != "" {
				pg = old.geom
			}
		}
		if pg == nil {
			pg = newPlanGeom(snap, p, tag)
		}
		ix.plans[p.ID] = &planIndex{plan: p, snap: snap, geom: pg, themeTag: snap.PlanTag(p.ID)}
	}
	return ix
}

func newPlanGeom(snap *readmodel.Snapshot, p *plan.Plan, tag string) *planGeom {
	pg := &planGeom{tag: tag, planID: p.ID, regionGroup: -1}
	shapes := map[string][]orb.MultiPolygon{}
	members := map[string][]int32{}
	var kinds []string
	first := true
	regionOf := map[string]int32{}
	planUnits := snap.PlanUnits(p)
	tileKind := tileKinds(p, planUnits)
	for _, u := range planUnits {
		g := unitGeom{u: u, id: FeatureID(u.Code), group: -1,
			props:  tileValues(plan.Properties(plan.InUnits, u, nil)),
			labels: tileValues(plan.Properties(plan.InLabels, u, nil))}
		if u.Geom == nil {
			continue
		}
		gb := u.Geom.Bound()
		if first {
			pg.bounds, first = gb, false
		} else {
			pg.bounds = pg.bounds.Union(gb)
		}
		g.label = World(u.Label)
		if mp, ok := u.Geom.(orb.MultiPolygon); ok {
			k := tileKind(u)
			if shapes[k] == nil {
				kinds = append(kinds, k)
			}
			shapes[k] = append(shapes[k], mp)
			members[k] = append(members[k], int32(len(pg.units)))
			// y flips in Mercator: the world bound of lon/lat bounds.
			a, b := World(gb.Min), World(gb.Max)
			g.bound = orb.Bound{Min: orb.Point{a[0], b[1]}, Max: orb.Point{b[0], a[1]}}
		} else {
			g.bound = orb.Bound{Min: g.label, Max: g.label}
		}
		r := int32(-1)
		if name := p.Groups[u.Code]; name != "" {
			var ok bool
			if r, ok = regionOf[name]; !ok {
				r = int32(len(pg.regionNames))
				regionOf[name] = r
				pg.regionNames = append(pg.regionNames, name)
				pg.regionNamesEn = append(pg.regionNamesEn, p.GroupsEn[name])
			}
		}
		pg.regions = append(pg.regions, r)
		pg.units = append(pg.units, g)
	}
	// Districts before cities: a city's borders are cut where its
	// counties' borders meet them, so that a city drawn from its counties
	// (see store's nest) simplifies exactly as they do and nests them at
	// every zoom.
	plan.SortKindsChildrenFirst(kinds)
	var cuts map[orb.Point]bool
	for _, k := range kinds {
		var top geo.Topology
		if k == plan.KindCity {
			top = geo.BuildTopologyCut(shapes[k], cuts)
		} else {
			top = geo.BuildTopology(shapes[k])
		}
		if k == plan.KindDistrict {
			cuts = map[orb.Point]bool{}
			for _, a := range top.Arcs {
				cuts[a.Points[0]], cuts[a.Points[len(a.Points)-1]] = true, true
			}
		}
		grp := &group{kind: k, topo: top, units: members[k]}
		grp.keepAbove = make([][]float64, len(grp.topo.Arcs))
		for ai := range grp.topo.Arcs {
			pts := grp.topo.Arcs[ai].Points
			for i := range pts {
				pts[i] = World(pts[i])
			}
			grp.keepAbove[ai] = dpRanks(pts)
		}
		for _, u := range grp.units {
			pg.units[u].group = int32(len(pg.groups))
		}
		pg.groups = append(pg.groups, grp)
	}
	bounds := make([]orb.Bound, len(pg.units))
	for i, g := range pg.units {
		bounds[i] = g.bound
		if pg.regions[i] >= 0 && pg.regionGroup < 0 {
			pg.regionGroup = g.group
		}
	}
	pg.unitTree = rtree.New(bounds)
	var placeBounds []orb.Bound
	for _, r := range snap.PlanPlaces(p) {
		mz, ok := placeMinZoom[r.Kind]
		id, idOK := placeID(r.Code)
		if !ok || !idOK || r.Label == nil {
			continue
		}
		w := World(orb.Point{r.Label[0], r.Label[1]})
		pg.places = append(pg.places, placeGeom{id: id, world: w, minZoom: mz,
			props: map[string]any{"name": r.Name, "name_en": r.NameEn, "kind": r.Kind}})
		placeBounds = append(placeBounds, orb.Bound{Min: w, Max: w})
	}
	pg.placeTree = rtree.New(placeBounds)
	pg.indexRivers(snap.Rivers(), pg.bounds)
	// The plan says at which zooms each kind shows (its display is part
	// of the geometry tag, so a reused planGeom shows as its plan does).
	pg.show = (&plan.Plan{Display: p.Display}).Shows
	return pg
}

// tileKinds says on which kind's partition a unit is tiled: its level on
// the map (plan.MapLevels: a city with none of the plan's units inside it
// is a county) where the plan shows cities and districts at the same
// zooms, else its own kind.
func tileKinds(p *plan.Plan, units []plan.Unit) func(plan.Unit) string {
	hasDistricts := false
	for _, u := range units {
		hasDistricts = hasDistricts || u.Kind == plan.KindDistrict
	}
	shows := (&plan.Plan{Display: p.Display}).Shows
	same := hasDistricts
	for z := 0; z <= MaxZoom && same; z++ {
		same = shows(plan.KindCity, z) == shows(plan.KindDistrict, z)
	}
	if !same {
		return func(u plan.Unit) string { return u.Kind }
	}
	return plan.MapLevels(units)
}

// zoom returns the group's geometry at zoom z. The index's preparation
// (Prepare) builds every zoom a kind shows at before the index serves;
// the once only guards a zoom built twice at the same moment.
func (pg *planGeom) zoom(grp *group, z int) *zoomGeom {
	zo := &grp.zooms[z]
	zo.once.Do(func() { zo.g = pg.buildZoom(grp, z) })
	return zo.g
}

// zoomFor is zoom, telling ix.onDrop (once per zoom's geometry) of the
// units it left out.
func (ix *Index) zoomFor(pg *planGeom, grp *group, z int) *zoomGeom {
	zg := pg.zoom(grp, z)
	if zo := &grp.zooms[z]; len(zg.dropped) > 0 && ix.onDrop != nil && zo.told.CompareAndSwap(false, true) {
		ix.onDrop(fmt.Sprintf("plan %s %s zoom %d", pg.planID, grp.kind, z), zg.dropped)
	}
	return zg
}

// prepare builds the geometry of every zoom 0–DefaultMaxZoom at which
// each kind of the plans shows (deeper tiles reuse DefaultMaxZoom's), at
// most GOMAXPROCS at once, largest first; geometry reused from the
// previous index is built already. It stops early when ctx ends.
func (ix *Index) prepare(ctx context.Context) error {
	type job struct {
		pg  *planGeom
		grp *group
		z   int
	}
	var jobs []job
	seen := map[*planGeom]bool{}
	for _, pi := range ix.plans {
		if seen[pi.geom] {
			continue
		}
		seen[pi.geom] = true
		for _, grp := range pi.geom.groups {
			for z := 0; z <= DefaultMaxZoom; z++ {
				if pi.geom.show(grp.kind, z) || z == DefaultMaxZoom && pi.geom.show(grp.kind, MaxZoom) {
					jobs = append(jobs, job{pi.geom, grp, z})
				}
			}
		}
	}
	// Deep zooms take longest: start them first so the pool ends together.
	sort.SliceStable(jobs, func(i, j int) bool { return jobs[i].z > jobs[j].z })
	work := make(chan job)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				ix.zoomFor(j.pg, j.grp, j.z)
			}
		}()
	}
	var err error
	for _, j := range jobs {
		if err = ctx.Err(); err != nil {
			break
		}
		work <- j
	}
	close(work)
	wg.Wait()
	return err
}

// tileValues makes plan field values MVT values: counts as unsigned
// integers (MVT's uint), as tiles have always carried them.
func tileValues(m map[string]any) map[string]any {
	for k, v := range m {
		if n, ok := v.(int); ok && n >= 0 {
			m[k] = uint64(n)
		}
	}
	return m
}
