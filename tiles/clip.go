package tiles

import (
	"math"
	"slices"
	"sort"

	"github.com/indmap/indmap/topo"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// The clip box in tile coordinates: the tile grown by the buffer.
const (
	boxLo = -Buffer
	boxHi = Extent + Buffer
)

// tileGeom is one tile's units and borders in tile coordinates, and the
// regions (groups of units) when asked for.
type tileGeom struct {
	polys   map[int32][]topo.Polygon
	borders []zEdge
	regions map[int32][]topo.Polygon
	dropped []int32 // units left out of the tile (see buildDropping)
}

// perimNode is a node on the clip box with the edges that leave it into
// the box.
type perimNode struct {
	p   topo.P
	s   int64 // position along the box outline
	out []topo.Seg
}

// cut clips a zoom's edges to one tile and rebuilds the faces inside it:
// edges are clipped as lines (clip points rounded onto the box, where
// they stay), the box outline between them is labelled with the unit
// inside, and all of it is snap-rounded and formed into faces again, so
// that every unit's rings are valid and neighbours share their
// coordinates. shift is how many zooms the tile lies below the zoom's
// geometry (its coordinates are scaled by 2^shift). With regionOf (a
// region per unit, -1 for none), the faces are walked once more by
// region: each region's outline is its units' outer borders, exactly.
func (pg *planGeom) cut(zg *zoomGeom, t maptile.Tile, shift uint, regionOf []int32) (tileGeom, error) {
	m := int64(1) << shift
	ox, oy := int64(t.X)*Extent, int64(t.Y)*Extent
	q := orb.Bound{
		Min: orb.Point{math.Floor(float64(ox+boxLo) / float64(m)), math.Floor(float64(oy+boxLo) / float64(m))},
		Max: orb.Point{math.Ceil(float64(ox+boxHi) / float64(m)), math.Ceil(float64(oy+boxHi) / float64(m))},
	}
	var segs []topo.Seg
	var settled []bool // unchanged by clipping and off the outline
	nodes := map[topo.P]*perimNode{}
	node := func(p topo.P) *perimNode {
		n := nodes[p]
		if n == nil {
			n = &perimNode{p: p, s: perimPos(p)}
			nodes[p] = n
		}
		return n
	}
	zg.search(int64(t.X>>shift), int64(t.Y>>shift), q, func(e zEdge) {
		// Tile coordinates, 64-bit until clipped (deep zooms scale up).
		a := [2]int64{int64(e.a.X)*m - ox, int64(e.a.Y)*m - oy}
		b := [2]int64{int64(e.b.X)*m - ox, int64(e.b.Y)*m - oy}
		ca, cb, whole, ok := clipSeg(a, b)
		if !ok || ca == cb {
			return
		}
		if alongBox(ca, cb) {
			// On the outline: the outline itself stands for it.
			node(ca)
			node(cb)
			return
		}
		s := topo.Seg{A: ca, B: cb, Left: e.left, Right: e.right}
		segs = append(segs, s)
		settled = append(settled, whole && !onBox(ca) && !onBox(cb))
		if onBox(ca) {
			n := node(ca)
			n.out = append(n.out, s)
		}
		if onBox(cb) {
			n := node(cb)
			n.out = append(n.out, topo.Seg{A: cb, B: ca, Left: e.right, Right: e.left})
		}
	})
	if len(segs) == 0 && len(nodes) == 0 {
		u := pg.locate(zg, ox, oy, m)
		if u < 0 {
			return tileGeom{}, nil
		}
		box := []topo.P{{X: boxLo, Y: boxLo}, {X: boxHi, Y: boxLo}, {X: boxHi, Y: boxHi}, {X: boxLo, Y: boxHi}}
		tg := tileGeom{polys: map[int32][]topo.Polygon{u: {{box}}}}
		if regionOf != nil && regionOf[u] >= 0 {
			tg.regions = map[int32][]topo.Polygon{regionOf[u]: {{box}}}
		}
		return tg, nil
	}
	for _, c := range []topo.P{{X: boxLo, Y: boxLo}, {X: boxHi, Y: boxLo}, {X: boxHi, Y: boxHi}, {X: boxLo, Y: boxHi}} {
		node(c)
	}
	ring := make([]*perimNode, 0, len(nodes))
	for _, n := range nodes {
		ring = append(ring, n)
	}
	sort.Slice(ring, func(i, j int) bool { return ring[i].s < ring[j].s })
	owners := make([]int32, len(ring))
	start := -1
	for i, n := range ring {
		if len(n.out) > 0 {
			owners[i] = insideOwner(n)
			if start < 0 {
				start = i
			}
		}
	}
	if start < 0 {
		u := pg.locate(zg, ox, oy, m)
		for i := range owners {
			owners[i] = u
		}
	} else {
		for k := 1; k < len(ring); k++ {
			i := (start + k) % len(ring)
			if len(ring[i].out) == 0 {
				owners[i] = owners[(i-1+len(ring))%len(ring)]
			}
		}
	}
	for i, n := range ring {
		segs = append(segs, topo.Seg{A: n.p, B: ring[(i+1)%len(ring)].p, Left: owners[i], Right: -1})
		settled = append(settled, false)
	}
	g, dropped, err := buildDropping(segs, settled)
	if err != nil {
		return tileGeom{}, err
	}
	for fi := range g.Faces {
		if pos := g.Faces[fi].Cover.Positive(); len(pos) == 1 {
			g.Faces[fi].Owner = pos[0]
		}
	}
	// Rounding at the box can leave a face covered twice or not at all,
	// a few units wide: it goes to a neighbour as at import.
	g.Resolve(func(fi int32) bool { return g.Faces[fi].Area2 < 8 })
	tg := tileGeom{polys: g.Regions(), dropped: dropped}
	for e := int32(0); e < int32(g.HalfEdges()); e += 2 {
		l, r := g.Faces[g.FaceOf(e)].Owner, g.Faces[g.FaceOf(e^1)].Owner
		if a, b := g.From(e), g.To(e); l != r && !alongBox(a, b) {
			tg.borders = append(tg.borders, zEdge{a, b, l, r})
		}
	}
	if regionOf != nil {
		for fi := range g.Faces {
			if o := g.Faces[fi].Owner; o >= 0 {
				g.Faces[fi].Owner = regionOf[o]
			}
		}
		tg.regions = g.Regions()
	}
	return tg, nil
}

// insideOwner is the unit just inside the box after a node, going along
// the outline: the face between the outline and the first edge that
// leaves the node into the box, turning inwards, lies right of it.
func insideOwner(n *perimNode) int32 {
	d0 := outlineDir(n.p)
	best := n.out[0]
	for _, s := range n.out[1:] {
		v, w := dir(best), dir(s)
		// s comes before best when turning from d0 towards the inside.
		if cross(d0, w) > 0 && (cross(d0, v) <= 0 || cross(w, v) > 0) {
			best = s
		}
	}
	return best.Right
}

func dir(s topo.Seg) topo.P { return topo.P{X: s.B.X - s.A.X, Y: s.B.Y - s.A.Y} }

func cross(a, b topo.P) int64 { return int64(a.X)*int64(b.Y) - int64(a.Y)*int64(b.X) }

// outlineDir is the direction of the box outline leaving p, going round
// with the inside on the left (positive turn in tile coordinates).
func outlineDir(p topo.P) topo.P {
	switch {
	case p.Y == boxLo && p.X < boxHi:
		return topo.P{X: 1}
	case p.X == boxHi && p.Y < boxHi:
		return topo.P{Y: 1}
	case p.Y == boxHi && p.X > boxLo:
		return topo.P{X: -1}
	}
	return topo.P{Y: -1}
}

// perimPos is p's position along the outline from the top-left corner.
func perimPos(p topo.P) int64 {
	const w = boxHi - boxLo
	x, y := int64(p.X), int64(p.Y)
	switch {
	case y == boxLo && x < boxHi:
		return x - boxLo
	case x == boxHi && y < boxHi:
		return w + y - boxLo
	case y == boxHi && x > boxLo:
		return 2*w + boxHi - x
	}
	return 3*w + boxHi - y
}

func onBox(p topo.P) bool { return p.X == boxLo || p.X == boxHi || p.Y == boxLo || p.Y == boxHi }

// alongBox reports whether segment ab runs along one side of the box.
func alongBox(a, b topo.P) bool {
	return (a.X == b.X && (a.X == boxLo || a.X == boxHi)) || (a.Y == b.Y && (a.Y == boxLo || a.Y == boxHi))
}

// clipSeg clips ab to the box (Liang–Barsky); a clip point gets the box
// side's coordinate exactly and the other one rounded. whole says that
// neither end moved.
func clipSeg(a, b [2]int64) (ca, cb topo.P, whole, ok bool) {
	ax, ay := float64(a[0]), float64(a[1])
	dx, dy := float64(b[0]-a[0]), float64(b[1]-a[1])
	t0, t1 := 0.0, 1.0
	side0, side1 := -1, -1
	for k, c := range [4][2]float64{{-dx, ax - boxLo}, {dx, boxHi - ax}, {-dy, ay - boxLo}, {dy, boxHi - ay}} {
		p, q := c[0], c[1]
		if p == 0 {
			if q < 0 {
				return ca, cb, false, false
			}
			continue
		}
		r := q / p
		if p < 0 {
			if r > t1 {
				return ca, cb, false, false
			}
			if r > t0 {
				t0, side0 = r, k
			}
		} else {
			if r < t0 {
				return ca, cb, false, false
			}
			if r < t1 {
				t1, side1 = r, k
			}
		}
	}
	at := func(t float64, side int, end [2]int64) topo.P {
		if side < 0 {
			return topo.P{X: int32(end[0]), Y: int32(end[1])}
		}
		x, y := math.Round(ax+t*dx), math.Round(ay+t*dy)
		switch side {
		case 0:
			x = boxLo
		case 1:
			x = boxHi
		case 2:
			y = boxLo
		case 3:
			y = boxHi
		}
		return topo.P{X: int32(min(max(x, boxLo), boxHi)), Y: int32(min(max(y, boxLo), boxHi))}
	}
	return at(t0, side0, a), at(t1, side1, b), side0 < 0 && side1 < 0, true
}

// locate finds the unit around the tile's top-left box corner when no
// edge reaches the box outline: a ray to the left meets the nearest edge,
// whose side facing the corner names the unit (-1 for none). The ray
// runs through the cells of the corner's row, right to left.
func (pg *planGeom) locate(zg *zoomGeom, ox, oy, m int64) int32 {
	// The corner in the zoom's grid, a quarter unit off the grid's rows
	// so that the ray meets no vertex.
	qx := float64(ox+boxLo) / float64(m)
	qy := float64(oy+boxLo)/float64(m) + 0.25/float64(m)
	cy := int64(math.Floor(qy / Extent))
	i, _ := slices.BinarySearch(zg.cellKeys, cellKey(int64(math.Floor(qx/Extent))+2, cy))
	best, bestX := int32(-1), math.Inf(-1)
	for i--; i >= 0 && zg.cellKeys[i]>>32 == uint64(cy+1); i-- {
		for _, e := range zg.edges[zg.cellAt[i]:zg.cellAt[i+1]] {
			ay, by := float64(e.a.Y), float64(e.b.Y)
			if (ay > qy) == (by > qy) {
				continue
			}
			x := float64(e.a.X) + (qy-ay)*float64(e.b.X-e.a.X)/(by-ay)
			if x > qx || x <= bestX {
				continue
			}
			bestX = x
			// Which side of a→b is the corner on?
			o := float64(e.b.X-e.a.X)*(qy-ay) - (by-ay)*(qx-float64(e.a.X))
			if o > 0 {
				best = e.left
			} else {
				best = e.right
			}
		}
		// Cells further left reach no further right than this one's
		// left side plus two buffers.
		if cx := int64(zg.cellKeys[i]&(1<<32-1)) - 1; bestX > float64(cx*Extent+Buffer) {
			break
		}
	}
	return best
}
