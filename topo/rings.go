package topo

import (
	"slices"
	"sort"
)

// Polygon is an exterior ring (counter-clockwise: positive area) followed
// by its holes (clockwise), each ring without a repeated first point.
type Polygon [][]P

// Area2 is twice the signed area of a ring.
func Area2(r []P) int64 {
	if len(r) == 0 {
		return 0
	}
	o := r[0]
	var s int64
	for i := 1; i+1 < len(r); i++ {
		s += (int64(r[i].X)-int64(o.X))*(int64(r[i+1].Y)-int64(o.Y)) - (int64(r[i+1].X)-int64(o.X))*(int64(r[i].Y)-int64(o.Y))
	}
	return s
}

// Regions walks the boundary of each owner's faces (Face.Owner) into
// polygons. Where an owner's region touches itself at a node, the walk
// leaves by the first boundary half-edge clockwise of the arrival, so
// rings never cross themselves. A walk may still pass a node twice: a
// hole touching its exterior at one point is one boundary cycle with it.
// Such a ring is split there (splitPinches) into simple rings, the hole
// clockwise, so that rings meet other rings at single nodes at most and
// never touch themselves (OGC validity). Owners are returned in
// ascending order with their polygons.
func (g *Graph) Regions() map[int32][]Polygon {
	owner := func(e int32) int32 { return g.Faces[g.he[e].face].Owner }
	seen := make([]bool, len(g.he))
	// visit[node] is the number (from 1) of the last ring through it.
	visit := make([]int32, len(g.Nodes))
	rings := map[int32][][]P{}
	walk := int32(0)
	// Each ring is walked into scratch, then kept at its exact length: a
	// nation's rings grown by appends held half as much again.
	var scratch []P
	for e0 := range g.he {
		e := int32(e0)
		u := owner(e)
		if seen[e] || u < 0 || owner(e^1) == u {
			continue
		}
		walk++
		r := scratch[:0]
		pinched := false
		for f := e; !seen[f]; {
			seen[f] = true
			node := g.he[f].from
			pinched = pinched || visit[node] == walk
			visit[node] = walk
			r = append(r, g.Nodes[node])
			n := g.he[f].next
			for owner(n^1) == u {
				n = g.he[n^1].next
			}
			f = n
		}
		scratch = r
		if pinched {
			rings[u] = append(rings[u], splitPinches(r)...)
		} else {
			rings[u] = append(rings[u], slices.Clone(r))
		}
	}
	out := make(map[int32][]Polygon, len(rings))
	for u, rs := range rings {
		out[u] = Assemble(rs)
	}
	return out
}

// splitPinches cuts a ring that passes a point more than once into rings
// that do not: each loop closed at a repeated point is taken out as a
// ring of its own, and the rest goes on (A B C X D E X F gives X D E and
// A B C X F).
func splitPinches(r []P) [][]P {
	var out [][]P
	path := make([]P, 0, len(r))
	at := make(map[P]int, len(r))
	for _, p := range r {
		if i, ok := at[p]; ok {
			loop := append([]P(nil), path[i:]...)
			for _, q := range loop {
				delete(at, q)
			}
			out = append(out, loop)
			path = path[:i]
		}
		at[p] = len(path)
		path = append(path, p)
	}
	return append(out, path)
}

// Assemble sorts rings into polygons: each counter-clockwise ring is an
// exterior, each clockwise one a hole of the smallest exterior around it.
// Rings must come from one planar region boundary (no two share an edge).
func Assemble(rs [][]P) []Polygon {
	type ext struct {
		r  []P
		a2 int64
		p  Polygon
	}
	var exts []*ext
	var holes [][]P
	for _, r := range rs {
		if a := Area2(r); a > 0 {
			exts = append(exts, &ext{r: r, a2: a, p: Polygon{r}})
		} else if a < 0 {
			holes = append(holes, r)
		}
	}
	sort.SliceStable(exts, func(i, j int) bool { return exts[i].a2 < exts[j].a2 })
	for _, h := range holes {
		// The doubled midpoint of the hole's first edge lies on no other
		// ring of the region.
		m := [2]int64{int64(h[0].X) + int64(h[1%len(h)].X), int64(h[0].Y) + int64(h[1%len(h)].Y)}
		for _, e := range exts {
			if e.a2 > -Area2(h) && ringContains2(e.r, m) {
				e.p = append(e.p, h)
				break
			}
		}
	}
	sort.SliceStable(exts, func(i, j int) bool { return Less(exts[i].r[0], exts[j].r[0]) })
	out := make([]Polygon, len(exts))
	for i, e := range exts {
		out[i] = e.p
	}
	return out
}

// ringContains2 tests a point given in doubled coordinates against a
// ring (crossing number, exact: only edges that straddle the point's
// row are measured, so the products stay small).
func ringContains2(r []P, m [2]int64) bool {
	in := false
	for i := range r {
		a, b := r[i], r[(i+1)%len(r)]
		ax, ay, bx, by := 2*int64(a.X), 2*int64(a.Y), 2*int64(b.X), 2*int64(b.Y)
		if (ay > m[1]) != (by > m[1]) {
			o := (bx-ax)*(m[1]-ay) - (by-ay)*(m[0]-ax)
			if (by > ay) == (o > 0) {
				in = !in
			}
		}
	}
	return in
}
