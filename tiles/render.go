package tiles

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	gzip "github.com/klauspost/compress/gzip"
	"math"
	"sync"

	"slices"

	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/topo"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
)

// Layer names, in the order they are written.
const (
	LayerUnits   = "units"
	LayerBorders = "borders"
	LayerLabels  = "labels"
	// LayerRegions holds, for plans that group their units (Shandong's
	// economic circles), each group's outline dissolved from its units'.
	LayerRegions = "regions"
	// LayerPlaces holds named places (towns, seats, cities: GeoNames)
	// inside the plan's units, each kind from its zoom on; written only
	// in tiles that have some.
	LayerPlaces = "places"
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
	// Industry, when set (a catalogue code or exact name), makes a
	// thematic tile: every unit gets role = main | special | none for it
	// and what the plan says of it (main, special, violations …). Without
	// it a tile holds geometry and identity only.
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

// Outside reports whether a tile lies wholly outside a plan's units
// (with the tile's buffer): such a tile is empty.
func (ix *Index) Outside(planID string, t maptile.Tile) bool {
	pi, ok := ix.plans[planID]
	if !ok || len(pi.geom.units) == 0 {
		return false // nothing to tell: rendered as ever
	}
	n := float64(uint64(1) << t.Z)
	b := float64(Buffer) / (n * Extent)
	tb := orb.Bound{Min: orb.Point{float64(t.X)/n - b, float64(t.Y)/n - b}, Max: orb.Point{float64(t.X+1)/n + b, float64(t.Y+1)/n + b}}
	// The plan's extent in world coordinates (y flips).
	lo, hi := World(pi.geom.bounds.Min), World(pi.geom.bounds.Max)
	wb := orb.Bound{Min: orb.Point{lo[0], hi[1]}, Max: orb.Point{hi[0], lo[1]}}
	return !tb.Intersects(wb)
}

// HasRegions reports whether a plan's tiles have the regions layer.
func (ix *Index) HasRegions(planID string) bool {
	pi, ok := ix.plans[planID]
	return ok && pi.geom.regionGroup >= 0
}

// Tag names what a tile of the plan holds: its geometry tag, or, for a
// thematic tile (an industry), the plan's content tag. Equal tags, equal
// tiles.
func (ix *Index) Tag(planID, industry string) string {
	pi, ok := ix.plans[planID]
	if !ok {
		return ""
	}
	if industry != "" {
		return pi.themeTag
	}
	return pi.geom.tag
}

// Layers builds a tile's layers in tile coordinates: units, borders and
// labels, always present (possibly empty) in that order, and regions for
// a plan that groups its units. Each kind of unit is tiled on its own at
// the zooms the plan shows it. Features' properties may be shared with
// other tiles: read them only.
func (ix *Index) Layers(req Request) (mvt.Layers, error) {
	pi, ok := ix.plans[req.Plan]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownPlan, req.Plan)
	}
	industry, err := ix.Industry(req.Plan, req.Industry)
	if err != nil {
		return nil, err
	}
	pg := pi.geom
	var holders map[string]plan.Role
	if industry != "" {
		holders = pi.plan.Holders(industry)
	}
	// A unit's properties in a layer: its identity, and with an industry
	// what the plan says of it (both as plan.UnitFields give them).
	props := func(g *unitGeom, identity map[string]any, theme plan.Output) geojson.Properties {
		if industry == "" {
			return identity // shared: the encoder only reads it
		}
		f := copyProps(identity)
		for k, v := range tileValues(plan.Properties(theme, g.u, pi.snap.View(pi.plan.ID, g.u.Code))) {
			f[k] = v
		}
		f["role"] = "none"
		if r := holders[g.u.Code]; r != "" {
			f["role"] = string(r)
		}
		return f
	}
	z := int(req.Tile.Z)
	zz := min(z, DefaultMaxZoom)
	units := &mvt.Layer{Name: LayerUnits, Version: 2, Extent: Extent}
	borders := &mvt.Layer{Name: LayerBorders, Version: 2, Extent: Extent}
	labels := &mvt.Layer{Name: LayerLabels, Version: 2, Extent: Extent}
	regions := &mvt.Layer{Name: LayerRegions, Version: 2, Extent: Extent}
	shown := make([]*zoomGeom, len(pg.groups))
	for gi, grp := range pg.groups {
		if !pg.show(grp.kind, z) {
			continue
		}
		zg := ix.zoomFor(pg, grp, zz)
		if zg.err != nil {
			return nil, zg.err
		}
		shown[gi] = zg
		var regionOf []int32
		if int32(gi) == pg.regionGroup {
			regionOf = pg.regions
		}
		tg, err := pg.cut(zg, req.Tile, uint(z-zz), regionOf)
		if err != nil {
			return nil, fmt.Errorf("plan %s tile %d/%d/%d: %w", req.Plan, req.Tile.Z, req.Tile.X, req.Tile.Y, err)
		}
		if len(tg.dropped) > 0 && ix.onDrop != nil {
			codes := make([]string, len(tg.dropped))
			for i, u := range tg.dropped {
				codes[i] = pg.units[u].u.Code
			}
			ix.onDrop(fmt.Sprintf("plan %s tile %d/%d/%d", req.Plan, req.Tile.Z, req.Tile.X, req.Tile.Y), codes)
		}
		for u, polys := range tg.polys {
			g := &pg.units[u]
			f := geojson.NewFeature(multiPolygon(polys))
			f.ID = g.id
			f.Properties = props(g, g.props, plan.InThemeTiles)
			units.Features = append(units.Features, f)
		}
		for _, br := range pg.borderLines(tg.borders) {
			var geom orb.Geometry = br.lines
			if len(br.lines) == 1 {
				geom = br.lines[0]
			}
			f := geojson.NewFeature(geom)
			f.ID = br.id
			f.Properties = geojson.Properties{"left": br.left, "right": br.right, "outer": br.right == "", "kind": grp.kind}
			borders.Features = append(borders.Features, f)
		}
		for r, polys := range tg.regions {
			f := geojson.NewFeature(multiPolygon(polys))
			f.ID = uint64(r) + 1
			f.Properties = geojson.Properties{"name": pg.regionNames[r], "name_en": pg.regionNamesEn[r]}
			regions.Features = append(regions.Features, f)
		}
	}
	n := float64(uint64(1) << req.Tile.Z)
	b := float64(Buffer) / (n * Extent)
	query := orb.Bound{
		Min: orb.Point{float64(req.Tile.X)/n - b, float64(req.Tile.Y)/n - b},
		Max: orb.Point{float64(req.Tile.X+1)/n + b, float64(req.Tile.Y+1)/n + b},
	}
	pg.unitTree.Search(query, func(i int) bool {
		g := &pg.units[i]
		if !query.Contains(g.label) {
			return true
		}
		if g.group >= 0 && (shown[g.group] == nil || !shown[g.group].labels[int32(i)]) || g.group < 0 && !pg.show(g.u.Kind, z) {
			return true
		}
		p := orb.Point{math.Round(g.label[0]*n*Extent - float64(req.Tile.X)*Extent), math.Round(g.label[1]*n*Extent - float64(req.Tile.Y)*Extent)}
		f := geojson.NewFeature(p)
		f.ID = g.id
		f.Properties = props(g, g.labels, plan.InThemeLabels)
		labels.Features = append(labels.Features, f)
		return true
	})
	places := &mvt.Layer{Name: LayerPlaces, Version: 2, Extent: Extent}
	pg.placeTree.Search(query, func(i int) bool {
		pl := &pg.places[i]
		if z < pl.minZoom || !query.Contains(pl.world) {
			return true
		}
		f := geojson.NewFeature(orb.Point{math.Round(pl.world[0]*n*Extent - float64(req.Tile.X)*Extent), math.Round(pl.world[1]*n*Extent - float64(req.Tile.Y)*Extent)})
		f.ID = pl.id
		f.Properties = pl.props
		places.Features = append(places.Features, f)
		return true
	})
	sortFeatures(units)
	sortFeatures(borders)
	sortFeatures(labels)
	sortFeatures(regions)
	sortFeatures(places)
	ls := mvt.Layers{units, borders, labels}
	if pg.regionGroup >= 0 {
		ls = append(ls, regions)
	}
	if len(places.Features) > 0 {
		ls = append(ls, places)
	}
	if rivers := pg.riverLayer(z, req.Tile.X, req.Tile.Y, query); len(rivers.Features) > 0 {
		ls = append(ls, rivers)
	}
	return ls, nil
}

// multiPolygon converts a unit's tile polygons for the encoder (rings
// open: the encoder closes them with ClosePath).
func multiPolygon(polys []topo.Polygon) orb.MultiPolygon {
	mp := make(orb.MultiPolygon, len(polys))
	for i, p := range polys {
		mp[i] = make(orb.Polygon, len(p))
		for j, r := range p {
			ring := make(orb.Ring, len(r))
			for k, q := range r {
				ring[k] = orb.Point{float64(q.X), float64(q.Y)}
			}
			mp[i][j] = ring
		}
	}
	return mp
}

// borderLine is the border between two units (or a unit and the
// outside) within one tile.
type borderLine struct {
	id          uint64
	left, right string
	lines       orb.MultiLineString
}

// borderLines chains a tile's border edges into lines, one feature per
// pair of units. Edges are turned so that, on a north-up map, left is on
// the left and an outer border has the outside on its right. A pair's
// id is a function of the two units' places in the plan.
func (pg *planGeom) borderLines(edges []zEdge) []borderLine {
	type key struct{ l, r int32 }
	by := map[key][]zEdge{}
	for _, e := range edges {
		// In tile coordinates (y down) e.left lies on the right of a→b as
		// seen on the map: walk b→a.
		e = zEdge{e.b, e.a, e.left, e.right}
		if e.left < 0 || (e.right >= 0 && pg.units[e.right].u.Code < pg.units[e.left].u.Code) {
			e = zEdge{e.b, e.a, e.right, e.left}
		}
		by[key{e.left, e.right}] = append(by[key{e.left, e.right}], e)
	}
	out := make([]borderLine, 0, len(by))
	for k, es := range by {
		bl := borderLine{left: pg.units[k.l].u.Code}
		if k.r >= 0 {
			bl.right = pg.units[k.r].u.Code
		}
		// The same pair has the same id in every tile; small ids keep
		// low-zoom tiles, with thousands of borders, small.
		bl.id = uint64(k.l+1)*uint64(len(pg.units)+1) + uint64(k.r+1)
		bl.lines = chain(es)
		out = append(out, bl)
	}
	return out
}

// chain links directed edges into as few lines as possible, starting
// lines where an edge has no predecessor, then closed loops; the result
// does not depend on the edges' order.
func chain(es []zEdge) orb.MultiLineString {
	// Edges by their ends' keys (topo.Key sorts as topo.Less): one
	// integer compare orders them, and a line's next edge is found by a
	// binary search over the starts.
	ks := make([]keyedEdge, len(es))
	for i, e := range es {
		ks[i] = keyedEdge{topo.Key(e.a), topo.Key(e.b), e.a, e.b}
	}
	if !sortTileEdges(es, ks) {
		slices.SortFunc(ks, func(x, y keyedEdge) int {
			if c := cmp.Compare(x.a, y.a); c != 0 {
				return c
			}
			return cmp.Compare(x.b, y.b)
		})
	}
	starts := make([]uint64, len(ks))
	ends := make([]uint64, len(ks))
	for i, e := range ks {
		starts[i], ends[i] = e.a, e.b
	}
	slices.Sort(ends)
	// degree counts the keys equal to k in a sorted list.
	degree := func(keys []uint64, k uint64) int {
		i, _ := slices.BinarySearch(keys, k)
		n := 0
		for ; i+n < len(keys) && keys[i+n] == k; n++ {
		}
		return n
	}
	used := make([]bool, len(ks))
	var out orb.MultiLineString
	walk := func(i int) {
		ls := orb.LineString{{float64(ks[i].pa.X), float64(ks[i].pa.Y)}}
		for i >= 0 && !used[i] {
			used[i] = true
			ls = append(ls, orb.Point{float64(ks[i].pb.X), float64(ks[i].pb.Y)})
			next := -1
			j, _ := slices.BinarySearch(starts, ks[i].b)
			for ; j < len(ks) && starts[j] == ks[i].b; j++ {
				if !used[j] {
					next = j
					break
				}
			}
			i = next
		}
		out = append(out, ls)
	}
	for i, e := range ks {
		if !used[i] && degree(ends, e.a) != degree(starts, e.a) {
			walk(i)
		}
	}
	for i := range ks {
		if !used[i] {
			walk(i)
		}
	}
	return out
}

// keyedEdge is a border edge with its ends' keys (topo.Key).
type keyedEdge struct {
	a, b   uint64
	pa, pb topo.P
}

// sortTileEdges orders ks (made from es, in the same order) by their
// ends as one sort of integers, when every point lies in the clip box
// (13 bits a coordinate) and there are fewer than 4096 edges: each
// edge's two ends and its place fit in 64 bits.
func sortTileEdges(es []zEdge, ks []keyedEdge) bool {
	if len(es) >= 1<<12 {
		return false
	}
	local := func(p topo.P) (uint64, bool) {
		x, y := int64(p.X)-boxLo, int64(p.Y)-boxLo
		return uint64(x)<<13 | uint64(y), x >= 0 && y >= 0 && x < 1<<13 && y < 1<<13
	}
	order := make([]uint64, len(es))
	for i, e := range es {
		a, okA := local(e.a)
		b, okB := local(e.b)
		if !okA || !okB {
			return false
		}
		order[i] = a<<38 | b<<12 | uint64(i)
	}
	slices.Sort(order)
	sorted := make([]keyedEdge, len(ks))
	for i, o := range order {
		sorted[i] = ks[o&(1<<12-1)]
	}
	copy(ks, sorted)
	return true
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
// The bytes may be shared with other tiles: callers must not change them.
func (ix *Index) Encode(req Request) ([]byte, error) {
	ls, err := ix.Layers(req)
	if err != nil || Empty(ls) {
		return nil, err
	}
	// A layer without features is left out (the spec: a layer SHOULD
	// contain at least one; GDAL reads an empty one as a layer without
	// fields).
	ls = slices.DeleteFunc(slices.Clone(ls), func(l *mvt.Layer) bool { return len(l.Features) == 0 })
	raw, err := mvt.Marshal(ls)
	if err != nil {
		return nil, err
	}
	if len(raw) <= maxSmallBody {
		if gz, ok := ix.small.get(raw); ok {
			return gz, nil
		}
	}
	gz, err := ix.gzip(raw)
	if err == nil && len(raw) <= maxSmallBody {
		ix.small.put(raw, gz)
	}
	return gz, err
}

// gzip compresses a tile's bytes.
func (ix *Index) gzip(raw []byte) ([]byte, error) {
	// A gzip writer holds about a megabyte of state: reuse them.
	var buf bytes.Buffer
	var zw *gzip.Writer
	select {
	case zw = <-ix.gzips:
		zw.Reset(&buf)
	default:
		zw = gzip.NewWriter(&buf)
	}
	defer func() {
		select {
		case ix.gzips <- zw:
		default:
		}
	}()
	if _, err := zw.Write(raw); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Bounds of the small tiles' store: bodies up to maxSmallBody raw bytes
// (a unit's whole-tile square with its properties), at most
// maxSmallBodies of them (a few megabytes) before it starts afresh.
const (
	maxSmallBody   = 512
	maxSmallBodies = 1 << 13
)

// smallBodies maps small tiles' raw bytes to their gzipped bytes.
type smallBodies struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (s *smallBodies) get(raw []byte) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	gz, ok := s.m[string(raw)]
	return gz, ok
}

func (s *smallBodies) put(raw, gz []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.m) >= maxSmallBodies {
		clear(s.m)
	}
	s.m[string(raw)] = gz
}
