package topo

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/indmap/indmap/geo/rtree"
	"github.com/paulmach/orb"
)

// A DegenerateError is a face boundary of no area: labelled segments
// that do not close into rings (a unit's outline broken, or collapsed by
// rounding into a line that does not cancel), found at a node.
type DegenerateError struct{ At P }

func (e *DegenerateError) Error() string {
	return fmt.Sprintf("topology: a face boundary at %v has no area", e.At)
}

// Count is how many times a unit covers a face.
type Count struct{ Unit, N int32 }

// Cover is a face's coverage: the units with a non-zero count, by unit.
type Cover []Count

// Positive lists the units that cover the face.
func (c Cover) Positive() []int32 {
	var out []int32
	for _, x := range c {
		if x.N > 0 {
			out = append(out, x.Unit)
		}
	}
	return out
}

// add returns c + s·d.
func (c Cover) add(d Cover, s int32) Cover {
	out := make(Cover, 0, len(c)+len(d))
	i, j := 0, 0
	for i < len(c) || j < len(d) {
		switch {
		case j == len(d) || (i < len(c) && c[i].Unit < d[j].Unit):
			out = append(out, c[i])
			i++
		case i == len(c) || d[j].Unit < c[i].Unit:
			out = append(out, Count{d[j].Unit, s * d[j].N})
			j++
		default:
			if n := c[i].N + s*d[j].N; n != 0 {
				out = append(out, Count{c[i].Unit, n})
			}
			i, j = i+1, j+1
		}
	}
	return out
}

type halfEdge struct {
	from int32 // node; a half-edge ends where its twin starts
	next int32 // next half-edge of the face on the left
	face int32
}

// Face is a face of the subdivision: the region left of its boundary
// cycles (one counter-clockwise cycle and its holes, or only clockwise
// cycles for the unbounded face).
type Face struct {
	// Cycles holds one half-edge of each boundary cycle.
	Cycles []int32
	// Area2 is twice the face's area in grid units² (0 when unbounded).
	Area2 int64
	Cover Cover
	// Owner is the unit the face is given to, -1 for none; set by the
	// caller (see Graph.Owners).
	Owner int32
}

// Graph is a planar subdivision: nodes, edges as twin half-edges (2e goes
// from the lesser end to the greater), and faces with their coverage.
type Graph struct {
	Nodes []P
	he    []halfEdge
	// flat[off[e]:off[e+1]] is edge e's coverage change, crossing
	// half-edge 2e from right to left.
	flat  []Count
	off   []int32
	Faces []Face
	// Unbounded is the face outside everything.
	Unbounded int32
}

// HalfEdges is the number of half-edges; e^1 is the twin of e.
func (g *Graph) HalfEdges() int { return len(g.he) }

// From, To, Face and Next describe half-edge e.
func (g *Graph) From(e int32) P { return g.Nodes[g.he[e].from] }

// To is the node half-edge e ends at.
func (g *Graph) To(e int32) P { return g.Nodes[g.he[e^1].from] }

// FaceOf is the face left of half-edge e.
func (g *Graph) FaceOf(e int32) int32 { return g.he[e].face }

// Next is the half-edge after e around its face.
func (g *Graph) Next(e int32) int32 { return g.he[e].next }

// Build nodes the segments with snap rounding and forms the subdivision.
// Coverage follows from the segments' labels: every unit's segments must
// form closed cycles (ring boundaries), so that the count a unit gets by
// crossing from the unbounded face does not depend on the path.
func Build(segs []Seg) (*Graph, error) { return BuildNoded(segs, nil) }

// BuildNoded is Build for segments of which some (settled[i]) are
// already noded among themselves by an earlier Build: only the others
// are tested for crossings, which saves most of the work when a few
// segments join a finished subdivision (a tile's clip box).
func BuildNoded(segs []Seg, settled []bool) (*Graph, error) {
	// Drop zero-length segments in place: the caller hands the slice over.
	n := 0
	for i, s := range segs {
		if s.A != s.B {
			segs[n] = s
			if settled != nil {
				settled[n] = settled[i]
			}
			n++
		}
	}
	if settled != nil {
		settled = settled[:n]
	}
	frags, err := snapRound(segs[:n], settled)
	if err != nil {
		return nil, err
	}
	g := &Graph{}
	if err := g.edges(frags); err != nil {
		return nil, err
	}
	g.link()
	if err := g.faces(); err != nil {
		return nil, err
	}
	err = g.cover()
	// The edges' coverage changes are in the faces' covers now: let them
	// go (a tenth of a nationwide import's peak of memory).
	g.flat, g.off = nil, nil
	return g, err
}

// Key maps a point to a 64-bit key that sorts as Less does.
func Key(p P) uint64 { return pack(p) }

// pack maps a point to a key that sorts as Less does.
func pack(p P) uint64 { return uint64(uint32(p.X)^1<<31)<<32 | uint64(uint32(p.Y)^1<<31) }

func unpack(k uint64) P { return P{int32(uint32(k>>32) ^ 1<<31), int32(uint32(k) ^ 1<<31)} }

// edges merges coinciding fragments, sums their labels and drops the
// edges across which no coverage changes. It sorts frags in place.
func (g *Graph) edges(frags []Seg) error {
	for i, f := range frags {
		if pack(f.B) < pack(f.A) {
			// Walked the other way, the sides swap.
			frags[i] = Seg{f.B, f.A, f.Right, f.Left}
		}
	}
	sortFunc(frags, workersFor(len(frags)), func(x, y Seg) int {
		if c := cmp.Compare(pack(x.A), pack(y.A)); c != 0 {
			return c
		}
		return cmp.Compare(pack(x.B), pack(y.B))
	})
	// Counted first: at an import's peak of memory, a slice grown by
	// appends held a third more than it needed.
	nk := 0
	for i, f := range frags {
		if i == 0 || f.A != frags[i-1].A {
			nk++
		}
		if i == 0 || f.A != frags[i-1].A || f.B != frags[i-1].B {
			nk++
		}
	}
	keys := make([]uint64, 0, nk)
	groups := 0
	for i, f := range frags {
		if i == 0 || f.A != frags[i-1].A {
			keys = append(keys, pack(f.A))
		}
		if i == 0 || f.A != frags[i-1].A || f.B != frags[i-1].B {
			keys = append(keys, pack(f.B))
			groups++
		}
	}
	sortFunc(keys, workersFor(len(keys)), cmp.Compare[uint64])
	keys = slices.Compact(keys)
	g.Nodes = make([]P, len(keys))
	for i, k := range keys {
		g.Nodes[i] = unpack(k)
	}
	// The nodes, in key order, are searched from here on: the keys are
	// let go before the half-edges are made (an import's peak of memory).
	keys = nil
	id := func(p P) int32 {
		k := pack(p)
		i, _ := slices.BinarySearchFunc(g.Nodes, k, func(n P, k uint64) int { return cmp.Compare(pack(n), k) })
		return int32(i)
	}
	g.he = make([]halfEdge, 0, 2*groups)
	g.flat = make([]Count, 0, groups+groups/4)
	g.off = append(make([]int32, 0, groups+1), 0)
	var d Cover
	aAt := 0
	for i := 0; i < len(frags); {
		j := i
		d = d[:0]
		for ; j < len(frags) && frags[j].A == frags[i].A && frags[j].B == frags[i].B; j++ {
			if u := frags[j].Left; u >= 0 {
				d = append(d, Count{u, 1})
			}
			if u := frags[j].Right; u >= 0 {
				d = append(d, Count{u, -1})
			}
		}
		if len(d) > 1 {
			slices.SortFunc(d, func(x, y Count) int { return cmp.Compare(x.Unit, y.Unit) })
		}
		start := len(g.flat)
		for _, c := range d {
			if n := len(g.flat); n > start && g.flat[n-1].Unit == c.Unit {
				g.flat[n-1].N += c.N
			} else {
				g.flat = append(g.flat, c)
			}
		}
		kept := slices.DeleteFunc(g.flat[start:], func(c Count) bool { return c.N == 0 })
		g.flat = g.flat[:start+len(kept)]
		if len(kept) > 0 {
			// Fragments come by A in order: A's node is found walking on.
			for g.Nodes[aAt] != frags[i].A {
				aAt++
			}
			// B's node is searched for below, on every core: for now
			// the twin holds the fragment's index.
			g.he = append(g.he, halfEdge{from: int32(aAt), face: -1}, halfEdge{from: int32(i), face: -1})
			g.off = append(g.off, int32(len(g.flat)))
		}
		i = j
	}
	parts(len(g.he)/2, workersFor(len(g.he)), func(_, lo, hi int) {
		for e := 2*lo + 1; e < 2*hi; e += 2 {
			g.he[e].from = id(frags[g.he[e].from].B)
		}
	})
	return nil
}

// delta is the coverage change crossing half-edge 2e from right to left.
func (g *Graph) delta(e int32) Cover { return g.flat[g.off[e]:g.off[e+1]] }

// half is the half-plane of a direction: 0 for angles in [0, π), 1 else.
func half(d [2]int64) int {
	if d[1] > 0 || (d[1] == 0 && d[0] > 0) {
		return 0
	}
	return 1
}

// link sorts the half-edges leaving each node by angle and sets next:
// after arriving at a node, a face's boundary leaves by the half-edge
// just clockwise of the one it came back along.
func (g *Graph) link() {
	// Bucket the half-edges by their node (counting sort), then order
	// each node's few half-edges by angle.
	start := make([]int32, len(g.Nodes)+1)
	for _, h := range g.he {
		start[h.from+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	out := make([]int32, len(g.he))
	fill := append([]int32(nil), start[:len(g.Nodes)]...)
	for e, h := range g.he {
		out[fill[h.from]] = int32(e)
		fill[h.from]++
	}
	dir := func(e int32) [2]int64 {
		a, b := g.Nodes[g.he[e].from], g.Nodes[g.he[e^1].from]
		return [2]int64{int64(b.X) - int64(a.X), int64(b.Y) - int64(a.Y)}
	}
	byAngle := func(x, y int32) int {
		dx, dy := dir(x), dir(y)
		if hx, hy := half(dx), half(dy); hx != hy {
			return hx - hy
		}
		// Counter-clockwise: x before y when y lies left of x.
		return -sgn(dx[0]*dy[1] - dx[1]*dy[0])
	}
	for n := range g.Nodes {
		list := out[start[n]:start[n+1]]
		if len(list) > 2 {
			slices.SortFunc(list, byAngle)
		}
		deg := len(list)
		for k, e := range list {
			// Half-edge e^1 arrives at this node; leave by the one just
			// clockwise of e.
			g.he[e^1].next = list[(k-1+deg)%deg]
		}
	}
}

// cycleArea2 is twice the signed area of the cycle through e.
func (g *Graph) cycleArea2(e int32) (int64, int) {
	o := g.Nodes[g.he[e].from]
	var s int64
	n := 0
	for f := e; ; {
		a, b := g.Nodes[g.he[f].from], g.Nodes[g.he[f^1].from]
		s += (int64(a.X)-int64(o.X))*(int64(b.Y)-int64(o.Y)) - (int64(b.X)-int64(o.X))*(int64(a.Y)-int64(o.Y))
		n++
		f = g.he[f].next
		if f == e || n > len(g.he) {
			break
		}
	}
	return s, n
}

// faces walks the cycles, makes a face of every counter-clockwise one
// and puts each clockwise one (the outside of a connected component) in
// the smallest face around it, or in the unbounded face.
func (g *Graph) faces() error {
	var cw []int32
	// Euler's formula: a connected plane graph has E − V + 2 faces (more
	// with more components), counted here without growing the slice.
	g.Faces = make([]Face, 0, max(len(g.he)/2-len(g.Nodes)+2, 1))
	for e := range g.he {
		if g.he[e].face != -1 {
			continue
		}
		a2, n := g.cycleArea2(int32(e))
		if n > len(g.he) {
			return errors.New("topology: a face boundary does not close")
		}
		fid := int32(-2) // visited; a clockwise cycle's face is found below
		switch {
		case a2 > 0:
			fid = int32(len(g.Faces))
			g.Faces = append(g.Faces, Face{Cycles: []int32{int32(e)}, Area2: a2, Owner: -1})
		case a2 < 0:
			cw = append(cw, int32(e))
		default:
			return &DegenerateError{At: g.Nodes[g.he[e].from]}
		}
		for f := int32(e); ; {
			g.he[f].face = fid
			if f = g.he[f].next; f == int32(e) {
				break
			}
		}
	}
	g.Unbounded = int32(len(g.Faces))
	g.Faces = append(g.Faces, Face{Owner: -1})
	if len(cw) == 0 {
		return nil
	}
	// Components: a clockwise cycle's component must not be searched for
	// a face around itself.
	comp := g.components()
	bounds := make([]orb.Bound, len(g.Faces)-1)
	parts(len(bounds), workersFor(len(g.he)), func(_, lo, hi int) {
		for fi := lo; fi < hi; fi++ {
			bounds[fi] = g.cycleBound(g.Faces[fi].Cycles[0])
		}
	})
	ix := rtree.New(bounds)
	for _, e := range cw {
		p := g.Nodes[g.he[e].from]
		c := comp[g.he[e].from]
		best, bestArea := g.Unbounded, int64(-1)
		q := orb.Point{float64(p.X), float64(p.Y)}
		ix.Search(orb.Bound{Min: q, Max: q}, func(fi int) bool {
			f := &g.Faces[fi]
			first := f.Cycles[0]
			if comp[g.he[first].from] == c || (bestArea >= 0 && f.Area2 >= bestArea) {
				return true
			}
			if g.cycleContains(first, p) {
				best, bestArea = int32(fi), f.Area2
			}
			return true
		})
		g.Faces[best].Cycles = append(g.Faces[best].Cycles, e)
		a2, _ := g.cycleArea2(e)
		if best != g.Unbounded {
			g.Faces[best].Area2 += a2
		}
		for f := e; ; {
			g.he[f].face = best
			if f = g.he[f].next; f == e {
				break
			}
		}
	}
	return nil
}

func (g *Graph) components() []int32 {
	parent := make([]int32, len(g.Nodes))
	for i := range parent {
		parent[i] = int32(i)
	}
	var find func(int32) int32
	find = func(i int32) int32 {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for e := 0; e < len(g.he); e += 2 {
		a, b := find(g.he[e].from), find(g.he[e+1].from)
		if a != b {
			parent[a] = b
		}
	}
	for i := range parent {
		parent[i] = find(int32(i))
	}
	return parent
}

func (g *Graph) cycleBound(e int32) orb.Bound {
	p := g.Nodes[g.he[e].from]
	b := orb.Bound{Min: orb.Point{float64(p.X), float64(p.Y)}, Max: orb.Point{float64(p.X), float64(p.Y)}}
	for f := g.he[e].next; f != e; f = g.he[f].next {
		q := g.Nodes[g.he[f].from]
		b = b.Extend(orb.Point{float64(q.X), float64(q.Y)})
	}
	return b
}

// cycleContains reports whether p, which lies on no edge of the cycle,
// is inside it (crossing number, exact).
func (g *Graph) cycleContains(e int32, p P) bool {
	in := false
	for f := e; ; {
		a, b := g.Nodes[g.he[f].from], g.Nodes[g.he[f^1].from]
		if (a.Y > p.Y) != (b.Y > p.Y) {
			// x of the edge at p.Y compared with p.X, without division.
			o := orient(a, b, p)
			if (b.Y > a.Y) == (o > 0) {
				in = !in
			}
		}
		if f = g.he[f].next; f == e {
			break
		}
	}
	return in
}

// cover sets every face's coverage by walking out from the unbounded
// face (coverage nil) across edges.
func (g *Graph) cover() error {
	seen := make([]bool, len(g.Faces))
	seen[g.Unbounded] = true
	queue := []int32{g.Unbounded}
	for len(queue) > 0 {
		fi := queue[0]
		queue = queue[1:]
		for _, start := range g.Faces[fi].Cycles {
			for e := start; ; {
				t := g.he[e^1].face
				if !seen[t] {
					// Crossing e from its left (fi) to its right.
					sign := int32(-1)
					if e&1 == 1 {
						sign = 1
					}
					g.Faces[t].Cover = g.Faces[fi].Cover.add(g.delta(e>>1), sign)
					seen[t] = true
					queue = append(queue, t)
				}
				if e = g.he[e].next; e == start {
					break
				}
			}
		}
	}
	for i, s := range seen {
		if !s {
			return fmt.Errorf("topology: face %d cannot be reached", i)
		}
	}
	return nil
}

// Length is the length of half-edge e in grid units, x scaled by kx.
func (g *Graph) Length(e int32, kx float64) float64 {
	a, b := g.Nodes[g.he[e].from], g.Nodes[g.he[e^1].from]
	dx, dy := (float64(b.X)-float64(a.X))*kx, float64(b.Y)-float64(a.Y)
	return math.Sqrt(dx*dx + dy*dy)
}
