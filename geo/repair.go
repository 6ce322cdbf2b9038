package geo

import (
	"fmt"
	"math"

	"github.com/indmap/indmap/topo"
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
// loops, overlapping parts merged by topo (DataV exports carry small
// parts that overlap the main one, which double counts area and breaks
// even-odd point-in-polygon), and winding set as RFC 7946 asks
// (exteriors counter-clockwise, holes clockwise).
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

// mergeOverlaps unions the parts that overlap or share a stretch of
// border: topo nodes them together on its grid (snap rounding) and
// dissolves each group into valid polygons; parts in no group keep their
// coordinates. Only parts whose bounds meet another's are looked at.
func mergeOverlaps(parts []orb.Polygon, log *RepairLog) []orb.Polygon {
	bounds := make([]orb.Bound, len(parts))
	for i, p := range parts {
		bounds[i] = p.Bound()
	}
	var cand []int
	for i := range parts {
		for j := range parts {
			if i != j && bounds[i].Intersects(bounds[j]) {
				cand = append(cand, i)
				break
			}
		}
	}
	if len(cand) < 2 {
		return parts
	}
	sub := make([]orb.Polygon, len(cand))
	for k, i := range cand {
		sub[k] = parts[i]
	}
	groups, err := topo.Merge(sub)
	if err != nil {
		log.unfixed("polygons %v: overlaps not merged: %v", cand, err)
		return parts
	}
	if len(groups) == 0 {
		return parts
	}
	// Each group takes the place of its first member.
	first := map[int]orb.MultiPolygon{}
	inGroup := make([]bool, len(parts))
	for _, g := range groups {
		m := make([]int, len(g.Members))
		for k, c := range g.Members {
			m[k] = cand[c]
			inGroup[m[k]] = true
		}
		first[m[0]] = g.Geom
		log.fixed("polygons %v overlapped; merged into %d", m, len(g.Geom))
	}
	var out []orb.Polygon
	for i, p := range parts {
		if g, ok := first[i]; ok {
			out = append(out, g...)
		} else if !inGroup[i] {
			out = append(out, p)
		}
	}
	return out
}

func isProperCrossing(p orb.Polygon, c Crossing) bool {
	if len(c.All) != 1 {
		return false
	}
	a1, a2 := p[c.RingA][c.SegA], p[c.RingA][c.SegA+1]
	b1, b2 := p[c.RingB][c.SegB], p[c.RingB][c.SegB+1]
	return c.At != a1 && c.At != a2 && c.At != b1 && c.At != b2
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
