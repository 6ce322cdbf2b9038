package topo

import (
	"cmp"
	"math"
	"slices"
	"sort"
)

// DefaultWeldM is the distance (metres) within which a unit's border
// that no neighbour shares is welded onto a neighbour's. Borders of
// neighbouring units drawn apart leave cracks a few centimetres to a
// metre wide; a crack that opens to the outside (at a province's edge, a
// lake) is no enclosed sliver, so Partition's sliver rule cannot close
// it, and tiles simplify its two walls apart into a visible gap.
const DefaultWeldM = 1.0

// weldCell is the side of the cells that hold the points inserted into
// edges (targets for later units), in grid units (1e-3°, about 100 m).
const weldCell = 10000

// vref names a unit's ring vertex (or the edge from it to the next).
type vref struct{ u, r, k int32 }

// welder moves the free vertices of each unit (those on borders no other
// unit shares exactly) onto the nearest vertex or edge of a unit before
// it in code order within tolM, and puts the earlier units' vertices
// that come within tolM of its free edges onto them, so that walls of a
// crack become one border that snap rounding then nodes as shared.
// Units are welded in order onto units already welded, so the result
// does not depend on the input's order; a vertex moves at most tolM.
type welder struct {
	rings [][][]P // unit → ring → points; moved in place
	free  [][][]bool
	// edgeOf numbers the free edges (unit → ring → vertex: the edge
	// from it, -1 when not free); edges lists them by number.
	edgeOf [][][]int32
	edges  []vref
	// Free edge i's partners, partners[partnerAt[i]:partnerAt[i+1]],
	// are the other units' free edges within closeReach of it (see
	// markClose): the only ones its ends can weld to or give to.
	partnerAt []int32
	partners  []int32
	tolM      float64
	extra     map[int64][]extraP
	pending   map[vref][]P // points to insert in an edge
	changed   []int        // unit → points moved or inserted
	near      []vref       // scratch: the free edges near a vertex
}

// extraP is a point inserted into a unit's edge, a vertex from then on.
type extraP struct {
	p P
	u int32
}

func cellKey(x, y int64) int64 { return x<<32 | (y & 0xffffffff) }

func cellOf(v int32) int64 { return int64(math.Floor(float64(v) / weldCell)) }

// weld welds the units' rings (already on the grid, oriented) and
// returns, per unit, how many points moved or were inserted.
func weld(rings [][][]P, tolM float64) ([][][]P, []int) {
	w := &welder{rings: rings, tolM: tolM, extra: map[int64][]extraP{}, pending: map[vref][]P{}, changed: make([]int, len(rings))}
	w.markFree()
	w.markClose()
	for u := range rings {
		w.weldUnit(int32(u))
	}
	return w.apply(), w.changed
}

// markFree marks the edges that no other unit has the other way round.
func (w *welder) markFree() {
	type dir struct {
		lo, hi  P // the edge's ends, least first
		forward bool
		at      vref
	}
	n := 0
	for _, rs := range w.rings {
		for _, r := range rs {
			n += len(r)
		}
	}
	all := make([]dir, 0, n)
	w.free = make([][][]bool, len(w.rings))
	for u, rs := range w.rings {
		w.free[u] = make([][]bool, len(rs))
		for ri, r := range rs {
			f := make([]bool, len(r))
			for k := range r {
				f[k] = true
				a, b := r[k], r[(k+1)%len(r)]
				d := dir{a, b, true, vref{int32(u), int32(ri), int32(k)}}
				if Less(b, a) {
					d.lo, d.hi, d.forward = b, a, false
				}
				all = append(all, d)
			}
			w.free[u][ri] = f
		}
	}
	sortFunc(all, workersFor(len(all)), func(x, y dir) int {
		if c := cmp.Compare(pack(x.lo), pack(y.lo)); c != 0 {
			return c
		}
		return cmp.Compare(pack(x.hi), pack(y.hi))
	})
	for i := 0; i < len(all); {
		j := i + 1
		for j < len(all) && all[j].lo == all[i].lo && all[j].hi == all[i].hi {
			j++
		}
		for p := i; p < j; p++ {
			for q := p + 1; q < j; q++ {
				if all[p].at.u != all[q].at.u && all[p].forward != all[q].forward {
					w.free[all[p].at.u][all[p].at.r][all[p].at.k] = false
					w.free[all[q].at.u][all[q].at.r][all[q].at.k] = false
				}
			}
		}
		i = j
	}
}

// closeReach is how near (in tolerances) two units' free edges must
// start for a vertex of one to weld to the other: a vertex moves at most
// one tolerance, the edge's ends too, and it may go to a point inserted
// within one tolerance of an edge, itself within one of the vertex.
const closeReach = 4

// markClose lists, for every free edge, the other units' free edges
// that start within closeReach tolerances of it (an end of one within
// that of the other), by one sweep over strips (eachPair). A vertex
// welds to and gives to only its edges' partners: any other unit's free
// edge near it is near its edge, of which it is an end. Most free edges
// are far from any other unit's (a province's outer border, a coast)
// and have none.
func (w *welder) markClose() {
	type edge struct{ a, b P }
	n := 0
	for _, rs := range w.free {
		for _, fs := range rs {
			for _, f := range fs {
				if f {
					n++
				}
			}
		}
	}
	es := make([]edge, 0, n)
	w.edges = make([]vref, 0, n)
	w.edgeOf = make([][][]int32, len(w.rings))
	maxY := int32(0)
	for u, rs := range w.rings {
		w.edgeOf[u] = make([][]int32, len(rs))
		for ri, r := range rs {
			ids := make([]int32, len(r))
			f := w.free[u][ri]
			for k := range r {
				ids[k] = -1
				if f[k] {
					a, b := r[k], r[(k+1)%len(r)]
					ids[k] = int32(len(es))
					es = append(es, edge{a, b})
					w.edges = append(w.edges, vref{int32(u), int32(ri), int32(k)})
					maxY = max(maxY, abs32(a.Y), abs32(b.Y))
				}
			}
			w.edgeOf[u][ri] = ids
		}
	}
	w.partnerAt = make([]int32, len(es)+1)
	if len(es) == 0 {
		return
	}
	reachM := closeReach * w.tolM
	// The margin in grid units where a metre spans the most of them (x
	// at the highest latitude), plus rounding.
	kx, ky := scales(min(maxY, 89*GridPerDegree))
	mx, my := int32(math.Ceil(reachM/kx))+2, int32(math.Ceil(reachM/ky))+2
	// Each edge as the diagonal of its box grown by the margin: eachPair
	// reports the pairs whose grown boxes meet, once each.
	boxes := make([]Seg, len(es))
	for i, e := range es {
		boxes[i] = Seg{A: P{min(e.a.X, e.b.X) - mx, min(e.a.Y, e.b.Y) - my}, B: P{max(e.a.X, e.b.X) + mx, max(e.a.Y, e.b.Y) + my}}
	}
	near := func(p, a, b P) bool { d, _ := distM(p, a, b); return d <= reachM }
	workers := workersFor(len(es))
	found := make([][]int32, workers)
	eachPair(boxes, cellShift(boxes), workers, func(wk, i, j int) {
		x, y := es[i], es[j]
		if w.edges[i].u != w.edges[j].u && (near(x.a, y.a, y.b) || near(x.b, y.a, y.b) || near(y.a, x.a, x.b) || near(y.b, x.a, x.b)) {
			found[wk] = append(found[wk], int32(i), int32(j))
		}
	})
	// Partner lists by a counting sort of the pairs, both ways.
	for _, f := range found {
		for _, i := range f {
			w.partnerAt[i+1]++
		}
	}
	for i := range es {
		w.partnerAt[i+1] += w.partnerAt[i]
	}
	w.partners = make([]int32, w.partnerAt[len(es)])
	fill := slices.Clone(w.partnerAt[:len(es)])
	for _, f := range found {
		for k := 0; k < len(f); k += 2 {
			i, j := f[k], f[k+1]
			w.partners[fill[i]], w.partners[fill[j]] = j, i
			fill[i]++
			fill[j]++
		}
	}
}

func abs32(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}

// partnersOf lists the free edges near either free edge (numbers, -1
// for none) of a vertex, in w.near, and reports whether there are any.
func (w *welder) partnersOf(in, out int32) bool {
	w.near = w.near[:0]
	for _, e := range [2]int32{in, out} {
		if e >= 0 {
			for _, p := range w.partners[w.partnerAt[e]:w.partnerAt[e+1]] {
				w.near = append(w.near, w.edges[p])
			}
		}
	}
	return len(w.near) > 0
}

// reach is the grid box around a point that holds everything within
// twice the tolerance of it (what it started as may have moved by one).
func (w *welder) reach(p P) (rx, ry int32) {
	kx, ky := scales(p.Y)
	return int32(math.Ceil(2*w.tolM/kx)) + 1, int32(math.Ceil(2*w.tolM/ky)) + 1
}

// cells calls f for every cell key of the box.
func cells(x0, y0, x1, y1 int32, f func(int64)) {
	for x := cellOf(x0); x <= cellOf(x1); x++ {
		for y := cellOf(y0); y <= cellOf(y1); y++ {
			f(cellKey(x, y))
		}
	}
}

// distM is the distance in metres from p to the segment ab and the
// nearest point's parameter along it.
func distM(p, a, b P) (float64, float64) {
	kx, ky := scales(p.Y)
	px, py := float64(p.X-a.X)*kx, float64(p.Y-a.Y)*ky
	dx, dy := float64(b.X-a.X)*kx, float64(b.Y-a.Y)*ky
	t := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		t = max(0, min(1, (px*dx+py*dy)/l))
	}
	return math.Hypot(px-t*dx, py-t*dy), t
}

func (w *welder) weldUnit(u int32) {
	for ri, r := range w.rings[u] {
		f, ids := w.free[u][ri], w.edgeOf[u][ri]
		for k := range r {
			prev := (k + len(r) - 1) % len(r)
			in, out := f[prev], f[k]
			if !in && !out || !w.partnersOf(ids[prev], ids[k]) {
				continue
			}
			// A vertex moves only between two free edges: one on a
			// shared border would tear that border open. Where a free
			// border leaves a shared one, the earlier unit's edge comes
			// to the vertex instead.
			if in && out {
				if q, ok := w.target(u, r[k]); ok && q != r[k] {
					r[k] = q
					w.changed[u]++
				}
			} else if e, d, _, touches := w.nearestEdge(u, r[k]); !touches && d > 0 && !math.IsInf(d, 1) {
				w.insert(e, r[k])
			}
			w.giveTo(u, r[k])
		}
	}
}

// target is where p goes: the nearest earlier unit's vertex within the
// tolerance, else the nearest point of an earlier unit's free edge
// (which then gains it as a vertex). It reads the edges near p in w.near.
func (w *welder) target(u int32, p P) (P, bool) {
	best, bestD := P{}, math.Inf(1)
	consider := func(q P) {
		if d, _ := distM(p, q, q); d <= w.tolM && (d < bestD || d == bestD && Less(q, best)) {
			best, bestD = q, d
		}
	}
	for _, e := range w.near {
		if e.u < u {
			r := w.rings[e.u][e.r]
			consider(r[e.k])
			consider(r[(int(e.k)+1)%len(r)])
		}
	}
	if len(w.extra) > 0 {
		rx, ry := w.reach(p)
		cells(p.X-rx, p.Y-ry, p.X+rx, p.Y+ry, func(c int64) {
			for _, x := range w.extra[c] {
				if x.u < u {
					consider(x.p)
				}
			}
		})
	}
	if !math.IsInf(bestD, 1) {
		return best, true
	}
	onEdge, d, t, _ := w.nearestEdge(u, p)
	if math.IsInf(d, 1) {
		return P{}, false
	}
	e := w.rings[onEdge.u][onEdge.r]
	ea, eb := e[onEdge.k], e[(int(onEdge.k)+1)%len(e)]
	at := P{int32(math.Round(float64(ea.X) + t*float64(eb.X-ea.X))), int32(math.Round(float64(ea.Y) + t*float64(eb.Y-ea.Y)))}
	if at != ea && at != eb {
		w.insert(onEdge, at)
	}
	return at, true
}

// nearestEdge finds, among the edges near p (w.near), the earlier
// unit's free edge nearest p within the tolerance (d +Inf when none),
// p's parameter along it, and whether p is an end of some earlier free
// edge.
func (w *welder) nearestEdge(u int32, p P) (best vref, d, t float64, touches bool) {
	d = math.Inf(1)
	for _, e := range w.near {
		if e.u >= u {
			continue
		}
		r := w.rings[e.u][e.r]
		a, b := r[e.k], r[(int(e.k)+1)%len(r)]
		touches = touches || a == p || b == p
		de, te := distM(p, a, b)
		if de > w.tolM || de > d || de == d && vrefLess(best, e) {
			continue
		}
		best, d, t = e, de, te
	}
	return best, d, t, touches
}

// giveTo puts p, a vertex of u where it ends up, on the later units'
// free edges near it (w.near) that pass within the tolerance: their
// walls then run through it as u's does.
func (w *welder) giveTo(u int32, p P) {
	for _, e := range w.near {
		if e.u <= u {
			continue
		}
		r := w.rings[e.u][e.r]
		a, b := r[e.k], r[(int(e.k)+1)%len(r)]
		if p == a || p == b {
			continue
		}
		if d, t := distM(p, a, b); d <= w.tolM && t > 0 && t < 1 {
			w.insert(e, p)
		}
	}
}

func vrefLess(a, b vref) bool {
	if a.u != b.u {
		return a.u < b.u
	}
	if a.r != b.r {
		return a.r < b.r
	}
	return a.k < b.k
}

// insert makes at a vertex of edge e, and a target for later units.
func (w *welder) insert(e vref, at P) {
	for _, q := range w.pending[e] {
		if q == at {
			return
		}
	}
	w.pending[e] = append(w.pending[e], at)
	c := cellKey(cellOf(at.X), cellOf(at.Y))
	w.extra[c] = append(w.extra[c], extraP{at, e.u})
	w.changed[e.u]++
}

// apply inserts the pending points into their edges, in order along
// them, and drops repeated points.
func (w *welder) apply() [][][]P {
	for u, rs := range w.rings {
		for ri, r := range rs {
			out := make([]P, 0, len(r))
			for k := range r {
				out = appendDistinct(out, r[k])
				ins := w.pending[vref{int32(u), int32(ri), int32(k)}]
				if len(ins) == 0 {
					continue
				}
				a, b := r[k], r[(k+1)%len(r)]
				sort.Slice(ins, func(i, j int) bool {
					_, ti := distM(ins[i], a, b)
					_, tj := distM(ins[j], a, b)
					return ti < tj
				})
				for _, q := range ins {
					out = appendDistinct(out, q)
				}
			}
			for len(out) > 1 && out[len(out)-1] == out[0] {
				out = out[:len(out)-1]
			}
			rs[ri] = out
		}
	}
	return w.rings
}

func appendDistinct(r []P, p P) []P {
	if len(r) > 0 && r[len(r)-1] == p {
		return r
	}
	return append(r, p)
}
