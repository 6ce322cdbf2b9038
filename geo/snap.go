package geo

import (
	"fmt"
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// DefaultSnapM is how far apart two drawings of one border may lie and
// still be made one. The DataV polygons were simplified one by one, so
// the two sides of a border are drawn tens of metres apart.
const DefaultSnapM = 80

// Snap makes neighbours' shared borders identical, so that each shared
// border becomes one arc that tiles can simplify once for both sides.
// Units are taken in code order; where a unit's border runs within tolM
// of an earlier neighbour's, that stretch is replaced by the neighbour's
// own points (and the stretch's two ends are added to the neighbour), so
// both sides then carry the same points. Shapes are changed in place;
// the notes say what needed repair or could not be snapped.
func Snap(shapes []Shape, ns []Neighbour, tolM float64) []string {
	idx := map[string]int{}
	for i, s := range shapes {
		idx[s.ID] = i
	}
	lower := make([][]int, len(shapes)) // earlier neighbours, in code order
	for _, n := range ns {
		a, okA := idx[n.A]
		b, okB := idx[n.B]
		if okA && okB {
			lower[b] = append(lower[b], a) // n.A < n.B
		}
	}
	order := make([]int, len(shapes))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(i, j int) bool { return shapes[order[i]].ID < shapes[order[j]].ID })
	for i := range lower {
		sort.Slice(lower[i], func(x, y int) bool { return shapes[lower[i][x]].ID < shapes[lower[i][y]].ID })
	}
	geoms := make([]orb.MultiPolygon, len(shapes))
	for i, s := range shapes {
		geoms[i] = cloneMP(s.Geom)
	}
	tol := tolM / metresPerDegree
	for _, b := range order {
		for _, a := range lower[b] {
			snapPair(geoms[b], geoms[a], tol)
		}
	}
	var notes []string
	for _, i := range order {
		out := geoms[i]
		if bad := crossingUnits(out); bad != "" {
			// Taking a neighbour's points can fold a ring where the two
			// drawings of a border zigzag across each other; repair
			// splits the fold off and merges it back.
			fixed, log := Repair(out)
			if len(log.Unfixed) > 0 || crossingUnits(fixed) != "" {
				notes = append(notes, fmt.Sprintf("%s: not snapped to its neighbours: %s", shapes[i].ID, bad))
				continue
			}
			notes = append(notes, fmt.Sprintf("%s: snapped; %s; repaired", shapes[i].ID, bad))
			out = fixed
		}
		shapes[i].Geom = out
	}
	return notes
}

func cloneMP(mp orb.MultiPolygon) orb.MultiPolygon {
	out := make(orb.MultiPolygon, len(mp))
	for i, p := range mp {
		out[i] = make(orb.Polygon, len(p))
		for j, r := range p {
			out[i][j] = append(orb.Ring(nil), r...)
		}
	}
	return out
}

// crossingUnits describes the first self-crossing of a snapped shape.
func crossingUnits(mp orb.MultiPolygon) string {
	for pi, p := range mp {
		for _, r := range p {
			if len(r) < 4 || PlanarArea(r) == 0 {
				return fmt.Sprintf("polygon %d collapsed", pi)
			}
		}
		for _, c := range Crossings(p) {
			if isProperCrossing(p, c) {
				return fmt.Sprintf("polygon %d would cross itself at %.6f,%.6f", pi, c.At[0], c.At[1])
			}
		}
	}
	return ""
}

// boundaryHit is the nearest point of a shape's boundary to a point.
type boundaryHit struct {
	poly, ring, seg int
	t               float64
	p               orb.Point
}

// boundaryIndex finds the nearest boundary point of one shape.
type boundaryIndex struct {
	mp    orb.MultiPolygon
	bound orb.Bound
	k     float64
	cell  float64
	cells map[[2]int][][3]int
}

// newBoundaryIndex indexes the segments of mp that reach into region.
func newBoundaryIndex(mp orb.MultiPolygon, cell float64, region orb.Bound) *boundaryIndex {
	bx := &boundaryIndex{mp: mp, bound: mp.Bound(), k: math.Cos(mp.Bound().Center()[1] * math.Pi / 180), cell: cell, cells: map[[2]int][][3]int{}}
	for pi, p := range mp {
		for ri, r := range p {
			for si := 0; si+1 < len(r); si++ {
				if !segBound(r[si], r[si+1]).Intersects(region) {
					continue
				}
				a, b := bx.key(r[si]), bx.key(r[si+1])
				for x := min(a[0], b[0]); x <= max(a[0], b[0]); x++ {
					for y := min(a[1], b[1]); y <= max(a[1], b[1]); y++ {
						bx.cells[[2]int{x, y}] = append(bx.cells[[2]int{x, y}], [3]int{pi, ri, si})
					}
				}
			}
		}
	}
	return bx
}

func (bx *boundaryIndex) key(p orb.Point) [2]int {
	return [2]int{int(math.Floor(p[0] * bx.k / bx.cell)), int(math.Floor(p[1] / bx.cell))}
}

// nearest returns the closest boundary point within tol (degrees of
// latitude; longitude scaled by cos(latitude)).
func (bx *boundaryIndex) nearest(p orb.Point, tol float64) (boundaryHit, bool) {
	c := bx.key(p)
	best, bestD := boundaryHit{}, tol*tol
	found := false
	lp := orb.Point{p[0] * bx.k, p[1]}
	for x := c[0] - 1; x <= c[0]+1; x++ {
		for y := c[1] - 1; y <= c[1]+1; y++ {
			for _, s := range bx.cells[[2]int{x, y}] {
				r := bx.mp[s[0]][s[1]]
				a, b := orb.Point{r[s[2]][0] * bx.k, r[s[2]][1]}, orb.Point{r[s[2]+1][0] * bx.k, r[s[2]+1][1]}
				dx, dy := b[0]-a[0], b[1]-a[1]
				t := 0.0
				if l2 := dx*dx + dy*dy; l2 > 0 {
					t = math.Max(0, math.Min(1, ((lp[0]-a[0])*dx+(lp[1]-a[1])*dy)/l2))
				}
				qx, qy := a[0]+t*dx-lp[0], a[1]+t*dy-lp[1]
				if d := qx*qx + qy*qy; d <= bestD {
					best, bestD, found = boundaryHit{s[0], s[1], s[2], t, orb.Point{}}, d, true
				}
			}
		}
	}
	if found {
		r := bx.mp[best.poly][best.ring]
		a, b := r[best.seg], r[best.seg+1]
		best.p = orb.Point{a[0] + best.t*(b[0]-a[0]), a[1] + best.t*(b[1]-a[1])}
	}
	return best, found
}

// insertion is a point to add to a segment of the reference shape.
type insertion struct {
	poly, ring, seg int
	t               float64
	p               orb.Point
}

// snapPair replaces the stretches of b's rings that run along a's border
// by a's points, and adds the stretches' ends to a.
func snapPair(b, a orb.MultiPolygon, tol float64) {
	bx := newBoundaryIndex(a, math.Max(tol, 1e-6)*2, grow(b.Bound(), tol))
	var ins []insertion
	for pi, poly := range b {
		for ri, r := range poly {
			poly[ri] = snapRing(r, a, bx, tol, &ins)
		}
		b[pi] = poly
	}
	applyInsertions(a, ins)
}

func snapRing(r orb.Ring, a orb.MultiPolygon, bx *boundaryIndex, tol float64, ins *[]insertion) orb.Ring {
	n := len(r) - 1
	if n < 3 {
		return r
	}
	hits := make([]boundaryHit, n)
	near := make([]bool, n)
	start := -1
	reach := grow(bx.bound, tol)
	for i := 0; i < n; i++ {
		if reach.Contains(r[i]) {
			hits[i], near[i] = bx.nearest(r[i], tol)
		}
		if !near[i] && start < 0 {
			start = i
		}
	}
	if start < 0 {
		return r // the whole ring lies along a: left as it is
	}
	var out orb.Ring
	for k := 0; k < n; {
		i := (start + k) % n
		if !near[i] {
			out = append(out, r[i])
			k++
			continue
		}
		// A run of vertices along a's border: from i to e.
		e := k
		for e+1 < n && near[(start+e+1)%n] && sameRing(hits[(start+e+1)%n], hits[i]) {
			e++
		}
		j := (start + e) % n
		if path, ok := alongPath(a, hits[i], hits[j], runLength(r, start, k, e), tol); ok {
			out = append(out, path...)
			*ins = append(*ins, insertion{hits[i].poly, hits[i].ring, hits[i].seg, hits[i].t, path[0]},
				insertion{hits[j].poly, hits[j].ring, hits[j].seg, hits[j].t, path[len(path)-1]})
		} else {
			for m := k; m <= e; m++ {
				out = append(out, r[(start+m)%n])
			}
		}
		k = e + 1
	}
	out = append(out, out[0])
	c, _ := cleanRing(out)
	if c == nil || PlanarArea(c) == 0 {
		return r
	}
	return c
}

func sameRing(x, y boundaryHit) bool { return x.poly == y.poly && x.ring == y.ring }

func runLength(r orb.Ring, start, k, e int) float64 {
	n := len(r) - 1
	l := 0.0
	for m := k; m < e; m++ {
		p, q := r[(start+m)%n], r[(start+m+1)%n]
		l += math.Hypot((q[0]-p[0])*math.Cos(p[1]*math.Pi/180), q[1]-p[1])
	}
	return l
}

// alongPath returns a's border between the hits of a run's first and
// last vertex, in the run's direction: b walks the border against a's
// direction, so the path follows a backwards from hs to he. Ends close to
// a vertex of a take that vertex. It fails when the path is not about as
// long as the run (the hits fell on different stretches of a).
func alongPath(a orb.MultiPolygon, hs, he boundaryHit, runLen, tol float64) ([]orb.Point, bool) {
	ra := a[hs.poly][hs.ring]
	m := len(ra) - 1
	vtol := tol / 4
	end := func(h boundaryHit) orb.Point {
		p, q := ra[h.seg], ra[h.seg+1]
		if dist(h.p, p) < vtol {
			return p
		}
		if dist(h.p, q) < vtol {
			return q
		}
		return h.p
	}
	ps, pe := end(hs), end(he)
	// Walk a forward from he to hs, then reverse.
	fwd := []orb.Point{pe}
	if !(he.seg == hs.seg && he.t <= hs.t) {
		for s := (he.seg + 1) % m; ; s = (s + 1) % m {
			fwd = append(fwd, ra[s])
			if s == hs.seg || len(fwd) > m+1 {
				break
			}
		}
	}
	fwd = append(fwd, ps)
	path := make([]orb.Point, 0, len(fwd))
	for i := len(fwd) - 1; i >= 0; i-- {
		if len(path) == 0 || path[len(path)-1] != fwd[i] {
			path = append(path, fwd[i])
		}
	}
	l := 0.0
	for i := 0; i+1 < len(path); i++ {
		l += dist(path[i], path[i+1])
	}
	if l > 2*runLen+4*tol || runLen > 2*l+4*tol {
		return nil, false
	}
	return path, true
}

// dist is a local planar distance in degrees of latitude.
func dist(p, q orb.Point) float64 {
	return math.Hypot((q[0]-p[0])*math.Cos(p[1]*math.Pi/180), q[1]-p[1])
}

// applyInsertions adds points to a's segments, in order along each.
func applyInsertions(a orb.MultiPolygon, ins []insertion) {
	by := map[[2]int][]insertion{}
	for _, in := range ins {
		by[[2]int{in.poly, in.ring}] = append(by[[2]int{in.poly, in.ring}], in)
	}
	for key, list := range by {
		r := a[key[0]][key[1]]
		sort.Slice(list, func(i, j int) bool {
			if list[i].seg != list[j].seg {
				return list[i].seg < list[j].seg
			}
			return list[i].t < list[j].t
		})
		out := make(orb.Ring, 0, len(r)+len(list))
		li := 0
		for s := 0; s+1 < len(r); s++ {
			out = append(out, r[s])
			for ; li < len(list) && list[li].seg == s; li++ {
				p := list[li].p
				if p != r[s] && p != r[s+1] && p != out[len(out)-1] {
					out = append(out, p)
				}
			}
		}
		out = append(out, r[len(r)-1])
		a[key[0]][key[1]] = out
	}
}
