package geo

import (
	"sort"

	"github.com/paulmach/orb"
)

// A Crossing is a point where two segments of a polygon's rings meet
// although they should not: a self-intersection or self-touch of one ring,
// or two rings that cross.
type Crossing struct {
	RingA, SegA int
	RingB, SegB int
	At          orb.Point
	// All is every shared point; more than one where segments overlap.
	All []orb.Point
}

type segRef struct {
	ring, seg  int
	minX, maxX float64
}

// Crossings finds the points where the polygon's ring segments intersect,
// other than where consecutive segments of one ring share their vertex.
// It sweeps segments sorted by x, so a ring of n points costs about
// n log n, not n².
func Crossings(poly orb.Polygon) []Crossing {
	n := 0
	for _, r := range poly {
		n += max(len(r)-1, 0)
	}
	// Sized at once: a nationwide import grew this list to twice its
	// length, a tenth of what reading the file allocated.
	segs := make([]segRef, 0, n)
	for ri, r := range poly {
		for si := 0; si+1 < len(r); si++ {
			a, b := r[si], r[si+1]
			segs = append(segs, segRef{ri, si, min(a[0], b[0]), max(a[0], b[0])})
		}
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].minX < segs[j].minX })
	var out []Crossing
	for i := range segs {
		s := segs[i]
		a1, a2 := poly[s.ring][s.seg], poly[s.ring][s.seg+1]
		for j := i + 1; j < len(segs) && segs[j].minX <= s.maxX; j++ {
			t := segs[j]
			if t.ring == s.ring && adjacentSegs(s.seg, t.seg, len(poly[s.ring])-1) {
				continue
			}
			b1, b2 := poly[t.ring][t.seg], poly[t.ring][t.seg+1]
			if max(a1[1], a2[1]) < min(b1[1], b2[1]) || max(b1[1], b2[1]) < min(a1[1], a2[1]) {
				continue
			}
			if pts := segmentNodes(a1, a2, b1, b2); len(pts) > 0 {
				c := Crossing{s.ring, s.seg, t.ring, t.seg, pts[0], pts}
				if c.RingA > c.RingB || (c.RingA == c.RingB && c.SegA > c.SegB) {
					c.RingA, c.SegA, c.RingB, c.SegB = c.RingB, c.SegB, c.RingA, c.SegA
				}
				out = append(out, c)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.RingA != b.RingA {
			return a.RingA < b.RingA
		}
		if a.SegA != b.SegA {
			return a.SegA < b.SegA
		}
		if a.RingB != b.RingB {
			return a.RingB < b.RingB
		}
		return a.SegB < b.SegB
	})
	return out
}

// adjacentSegs reports whether segments i and j of a closed ring with n
// segments share a vertex by construction.
func adjacentSegs(i, j, n int) bool {
	if i > j {
		i, j = j, i
	}
	return j == i+1 || (i == 0 && j == n-1)
}

func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

func sign(v float64) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

func onSegment(a, b, p orb.Point) bool {
	return min(a[0], b[0]) <= p[0] && p[0] <= max(a[0], b[0]) &&
		min(a[1], b[1]) <= p[1] && p[1] <= max(a[1], b[1])
}

// segmentNodes returns every point where a1a2 and b1b2 meet: the crossing
// point, or each endpoint that lies on the other segment (touch and
// collinear overlap), so that noding both segments at these points makes
// shared stretches identical edges.
func segmentNodes(a1, a2, b1, b2 orb.Point) []orb.Point {
	d1 := sign(orient(b1, b2, a1))
	d2 := sign(orient(b1, b2, a2))
	d3 := sign(orient(a1, a2, b1))
	d4 := sign(orient(a1, a2, b2))
	if d1*d2 < 0 && d3*d4 < 0 {
		o1, o2 := orient(b1, b2, a1), orient(b1, b2, a2)
		t := o1 / (o1 - o2)
		return []orb.Point{{a1[0] + t*(a2[0]-a1[0]), a1[1] + t*(a2[1]-a1[1])}}
	}
	var out []orb.Point
	add := func(p orb.Point) {
		for _, q := range out {
			if q == p {
				return
			}
		}
		out = append(out, p)
	}
	if d3 == 0 && onSegment(a1, a2, b1) {
		add(b1)
	}
	if d4 == 0 && onSegment(a1, a2, b2) {
		add(b2)
	}
	if d1 == 0 && onSegment(b1, b2, a1) {
		add(a1)
	}
	if d2 == 0 && onSegment(b1, b2, a2) {
		add(a2)
	}
	return out
}
