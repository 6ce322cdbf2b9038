package tiles

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/indmap/indmap/topo"
	"github.com/paulmach/orb"
)

// simplifyUnits is the Douglas–Peucker tolerance in tile units: half a
// pixel of a 256-pixel tile.
const simplifyUnits = 8

// minPolygonArea2 is twice the area (tile units²) under which a region
// is reduced at its zoom: one pixel of a 256-pixel tile, as tippecanoe's
// tiny-polygon reduction.
const minPolygonArea2 = 2 * 16 * 16

// labelSpacing is how close (tile units) two labels may come at a zoom:
// 8 pixels of a 256-pixel tile (MapLibre's collision does the rest: with
// variable anchors it places more names than the tiles could thin to).
const labelSpacing = 128

// zEdge is a border on a zoom's integer grid (tile units of the zoom,
// counted from the world's origin) with the units left and right of it
// in tile coordinates (-1 for none).
type zEdge struct {
	a, b        topo.P
	left, right int32
}

// zoomGeom is one plan's geometry at one zoom: a partition snap-rounded
// onto the zoom's grid, generalised, as labelled edges.
type zoomGeom struct {
	// edges lists the edges cell by cell (see index): cell i's run starts
	// at cellAt[i], and its key is cellKeys[i], in order.
	edges    []zEdge
	cellKeys []uint64
	cellAt   []int32
	area2    map[int32]int64 // twice each visible unit's area
	labels   map[int32]bool  // units whose label is shown
	// dropped names the units left out of the zoom: their outlines did
	// not make a valid subdivision (see buildDropping).
	dropped []string
	err     error
}

// buildZoom simplifies a kind's arcs for zoom z (once per arc, so both
// sides of a border stay alike), snap-rounds them together onto the
// zoom's grid, gives every face one owner, reduces regions below a pixel
// into their neighbours and thins the labels.
func (pg *planGeom) buildZoom(grp *group, z int) *zoomGeom {
	scale := float64(uint64(Extent) << uint(z))
	tol := 0.0
	if z < DefaultMaxZoom {
		tol = simplifyUnits
	}
	n := 0
	for _, a := range grp.topo.Arcs {
		n += len(a.Points)
	}
	segs := make([]topo.Seg, 0, n)
	var sc arcScratch
	for ai, a := range grp.topo.Arcs {
		pts := sc.simplify(a.Points, grp.keepAbove[ai], scale, tol/scale)
		// The arcs run in lon/lat, where Left lies left; y points down
		// in tile coordinates, which swaps the sides.
		left, right := grp.unit(a.Right), grp.unit(a.Left)
		for k := 0; k+1 < len(pts); k++ {
			segs = append(segs, topo.Seg{A: pts[k], B: pts[k+1], Left: left, Right: right})
		}
	}
	zg := &zoomGeom{area2: map[int32]int64{}, labels: map[int32]bool{}}
	g, dropped, err := buildDropping(segs, nil)
	for _, u := range dropped {
		zg.dropped = append(zg.dropped, pg.units[u].u.Code)
	}
	if err != nil {
		// Snap rounding makes a planar graph by construction; should it
		// ever fail, the zoom's tiles fail rather than show wrong fills.
		zg.err = fmt.Errorf("plan %s %s zoom %d: %w", pg.planID, grp.kind, z, err)
		return zg
	}
	for fi := range g.Faces {
		if pos := g.Faces[fi].Cover.Positive(); len(pos) == 1 {
			g.Faces[fi].Owner = pos[0]
		}
	}
	g.Resolve(func(fi int32) bool { return g.Faces[fi].Area2 < minPolygonArea2 })
	pg.coalesce(g, z)
	for e := int32(0); e < int32(g.HalfEdges()); e += 2 {
		l, r := g.Faces[g.FaceOf(e)].Owner, g.Faces[g.FaceOf(e^1)].Owner
		if l != r {
			zg.edges = append(zg.edges, zEdge{g.From(e), g.To(e), l, r})
		}
	}
	for _, f := range g.Faces {
		if f.Owner >= 0 {
			zg.area2[f.Owner] += f.Area2
		}
	}
	zg.index()
	zg.thinLabels(pg, grp, scale)
	return zg
}

// maxUnitsPerTile bounds the unit polygons in one tile of a zoom: past
// it, a tile of thousands of units (a nationwide plan at z2–4) would
// outgrow a few hundred kilobytes.
const maxUnitsPerTile = 800

// coalesce reduces regions below a pixel into their neighbours
// (Generalise). Where a tile of the zoom would still hold more than
// maxUnitsPerTile units, the threshold grows by half until none does, so the
// smallest units merge first (tippecanoe's coalesce-smallest-as-needed),
// but islands (no neighbour to merge into) still go only under a pixel;
// the decision holds for the whole zoom, so tiles agree along their
// edges.
func (pg *planGeom) coalesce(g *topo.Graph, z int) {
	owners := make([]int32, len(g.Faces))
	for i, f := range g.Faces {
		owners[i] = f.Owner
	}
	n := float64(uint64(1) << uint(z))
	for minArea2 := int64(minPolygonArea2); ; minArea2 += minArea2 / 2 {
		for i := range g.Faces {
			g.Faces[i].Owner = owners[i]
		}
		g.Generalise(minArea2, minPolygonArea2)
		visible := map[int32]bool{}
		for _, f := range g.Faces {
			if f.Owner >= 0 {
				visible[f.Owner] = true
			}
		}
		perTile := map[[2]int]int{}
		most := 0
		for u := range visible {
			b := pg.units[u].bound
			for x := int(b.Min[0] * n); x <= int(b.Max[0]*n); x++ {
				for y := int(b.Min[1] * n); y <= int(b.Max[1]*n); y++ {
					perTile[[2]int{x, y}]++
					most = max(most, perTile[[2]int{x, y}])
				}
			}
		}
		if most <= maxUnitsPerTile || minArea2 > 1<<40 {
			return
		}
	}
}

// index lists the edges cell by cell: a cell is a tile of the zoom
// grown by Buffer (the box a tile is cut from), and an edge is listed in
// every cell its bounds meet, usually one. A tile's cut then reads one
// contiguous run, where an R-tree search cost a tenth of a sweep.
func (zg *zoomGeom) index() {
	type entry struct {
		key uint64
		e   int32
	}
	es := make([]entry, 0, len(zg.edges)+len(zg.edges)/8)
	for i, e := range zg.edges {
		minX, maxX := int64(min(e.a.X, e.b.X)), int64(max(e.a.X, e.b.X))
		minY, maxY := int64(min(e.a.Y, e.b.Y)), int64(max(e.a.Y, e.b.Y))
		// Cell c's box is [c·Extent − Buffer, (c+1)·Extent + Buffer].
		for cy := floorDiv(minY-Buffer-Extent, Extent); cy <= floorDiv(maxY+Buffer, Extent); cy++ {
			if minY > (cy+1)*Extent+Buffer || maxY < cy*Extent-Buffer {
				continue
			}
			for cx := floorDiv(minX-Buffer-Extent, Extent); cx <= floorDiv(maxX+Buffer, Extent); cx++ {
				if minX > (cx+1)*Extent+Buffer || maxX < cx*Extent-Buffer {
					continue
				}
				es = append(es, entry{cellKey(cx, cy), int32(i)})
			}
		}
	}
	if !countingSort(es, func(en entry) uint64 { return en.key }) {
		slices.SortFunc(es, func(x, y entry) int {
			if x.key != y.key {
				return cmp.Compare(x.key, y.key)
			}
			return cmp.Compare(x.e, y.e)
		})
	}
	edges := make([]zEdge, len(es))
	zg.cellKeys, zg.cellAt = zg.cellKeys[:0], zg.cellAt[:0]
	for i, en := range es {
		if i == 0 || en.key != es[i-1].key {
			zg.cellKeys = append(zg.cellKeys, en.key)
			zg.cellAt = append(zg.cellAt, int32(i))
		}
		edges[i] = zg.edges[en.e]
	}
	zg.cellAt = append(zg.cellAt, int32(len(es)))
	zg.edges = edges
}

// countingSort orders entries by cell key (see cellKey), keeping the
// order of entries with the same key, by counting them per cell of the
// grid they span: linear, where a comparison sort of the hundred
// thousand entries of a deep zoom cost a third of its build. It does
// nothing and reports false when the grid has many more cells than
// there are entries.
func countingSort[E any](es []E, key func(E) uint64) bool {
	if len(es) == 0 {
		return true
	}
	minX, maxX, minY, maxY := uint64(math.MaxUint32), uint64(0), uint64(math.MaxUint32), uint64(0)
	for _, en := range es {
		k := key(en)
		x, y := k&(1<<32-1), k>>32
		minX, maxX, minY, maxY = min(minX, x), max(maxX, x), min(minY, y), max(maxY, y)
	}
	w, h := maxX-minX+1, maxY-minY+1
	if w*h > 4*uint64(len(es))+1024 {
		return false
	}
	// at[c] is where cell c's run starts (row-major: the keys' order).
	at := make([]int32, w*h+1)
	cell := func(en E) uint64 {
		k := key(en)
		return (k>>32-minY)*w + (k&(1<<32-1) - minX)
	}
	for _, en := range es {
		at[cell(en)+1]++
	}
	for c := 1; c < len(at); c++ {
		at[c] += at[c-1]
	}
	out := make([]E, len(es))
	for _, en := range es {
		c := cell(en)
		out[at[c]] = en
		at[c]++
	}
	copy(es, out)
	return true
}

// cellKey orders cells by row, then column (cells start at −1).
func cellKey(cx, cy int64) uint64 { return uint64(cy+1)<<32 | uint64(cx+1) }

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// cell lists the edges of cell (cx, cy).
func (zg *zoomGeom) cell(cx, cy int64) []zEdge {
	i, ok := slices.BinarySearch(zg.cellKeys, cellKey(cx, cy))
	if !ok {
		return nil
	}
	return zg.edges[zg.cellAt[i]:zg.cellAt[i+1]]
}

// search calls fn with every edge of cell (cx, cy) whose bounds meet b,
// which must lie inside the cell's box.
func (zg *zoomGeom) search(cx, cy int64, b orb.Bound, fn func(e zEdge)) {
	for _, e := range zg.cell(cx, cy) {
		if edgeBound(e).Intersects(b) {
			fn(e)
		}
	}
}

func edgeBound(e zEdge) orb.Bound {
	return orb.Bound{Min: orb.Point{float64(min(e.a.X, e.b.X)), float64(min(e.a.Y, e.b.Y))},
		Max: orb.Point{float64(max(e.a.X, e.b.X)), float64(max(e.a.Y, e.b.Y))}}
}

// thinLabels keeps, greedily by priority, the labels of a kind that lie
// at least labelSpacing from every label kept before: units with more
// area at this zoom first, then by code. A unit reduced away at this zoom
// has no label. (Units known by a point are labelled apart: see Layers.)
func (zg *zoomGeom) thinLabels(pg *planGeom, grp *group, scale float64) {
	type cand struct {
		unit  int32
		area2 int64
		at    orb.Point
	}
	var cs []cand
	for _, i := range grp.units {
		a, ok := zg.area2[i]
		if !ok {
			continue
		}
		g := pg.units[i]
		cs = append(cs, cand{i, a, orb.Point{g.label[0] * scale, g.label[1] * scale}})
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].area2 != cs[j].area2 {
			return cs[i].area2 > cs[j].area2
		}
		return pg.units[cs[i].unit].u.Code < pg.units[cs[j].unit].u.Code
	})
	cell := func(p orb.Point) [2]int64 {
		return [2]int64{int64(math.Floor(p[0] / labelSpacing)), int64(math.Floor(p[1] / labelSpacing))}
	}
	grid := map[[2]int64][]orb.Point{}
	for _, c := range cs {
		k := cell(c.at)
		free := true
		for dx := int64(-1); dx <= 1 && free; dx++ {
			for dy := int64(-1); dy <= 1 && free; dy++ {
				for _, q := range grid[[2]int64{k[0] + dx, k[1] + dy}] {
					if math.Hypot(q[0]-c.at[0], q[1]-c.at[1]) < labelSpacing {
						free = false
						break
					}
				}
			}
		}
		if free {
			zg.labels[c.unit] = true
			grid[k] = append(grid[k], c.at)
		}
	}
}

// arcScratch holds a buffer reused from arc to arc.
type arcScratch struct{ out []topo.P }

// simplify puts an arc (world coordinates) on a zoom's grid: the points
// Douglas–Peucker keeps within tol (world units; ranks from dpRanks),
// rounded, repeated points dropped. The result is valid until the next
// call.
func (sc *arcScratch) simplify(world []orb.Point, keepAbove []float64, scale, tol float64) []topo.P {
	out := sc.out[:0]
	for i, p := range world {
		if keepAbove[i] <= tol {
			continue
		}
		q := topo.P{X: int32(math.Round(p[0] * scale)), Y: int32(math.Round(p[1] * scale))}
		if len(out) == 0 || out[len(out)-1] != q {
			out = append(out, q)
		}
	}
	sc.out = out
	return out
}

// dpRanks runs Douglas–Peucker once for every tolerance: where the
// recursion picks a point its distance d is recorded, capped by the
// rank of the range's ends' split, so that simplifying within t keeps
// exactly the points ranked above t (the split points do not depend on
// t). Both ends rank +Inf; a closed arc is cut first at its point
// farthest from the start.
func dpRanks(pts []orb.Point) []float64 {
	r := make([]float64, len(pts))
	last := len(pts) - 1
	r[0], r[last] = math.Inf(1), math.Inf(1)
	if pts[0] == pts[last] && last > 1 {
		far, fd := 0, -1.0
		for i, p := range pts {
			if d := math.Hypot(p[0]-pts[0][0], p[1]-pts[0][1]); d > fd {
				far, fd = i, d
			}
		}
		r[far] = math.Inf(1)
		dpRank(pts, 0, far, math.Inf(1), r)
		dpRank(pts, far, last, math.Inf(1), r)
		return r
	}
	dpRank(pts, 0, last, math.Inf(1), r)
	return r
}

func dpRank(pts []orb.Point, i, j int, cap float64, r []float64) {
	for j > i+1 {
		a, b := pts[i], pts[j]
		dx, dy := b[0]-a[0], b[1]-a[1]
		l := math.Hypot(dx, dy)
		far, fd := -1, -1.0
		for k := i + 1; k < j; k++ {
			p := pts[k]
			var d float64
			if l == 0 {
				d = math.Hypot(p[0]-a[0], p[1]-a[1])
			} else {
				d = math.Abs(dx*(p[1]-a[1])-dy*(p[0]-a[0])) / l
			}
			if d > fd {
				far, fd = k, d
			}
		}
		fd = math.Min(fd, cap)
		r[far] = fd
		dpRank(pts, i, far, fd, r)
		i, cap = far, fd
	}
}
