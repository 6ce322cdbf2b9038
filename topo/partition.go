package topo

import (
	"fmt"
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// GridPerDegree is the import grid: 1e-7 degree, about 1 cm.
const GridPerDegree = 1e7

const metresPerDegree = 111320.0

// DefaultSliverM is the mean width (metres) under which a gap enclosed by
// units is a sliver left by separately drawn borders and is closed; it
// is the adjacency tolerance, so what counts as one border also closes.
const DefaultSliverM = 100

// Unit is one unit to partition, in lon/lat.
type Unit struct {
	Code string
	Geom orb.MultiPolygon
}

// Result is a unit's share of the partition and what changed.
type Result struct {
	Code  string
	Geom  orb.MultiPolygon
	Notes []string
	// Shared is the length in metres of the border the unit shares with
	// each neighbour (by code) in the partition.
	Shared map[string]float64
}

// Partition turns units that overlap and leave slivers between them into
// a planar partition. All rings are noded together with snap rounding on
// a 1e-7° grid and the faces formed; each face goes to exactly one unit:
//
//   - a face inside one unit stays with it;
//   - a face inside several units (an overlap) goes to the one of them
//     that shares the longest border with it, counting only faces
//     already decided, ties to the least code;
//   - a face inside no unit, enclosed by units, whose mean width
//     (2·area/perimeter) is under sliverM metres is a sliver and goes,
//     by the same rule, to a unit around it; wider ones (enclaves, true
//     holes) and everything outside stay uncovered.
//
// Before noding, borders no neighbour shares exactly are welded onto
// the neighbours' within weldM metres (see weld), which closes cracks
// between them that open to the outside, where the sliver rule cannot.
//
// Decisions are made in rounds (a face waits until a neighbour is
// decided), so the result does not depend on the order of the input.
// Every moved area is described in the units' notes. Partition takes the
// input geometries over (it clears Unit.Geom once read), so that a
// nationwide import does not hold them twice.
func Partition(units []Unit, sliverM, weldM float64) ([]Result, error) {
	order := make([]int, len(units))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(i, j int) bool { return units[order[i]].Code < units[order[j]].Code })
	had := make([]bool, len(units))
	rings := make([][][]P, len(order))
	for ui, i := range order {
		had[i] = len(units[i].Geom) > 0
		for _, poly := range units[i].Geom {
			rings[ui] = appendGridRings(rings[ui], poly)
		}
		units[i].Geom = nil
	}
	rings, welded := weld(rings, weldM)
	n := 0
	for _, rs := range rings {
		for _, r := range rs {
			n += len(r)
		}
	}
	// Sized at once: grown by appends, a nation's segments were copied
	// over and over (a tenth of an import's time went to growing slices).
	segs := make([]Seg, 0, n)
	for ui, rs := range rings {
		for _, r := range rs {
			if len(r) < 3 {
				continue
			}
			for k := range r {
				a, b := r[k], r[(k+1)%len(r)]
				if tooLong(a, b) {
					// Said here, where the unit is known: a border
					// segment over 53° is a bad coordinate.
					return nil, fmt.Errorf("partition: unit %s: a border segment from %.6f, %.6f to %.6f, %.6f spans over %.0f°",
						units[order[ui]].Code, float64(a.X)/GridPerDegree, float64(a.Y)/GridPerDegree,
						float64(b.X)/GridPerDegree, float64(b.Y)/GridPerDegree, maxExtent/GridPerDegree)
				}
				segs = append(segs, Seg{a, b, int32(ui), -1})
			}
		}
	}
	rings = nil
	g, err := Build(segs)
	if err != nil {
		return nil, fmt.Errorf("partition: %w", err)
	}
	codes := make([]string, len(order))
	for ui, i := range order {
		codes[ui] = units[i].Code
	}
	metres := func(e int32) float64 {
		kx, ky := scales(g.Nodes[g.he[e].from].Y)
		return g.Length(e, kx/ky) * ky
	}
	moves := g.decide(func(fi int32) bool { return g.meanWidthM(fi) < sliverM }, metres)
	// Owners are decided: what deciding them read goes before the
	// regions' rings are made (the import's peak of memory).
	for fi := range g.Faces {
		g.Faces[fi].Cycles, g.Faces[fi].Cover = nil, nil
	}
	regions := g.Regions()
	notes := moves.notes(codes)
	for ui, n := range welded {
		if n > 0 {
			notes[int32(ui)] = append(notes[int32(ui)], fmt.Sprintf("%d border points welded to a neighbour's border within %g m", n, weldM))
		}
	}
	shared := make([]map[string]float64, len(order))
	for e := int32(0); e < int32(len(g.he)); e += 2 {
		u, v := g.Faces[g.he[e].face].Owner, g.Faces[g.he[e^1].face].Owner
		if u < 0 || v < 0 || u == v {
			continue
		}
		l := metres(e)
		for _, x := range [2][2]int32{{u, v}, {v, u}} {
			if shared[x[0]] == nil {
				shared[x[0]] = map[string]float64{}
			}
			shared[x[0]][codes[x[1]]] += l
		}
	}
	out := make([]Result, len(units))
	for ui, i := range order {
		res := Result{Code: units[i].Code, Notes: notes[int32(ui)], Shared: shared[ui], Geom: lonLat(regions[int32(ui)])}
		if len(res.Geom) == 0 && had[i] {
			return nil, fmt.Errorf("partition: unit %s: nothing left of it", units[i].Code)
		}
		out[i] = res
	}
	return out, nil
}

func gridRing(r orb.Ring) []P {
	pts := make([]P, 0, len(r))
	for _, p := range r {
		q := P{int32(math.Round(p[0] * GridPerDegree)), int32(math.Round(p[1] * GridPerDegree))}
		if len(pts) == 0 || pts[len(pts)-1] != q {
			pts = append(pts, q)
		}
	}
	for len(pts) > 1 && pts[len(pts)-1] == pts[0] {
		pts = pts[:len(pts)-1]
	}
	return pts
}

func reverse(r []P) {
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
}

// scales returns metres per grid unit in x and y at a grid latitude.
func scales(y int32) (kx, ky float64) {
	ky = metresPerDegree / GridPerDegree
	return ky * math.Cos(float64(y)/GridPerDegree*math.Pi/180), ky
}

// moves records the area that changed hands, in m².
type moves struct {
	overlap map[[3]int32]float64 // {kept by, other unit, 0 kept / 1 given}: area
	gaps    map[int32][2]float64 // unit: count, area
}

// decide sets every face's owner by the rules of Partition; sliver says
// which uncovered bounded faces are slivers, length measures half-edges.
func (g *Graph) decide(sliver func(fi int32) bool, length func(e int32) float64) moves {
	mv := moves{overlap: map[[3]int32]float64{}, gaps: map[int32][2]float64{}}
	type pending struct {
		face   int32
		cands  []int32 // nil for a sliver: any owner around it
		sliver bool
	}
	var todo []pending
	for fi := range g.Faces {
		f := &g.Faces[fi]
		pos := f.Cover.Positive()
		switch {
		case len(pos) == 1:
			f.Owner = pos[0]
		case len(pos) > 1:
			todo = append(todo, pending{int32(fi), pos, false})
		case int32(fi) != g.Unbounded && sliver(int32(fi)):
			todo = append(todo, pending{int32(fi), nil, true})
		}
	}
	for len(todo) > 0 {
		type choice struct {
			face, owner int32
		}
		var chosen []choice
		var left []pending
		for _, p := range todo {
			shared := g.sharedWithOwners(p.face, length)
			best, bestLen := int32(-1), 0.0
			for u, l := range shared {
				if u < 0 || (p.cands != nil && !contains(p.cands, u)) {
					continue
				}
				if l > bestLen || (l == bestLen && u < best) {
					best, bestLen = u, l
				}
			}
			if best < 0 {
				left = append(left, p)
				continue
			}
			chosen = append(chosen, choice{p.face, best})
		}
		if len(chosen) == 0 {
			// Nothing around is decided: overlaps go to their least code,
			// slivers stay open.
			for _, p := range left {
				if p.cands != nil {
					chosen = append(chosen, choice{p.face, p.cands[0]})
				}
			}
			left = nil
		}
		for _, c := range chosen {
			g.Faces[c.face].Owner = c.owner
		}
		for _, p := range todo {
			o := g.Faces[p.face].Owner
			if o < 0 {
				continue
			}
			a := g.areaM2(p.face)
			if p.sliver {
				x := mv.gaps[o]
				mv.gaps[o] = [2]float64{x[0] + 1, x[1] + a}
				continue
			}
			for _, u := range p.cands {
				if u != o {
					mv.overlap[[3]int32{o, u, 0}] += a
					mv.overlap[[3]int32{u, o, 1}] += a
				}
			}
		}
		if len(left) == len(todo) {
			break
		}
		todo = left
	}
	return mv
}

func contains(xs []int32, x int32) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// sharedWithOwners sums the face's border by the owner of the face
// across it.
func (g *Graph) sharedWithOwners(fi int32, length func(e int32) float64) map[int32]float64 {
	out := map[int32]float64{}
	for _, start := range g.Faces[fi].Cycles {
		for e := start; ; {
			o := g.Faces[g.he[e^1].face].Owner
			out[o] += length(e)
			if e = g.he[e].next; e == start {
				break
			}
		}
	}
	return out
}

func (g *Graph) areaM2(fi int32) float64 {
	f := g.Faces[fi]
	kx, ky := scales(g.Nodes[g.he[f.Cycles[0]].from].Y)
	return float64(f.Area2) / 2 * kx * ky
}

// meanWidthM is 2·area/perimeter of a bounded face, in metres.
func (g *Graph) meanWidthM(fi int32) float64 {
	f := g.Faces[fi]
	kx, ky := scales(g.Nodes[g.he[f.Cycles[0]].from].Y)
	per := 0.0
	for _, start := range f.Cycles {
		for e := start; ; {
			per += g.Length(e, kx/ky) * ky
			if e = g.he[e].next; e == start {
				break
			}
		}
	}
	if per == 0 {
		return 0
	}
	return 2 * g.areaM2(fi) / per
}

// notes describes, per unit, the area it kept or gave where it
// overlapped others and the slivers it filled.
func (mv moves) notes(codes []string) map[int32][]string {
	type row struct {
		other      int32
		kept, gave float64
	}
	by := map[int32]map[int32]*row{}
	for k, a := range mv.overlap {
		if by[k[0]] == nil {
			by[k[0]] = map[int32]*row{}
		}
		r := by[k[0]][k[1]]
		if r == nil {
			r = &row{other: k[1]}
			by[k[0]][k[1]] = r
		}
		if k[2] == 0 {
			r.kept += a
		} else {
			r.gave += a
		}
	}
	out := map[int32][]string{}
	for u, m := range by {
		rows := make([]*row, 0, len(m))
		for _, r := range m {
			rows = append(rows, r)
		}
		sort.Slice(rows, func(i, j int) bool { return codes[rows[i].other] < codes[rows[j].other] })
		for _, r := range rows {
			o := codes[r.other]
			out[u] = append(out[u], fmt.Sprintf("partition: overlapped %s by %.0f m² (kept %.0f m², gave %.0f m² to %s)",
				o, r.kept+r.gave, r.kept, r.gave, o))
		}
	}
	for u, x := range mv.gaps {
		out[u] = append(out[u], fmt.Sprintf("partition: filled %d sliver gaps between neighbours (%.0f m²)", int(x[0]), x[1]))
	}
	return out
}
