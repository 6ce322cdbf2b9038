package geo

import (
	"container/heap"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/simplify"
)

// LabelPoint returns a point inside the largest polygon of g, as far from
// its edges as the search finds within precision (the pole of
// inaccessibility, Agafonkin's polylabel). A centroid can fall outside a
// concave shape; this point never does. Distances are measured in a local
// equirectangular frame so that "far" means the same north-south and
// east-west.
func LabelPoint(g orb.Geometry) orb.Point {
	var poly orb.Polygon
	switch g := g.(type) {
	case orb.Point:
		return g
	case orb.Polygon:
		poly = g
	case orb.MultiPolygon:
		best := -1.0
		for _, p := range g {
			if a := polygonAreaM2(p); a > best {
				best, poly = a, p
			}
		}
	}
	if len(poly) == 0 || len(poly[0]) == 0 {
		return orb.Point{}
	}
	b := poly[0].Bound()
	k := math.Cos((b.Min[1] + b.Max[1]) / 2 * math.Pi / 180)
	local := make(orb.Polygon, len(poly))
	for i, r := range poly {
		lr := make(orb.Ring, len(r))
		for j, p := range r {
			lr[j] = orb.Point{p[0] * k, p[1]}
		}
		local[i] = lr
	}
	precision := (b.Max[1] - b.Min[1]) / 1000
	// Search on a copy simplified within the precision: distances change
	// by less than the precision, at a fraction of the cost. A point that
	// falls outside the real polygon is searched again on it.
	simple := make(orb.Polygon, 0, len(local))
	for i, r := range local {
		sr := simplify.DouglasPeucker(precision).Ring(append(orb.Ring(nil), r...))
		if len(sr) < 4 {
			if i == 0 {
				break
			}
			continue // a hole within the precision
		}
		simple = append(simple, sr)
	}
	var p orb.Point
	if len(simple) == 0 {
		p = polylabel(local, precision)
	} else if p = polylabel(simple, precision); !PolygonContains(local, p) {
		p = polylabel(local, precision)
	}
	return orb.Point{p[0] / k, p[1]}
}

type labelCell struct {
	c    orb.Point
	h    float64 // half size
	d    float64 // signed distance from c to the polygon edge
	best float64 // upper bound of d within the cell
}

type cellQueue []labelCell

func (q cellQueue) Len() int            { return len(q) }
func (q cellQueue) Less(i, j int) bool  { return q[i].best > q[j].best }
func (q cellQueue) Swap(i, j int)       { q[i], q[j] = q[j], q[i] }
func (q *cellQueue) Push(x interface{}) { *q = append(*q, x.(labelCell)) }
func (q *cellQueue) Pop() interface{} {
	old := *q
	c := old[len(old)-1]
	*q = old[:len(old)-1]
	return c
}

func newLabelCell(c orb.Point, h float64, poly orb.Polygon) labelCell {
	d := signedDistance(c, poly)
	return labelCell{c: c, h: h, d: d, best: d + h*math.Sqrt2}
}

func polylabel(poly orb.Polygon, precision float64) orb.Point {
	b := poly[0].Bound()
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	size := math.Min(w, h)
	if size == 0 || precision <= 0 {
		return b.Min
	}
	q := &cellQueue{}
	for x := b.Min[0]; x < b.Max[0]; x += size {
		for y := b.Min[1]; y < b.Max[1]; y += size {
			heap.Push(q, newLabelCell(orb.Point{x + size/2, y + size/2}, size/2, poly))
		}
	}
	best := newLabelCell(b.Center(), 0, poly)
	if c := newLabelCell(ringCentroid(poly[0]), 0, poly); c.d > best.d {
		best = c
	}
	for n := 0; q.Len() > 0 && n < 100000; n++ {
		c := heap.Pop(q).(labelCell)
		if c.d > best.d {
			best = c
		}
		if c.best-best.d <= precision {
			continue
		}
		h := c.h / 2
		for _, o := range [4][2]float64{{-1, -1}, {1, -1}, {-1, 1}, {1, 1}} {
			heap.Push(q, newLabelCell(orb.Point{c.c[0] + o[0]*h, c.c[1] + o[1]*h}, h, poly))
		}
	}
	return best.c
}

func ringCentroid(r orb.Ring) orb.Point {
	var a, cx, cy float64
	for i := 0; i+1 < len(r); i++ {
		p, q := r[i], r[i+1]
		f := p[0]*q[1] - q[0]*p[1]
		a += f
		cx += (p[0] + q[0]) * f
		cy += (p[1] + q[1]) * f
	}
	if a == 0 {
		return r.Bound().Center()
	}
	return orb.Point{cx / (3 * a), cy / (3 * a)}
}

// signedDistance is positive inside the polygon (outside its holes).
func signedDistance(p orb.Point, poly orb.Polygon) float64 {
	inside := false
	minSq := math.Inf(1)
	for _, r := range poly {
		for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
			a, b := r[i], r[j]
			if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
				inside = !inside
			}
			if d := segDistSq(p, a, b); d < minSq {
				minSq = d
			}
		}
	}
	d := math.Sqrt(minSq)
	if inside {
		return d
	}
	return -d
}

// segDistSq is the squared planar distance from p to segment ab.
func segDistSq(p, a, b orb.Point) float64 {
	x, y := a[0], a[1]
	dx, dy := b[0]-x, b[1]-y
	if dx != 0 || dy != 0 {
		t := ((p[0]-x)*dx + (p[1]-y)*dy) / (dx*dx + dy*dy)
		if t > 1 {
			x, y = b[0], b[1]
		} else if t > 0 {
			x += dx * t
			y += dy * t
		}
	}
	dx, dy = p[0]-x, p[1]-y
	return dx*dx + dy*dy
}

// RingContains reports whether p lies inside ring r (even-odd rule).
func RingContains(r orb.Ring, p orb.Point) bool {
	inside := false
	for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
		a, b := r[i], r[j]
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
			inside = !inside
		}
	}
	return inside
}

// PolygonContains reports whether p lies inside the polygon's exterior and
// outside all its holes.
func PolygonContains(poly orb.Polygon, p orb.Point) bool {
	if len(poly) == 0 || !RingContains(poly[0], p) {
		return false
	}
	for _, h := range poly[1:] {
		if RingContains(h, p) {
			return false
		}
	}
	return true
}

// Contains reports whether the (multi)polygon g contains p.
func Contains(g orb.Geometry, p orb.Point) bool {
	switch g := g.(type) {
	case orb.Polygon:
		return PolygonContains(g, p)
	case orb.MultiPolygon:
		for _, poly := range g {
			if PolygonContains(poly, p) {
				return true
			}
		}
	}
	return false
}
