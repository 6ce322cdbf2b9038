package geo

import (
	"fmt"
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// RepairLog says what Repair changed in a geometry and what it could not
// mend. Importers print it: a repair is never silent.
type RepairLog struct {
	Fixed   []string
	Unfixed []string
}

func (l *RepairLog) fixed(format string, args ...any) {
	l.Fixed = append(l.Fixed, fmt.Sprintf(format, args...))
}

func (l *RepairLog) unfixed(format string, args ...any) {
	l.Unfixed = append(l.Unfixed, fmt.Sprintf(format, args...))
}

// Repair returns a valid version of a lon/lat multipolygon as far as it
// can make one: rings closed, repeated points removed, rings with fewer
// than 4 points or no area dropped, self-crossing rings split into simple
// loops, overlapping parts merged (DataV exports carry small parts that
// overlap the main one, which double counts area and breaks even-odd
// point-in-polygon), and winding set as RFC 7946 asks (exteriors
// counter-clockwise, holes clockwise).
func Repair(mp orb.MultiPolygon) (orb.MultiPolygon, RepairLog) {
	var log RepairLog
	var parts []orb.Polygon
	for pi, poly := range mp {
		var shells, holes []orb.Ring
		for ri, r := range poly {
			where := fmt.Sprintf("polygon %d ring %d", pi, ri)
			loops := cleanAndSplit(r, where, &log)
			if ri == 0 {
				shells = loops
				if len(loops) == 0 {
					log.fixed("polygon %d: dropped, its exterior ring is degenerate", pi)
					break
				}
			} else {
				holes = append(holes, loops...)
			}
		}
		parts = append(parts, assignHoles(shells, holes, &log, pi)...)
	}
	parts = mergeOverlaps(parts, &log)
	out := make(orb.MultiPolygon, 0, len(parts))
	for _, p := range parts {
		for i, r := range p {
			if (i == 0) != (PlanarArea(r) > 0) {
				Reverse(r)
			}
		}
		out = append(out, p)
	}
	for pi, p := range out {
		for _, c := range Crossings(p) {
			if isProperCrossing(p, c) {
				log.unfixed("polygon %d: ring %d crosses ring %d at %.6f,%.6f", pi, c.RingA, c.RingB, c.At[0], c.At[1])
			}
		}
	}
	return out, log
}

// cleanAndSplit closes a ring, removes repeated points, drops it when
// degenerate and splits it into simple loops where it crosses itself.
func cleanAndSplit(r orb.Ring, where string, log *RepairLog) []orb.Ring {
	if len(r) > 0 && r[0] != r[len(r)-1] {
		log.fixed("%s: closed", where)
	}
	c, dups := cleanRing(r)
	if dups > 0 {
		log.fixed("%s: removed %d repeated points", where, dups)
	}
	var loops []orb.Ring
	if c != nil {
		loops = splitRing(c)
	}
	if len(loops) == 0 {
		log.fixed("%s: dropped, fewer than 4 points or no area", where)
		return nil
	}
	if len(loops) != 1 || len(loops[0]) != len(c) {
		log.fixed("%s: crossed itself; split into %d simple rings", where, len(loops))
	}
	return loops
}

// cleanRing returns r closed and without consecutive repeated points, or
// nil when fewer than 4 points remain.
func cleanRing(r orb.Ring) (orb.Ring, int) {
	out := make(orb.Ring, 0, len(r)+1)
	dups := 0
	for _, p := range r {
		if len(out) > 0 && out[len(out)-1] == p {
			dups++
			continue
		}
		out = append(out, p)
	}
	if len(out) > 0 && out[0] != out[len(out)-1] {
		out = append(out, out[0])
	}
	if len(out) < 4 {
		return nil, dups
	}
	return out, dups
}

// splitRing cuts a closed ring at its self-crossings into simple loops.
func splitRing(r orb.Ring) []orb.Ring {
	work := []orb.Ring{r}
	var out []orb.Ring
	for steps := 0; len(work) > 0; steps++ {
		cur := work[len(work)-1]
		work = work[:len(work)-1]
		cs := Crossings(orb.Polygon{cur})
		if len(cs) == 0 || steps > 4*len(r)+100 {
			if PlanarArea(cur) != 0 {
				out = append(out, cur)
			}
			continue
		}
		i, j, x := cs[0].SegA, cs[0].SegB, cs[0].At
		a := append(append(append(orb.Ring{}, cur[:i+1]...), x), cur[j+1:]...)
		b := append(append(orb.Ring{x}, cur[i+1:j+1]...), x)
		for _, l := range []orb.Ring{a, b} {
			if c, _ := cleanRing(l); c != nil {
				work = append(work, c)
			}
		}
	}
	return out
}

// assignHoles pairs each hole with the shell that contains it.
func assignHoles(shells, holes []orb.Ring, log *RepairLog, pi int) []orb.Polygon {
	parts := make([]orb.Polygon, len(shells))
	for i, s := range shells {
		parts[i] = orb.Polygon{s}
	}
	for _, h := range holes {
		at := smallestContaining(shells, LabelPoint(orb.Polygon{h}))
		if at < 0 {
			log.unfixed("polygon %d: dropped a hole that lies outside its exterior", pi)
			continue
		}
		parts[at] = append(parts[at], h)
	}
	return parts
}

func smallestContaining(rings []orb.Ring, p orb.Point) int {
	best, bestArea := -1, math.Inf(1)
	for i, r := range rings {
		if a := math.Abs(PlanarArea(r)); a < bestArea && RingContains(r, p) {
			best, bestArea = i, a
		}
	}
	return best
}

// mergeOverlaps unions parts whose exteriors cross or contain one another.
func mergeOverlaps(parts []orb.Polygon, log *RepairLog) []orb.Polygon {
	n := len(parts)
	group := make([]int, n)
	for i := range group {
		group[i] = i
	}
	find := func(i int) int {
		for group[i] != i {
			i = group[i]
		}
		return i
	}
	merged := false
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if overlaps(parts[i], parts[j]) {
				group[find(j)] = find(i)
				merged = true
			}
		}
	}
	if !merged {
		return parts
	}
	members := map[int][]int{}
	var roots []int
	for i := range parts {
		r := find(i)
		if members[r] == nil {
			roots = append(roots, r)
		}
		members[r] = append(members[r], i)
	}
	var out []orb.Polygon
	for _, r := range roots {
		m := members[r]
		if len(m) == 1 {
			out = append(out, parts[m[0]])
			continue
		}
		var shells, holes []orb.Ring
		for _, i := range m {
			shells = append(shells, parts[i][0])
			holes = append(holes, parts[i][1:]...)
		}
		u := unionRings(shells)
		var uShells, uHoles []orb.Ring
		for _, ring := range u {
			if PlanarArea(ring) > 0 {
				uShells = append(uShells, ring)
			} else {
				uHoles = append(uHoles, ring)
			}
		}
		log.fixed("polygons %v overlapped; merged into %d", m, len(uShells))
		out = append(out, assignHoles(uShells, append(uHoles, holes...), log, m[0])...)
	}
	return out
}

// overlaps reports whether two parts share area: their exteriors cross,
// or one lies inside the other's filled area.
func overlaps(a, b orb.Polygon) bool {
	if !a.Bound().Intersects(b.Bound()) {
		return false
	}
	touches := map[orb.Point]bool{}
	for _, c := range Crossings(orb.Polygon{a[0], b[0]}) {
		if c.RingA == c.RingB {
			continue
		}
		if len(c.All) > 1 || isProperCrossing(orb.Polygon{a[0], b[0]}, c) {
			return true // crossing, or sharing a stretch of border
		}
		touches[c.At] = true
	}
	// Touching at points only: they overlap when some vertex or edge
	// midpoint of one, off the touch points, lies inside the other.
	return insideAtSamples(a, b[0], touches) || insideAtSamples(b, a[0], touches)
}

func insideAtSamples(p orb.Polygon, r orb.Ring, skip map[orb.Point]bool) bool {
	for i := 0; i+1 < len(r); i++ {
		mid := orb.Point{(r[i][0] + r[i+1][0]) / 2, (r[i][1] + r[i+1][1]) / 2}
		for _, s := range []orb.Point{r[i], mid} {
			if !skip[s] && PolygonContains(p, s) {
				return true
			}
		}
	}
	return false
}

type overlayEdge struct {
	a, b orb.Point
	ring int
	used bool
}

// unionRings returns the boundary of the union of simple rings as rings:
// counter-clockwise exteriors and clockwise holes. Every ring is noded at
// its meetings with the others; an edge stays when no other ring covers it
// (shared edges in the same direction stay once, opposite ones cancel),
// and the kept edges are chained, turning most to the left at a node, so
// that parts touching at a point come out as separate rings.
func unionRings(rings []orb.Ring) []orb.Ring {
	rings = append([]orb.Ring(nil), rings...)
	for i, r := range rings {
		r = append(orb.Ring(nil), r...)
		if PlanarArea(r) < 0 {
			Reverse(r)
		}
		rings[i] = r
	}
	splits := map[[2]int][]orb.Point{}
	for _, c := range Crossings(orb.Polygon(rings)) {
		splits[[2]int{c.RingA, c.SegA}] = append(splits[[2]int{c.RingA, c.SegA}], c.All...)
		splits[[2]int{c.RingB, c.SegB}] = append(splits[[2]int{c.RingB, c.SegB}], c.All...)
	}
	var edges []overlayEdge
	for ri, r := range rings {
		for si := 0; si+1 < len(r); si++ {
			pts := nodeSegment(r[si], r[si+1], splits[[2]int{ri, si}])
			for k := 0; k+1 < len(pts); k++ {
				edges = append(edges, overlayEdge{a: pts[k], b: pts[k+1], ring: ri})
			}
		}
	}
	type key [2]orb.Point
	seen := map[key]int{}
	keep := make([]bool, len(edges))
	for i, e := range edges {
		if j, ok := seen[key{e.b, e.a}]; ok && keep[j] {
			keep[j] = false // opposite shared edge: interior of the union
			continue
		}
		if _, ok := seen[key{e.a, e.b}]; ok {
			continue // same shared edge: keep the first
		}
		seen[key{e.a, e.b}] = i
		keep[i] = true
	}
	for i, e := range edges {
		if !keep[i] {
			continue
		}
		if _, rev := seen[key{e.b, e.a}]; rev {
			keep[i] = false
			continue
		}
		mid := orb.Point{(e.a[0] + e.b[0]) / 2, (e.a[1] + e.b[1]) / 2}
		for rj, r := range rings {
			if rj != e.ring && RingContains(r, mid) {
				keep[i] = false
				break
			}
		}
	}
	out := map[orb.Point][]int{}
	for i, e := range edges {
		if keep[i] {
			out[e.a] = append(out[e.a], i)
		}
	}
	var result []orb.Ring
	for i := range edges {
		if !keep[i] || edges[i].used {
			continue
		}
		ring := orb.Ring{edges[i].a}
		cur := i
		for steps := 0; steps <= len(edges); steps++ {
			edges[cur].used = true
			e := edges[cur]
			ring = append(ring, e.b)
			if e.b == edges[i].a {
				break
			}
			cur = leftmostTurn(e, out[e.b], edges)
			if cur < 0 {
				break
			}
		}
		if c, _ := cleanRing(ring); c != nil && ring[0] == ring[len(ring)-1] {
			result = append(result, c)
		}
	}
	return result
}

// nodeSegment returns a, the split points ordered along ab, and b.
func nodeSegment(a, b orb.Point, split []orb.Point) []orb.Point {
	pts := []orb.Point{a}
	sort.Slice(split, func(i, j int) bool {
		return sqDist(a, split[i]) < sqDist(a, split[j])
	})
	for _, p := range split {
		if p != pts[len(pts)-1] && p != b {
			pts = append(pts, p)
		}
	}
	return append(pts, b)
}

func leftmostTurn(in overlayEdge, candidates []int, edges []overlayEdge) int {
	back := math.Atan2(in.a[1]-in.b[1], in.a[0]-in.b[0])
	best, bestTurn := -1, math.Inf(1)
	for _, c := range candidates {
		if edges[c].used {
			continue
		}
		e := edges[c]
		turn := math.Mod(back-math.Atan2(e.b[1]-e.a[1], e.b[0]-e.a[0])+4*math.Pi, 2*math.Pi)
		if turn == 0 {
			turn = 2 * math.Pi
		}
		if turn < bestTurn {
			best, bestTurn = c, turn
		}
	}
	return best
}

func isProperCrossing(p orb.Polygon, c Crossing) bool {
	if len(c.All) != 1 {
		return false
	}
	a1, a2 := p[c.RingA][c.SegA], p[c.RingA][c.SegA+1]
	b1, b2 := p[c.RingB][c.SegB], p[c.RingB][c.SegB+1]
	return c.At != a1 && c.At != a2 && c.At != b1 && c.At != b2
}

func sqDist(a, b orb.Point) float64 {
	dx, dy := a[0]-b[0], a[1]-b[1]
	return dx*dx + dy*dy
}

// PlanarArea is the signed shoelace area of a ring in its own coordinate
// units: positive when counter-clockwise in a y-up frame (clockwise on a
// y-down screen).
func PlanarArea(r orb.Ring) float64 {
	s := 0.0
	for i := 0; i+1 < len(r); i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return s / 2
}

// Reverse reverses a ring in place.
func Reverse(r orb.Ring) {
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
}
