package geo

import (
	"hash/fnv"
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// An Arc is a stretch of border between junctions, shared by the shapes
// on its two sides (Right is -1 on an outer boundary). Walking the arc,
// Left's interior lies on the left.
type Arc struct {
	Points      []orb.Point
	Left, Right int
}

// An ArcRef is an arc in a ring, walked backwards when Reversed.
type ArcRef struct {
	Arc      int
	Reversed bool
}

// Topology describes polygons as rings of shared arcs: each border
// between two shapes is stored once, so simplifying it once simplifies
// both sides alike.
type Topology struct {
	Arcs []Arc
	// Rings[shape][polygon][ring] lists the arcs of each ring in order.
	Rings [][][][]ArcRef
}

// owners is the set of shapes along an edge: up to two, as in a
// partition, with more kept in an overflow slice.
type owners struct {
	a, b int32 // -1 when empty
	more []int
}

func (o owners) equal(p owners) bool {
	if o.a != p.a || o.b != p.b || len(o.more) != len(p.more) {
		return false
	}
	for i := range o.more {
		if o.more[i] != p.more[i] {
			return false
		}
	}
	return true
}

// BuildTopology cuts the rings of shapes into arcs at the vertices where
// the set of shapes sharing the border changes. Borders are shared only
// where the rings carry identical points (a partition: see
// topo.Partition).
func BuildTopology(shapes []orb.MultiPolygon) Topology {
	return BuildTopologyCut(shapes, nil)
}

// BuildTopologyCut is BuildTopology with arcs also cut at the points of
// cuts: where another layer's arcs end (a city's border cut where its
// counties' borders meet it, so that both simplify alike).
func BuildTopologyCut(shapes []orb.MultiPolygon, cuts map[orb.Point]bool) Topology {
	own, at := edgeOwners(shapes)
	t := Topology{Rings: make([][][][]ArcRef, len(shapes))}
	byKey := map[uint64][]int{}
	next := 0
	for si, mp := range shapes {
		t.Rings[si] = make([][][]ArcRef, len(mp))
		for pi, poly := range mp {
			t.Rings[si][pi] = make([][]ArcRef, len(poly))
			for ri, r := range poly {
				edges := len(r) - 1
				t.Rings[si][pi][ri] = t.cutRing(r, si, own, at[next:next+max(edges, 0)], byKey, cuts)
				next += max(edges, 0)
			}
		}
	}
	return t
}

// cutRing cuts a ring into arcs; edgeOwners[i] is the entry in own of
// its edge i.
func (t *Topology) cutRing(r orb.Ring, shape int, own []owners, edgeOwners []int32, byKey map[uint64][]int, cuts map[orb.Point]bool) []ArcRef {
	n := len(r) - 1 // edges; r[n] == r[0]
	var junctions []int
	prev := own[edgeOwners[n-1]]
	for i := 0; i < n; i++ {
		next := own[edgeOwners[i]]
		if !prev.equal(next) || cuts[r[i]] {
			junctions = append(junctions, i)
		}
		prev = next
	}
	if len(junctions) == 0 {
		// A ring shared whole (or not at all): start it at its least
		// point so both sides cut it alike.
		start := 0
		for i := 1; i < n; i++ {
			if less(r[i], r[start]) {
				start = i
			}
		}
		pts := make([]orb.Point, 0, n+1)
		for i := 0; i <= n; i++ {
			pts = append(pts, r[(start+i)%n])
		}
		return []ArcRef{t.arc(pts, shape, byKey)}
	}
	refs := make([]ArcRef, 0, len(junctions))
	for k, j := range junctions {
		end := junctions[(k+1)%len(junctions)]
		if end <= j {
			end += n
		}
		pts := make([]orb.Point, 0, end-j+1)
		for i := j; i <= end; i++ {
			pts = append(pts, r[i%n])
		}
		refs = append(refs, t.arc(pts, shape, byKey))
	}
	return refs
}

func less(a, b orb.Point) bool { return a[0] < b[0] || (a[0] == b[0] && a[1] < b[1]) }

// arc finds or adds the arc with these points (in either direction).
func (t *Topology) arc(pts []orb.Point, shape int, byKey map[uint64][]int) ArcRef {
	reversed := isReversedCanonical(pts)
	h := hashPoints(pts, reversed)
	for _, ai := range byKey[h] {
		a := t.Arcs[ai]
		if len(a.Points) != len(pts) {
			continue
		}
		if equalPoints(a.Points, pts, false) {
			return ArcRef{Arc: ai}
		}
		if equalPoints(a.Points, pts, true) {
			if a.Right == -1 && a.Left != shape {
				t.Arcs[ai].Right = shape
			}
			return ArcRef{Arc: ai, Reversed: true}
		}
	}
	t.Arcs = append(t.Arcs, Arc{Points: pts, Left: shape, Right: -1})
	byKey[h] = append(byKey[h], len(t.Arcs)-1)
	return ArcRef{Arc: len(t.Arcs) - 1}
}

// isReversedCanonical says whether pts read backwards come first, so an
// arc hashes the same from both sides.
func isReversedCanonical(pts []orb.Point) bool {
	for i, j := 0, len(pts)-1; i < j; i, j = i+1, j-1 {
		if pts[i] != pts[j] {
			return less(pts[j], pts[i])
		}
	}
	return false
}

func hashPoints(pts []orb.Point, reversed bool) uint64 {
	h := fnv.New64a()
	var buf [16]byte
	for i := range pts {
		p := pts[i]
		if reversed {
			p = pts[len(pts)-1-i]
		}
		x, y := math.Float64bits(p[0]), math.Float64bits(p[1])
		for k := 0; k < 8; k++ {
			buf[k], buf[8+k] = byte(x>>(8*k)), byte(y>>(8*k))
		}
		h.Write(buf[:])
	}
	return h.Sum64()
}

func equalPoints(a, b []orb.Point, reversed bool) bool {
	for i := range a {
		j := i
		if reversed {
			j = len(b) - 1 - i
		}
		if a[i] != b[j] {
			return false
		}
	}
	return true
}

// SharedPairs lists, for checks, the pairs of shapes that share an arc.
func (t *Topology) SharedPairs() [][2]int {
	seen := map[[2]int]bool{}
	for _, a := range t.Arcs {
		if a.Right >= 0 {
			p := [2]int{min(a.Left, a.Right), max(a.Left, a.Right)}
			seen[p] = true
		}
	}
	out := make([][2]int, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] || (out[i][0] == out[j][0] && out[i][1] < out[j][1]) })
	return out
}
