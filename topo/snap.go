// Package topo builds planar subdivisions on an integer grid: it nodes
// labelled segments with snap rounding, forms the faces, works out which
// unit covers each face, and walks the boundary of any set of faces into
// valid rings. The importer uses it to turn boundary files into a clean
// partition; the tile renderer uses it per zoom and per tile.
package topo

import (
	"cmp"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sort"
	"sync"
)

// P is a point of the integer grid.
type P struct{ X, Y int32 }

// Less orders points by x, then y.
func Less(a, b P) bool { return a.X < b.X || (a.X == b.X && a.Y < b.Y) }

func cmpP(a, b P) int {
	switch {
	case a.X != b.X:
		if a.X < b.X {
			return -1
		}
		return 1
	case a.Y < b.Y:
		return -1
	case a.Y > b.Y:
		return 1
	}
	return 0
}

// Seg is an input segment with the units on its two sides (-1: none).
// Crossing it from its right to its left enters Left and leaves Right.
type Seg struct {
	A, B        P
	Left, Right int32
}

// orient is twice the signed area of abc: positive when c lies left of
// a→b. Coordinates are relative to a, so the products stay exact for
// segments shorter than 2^31 grid units.
func orient(a, b, c P) int64 {
	return (int64(b.X)-int64(a.X))*(int64(c.Y)-int64(a.Y)) - (int64(b.Y)-int64(a.Y))*(int64(c.X)-int64(a.X))
}

func sgn(v int64) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// roundMulDiv returns round(a*b/d) exactly (d > 0), half away from zero.
func roundMulDiv(a, b, d int64) int64 {
	neg := (a < 0) != (b < 0)
	ua, ub := uint64(abs(a)), uint64(abs(b))
	hi, lo := bits.Mul64(ua, ub)
	q, r := bits.Div64(hi, lo, uint64(d))
	if 2*r >= uint64(d) {
		q++
	}
	if neg {
		return -int64(q)
	}
	return int64(q)
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// crossingPixel returns the grid point nearest to where a1a2 and b1b2
// cross properly, computed exactly.
func crossingPixel(a1, a2, b1, b2 P) P {
	o1, o2 := orient(b1, b2, a1), orient(b1, b2, a2)
	num, den := o1, o1-o2
	if den < 0 {
		num, den = -num, -den
	}
	return P{int32(int64(a1.X) + roundMulDiv(num, int64(a2.X)-int64(a1.X), den)), int32(int64(a1.Y) + roundMulDiv(num, int64(a2.Y)-int64(a1.Y), den))}
}

// cellShift picks a power-of-two cell size near four times the mean
// segment extent, for the strips and columns that index segments and
// hot pixels.
func cellShift(segs []Seg) uint {
	if len(segs) == 0 {
		return 10
	}
	var sum float64
	for _, s := range segs {
		sum += math.Max(math.Abs(float64(s.B.X)-float64(s.A.X)), math.Abs(float64(s.B.Y)-float64(s.A.Y)))
	}
	k := uint(0)
	for c := 4 * sum / float64(len(segs)); k < 40 && float64(uint64(1)<<k) < c; k++ {
	}
	return k
}

// eachPair calls fn(w, i, j) once with every pair of segments whose
// bounding boxes meet: segments go into horizontal strips, and each
// strip is swept by least x. A pair is reported in the lowest strip both
// reach. Strips are shared out among workers goroutines; w is the
// worker's number.
func eachPair(segs []Seg, shift uint, workers int, fn func(w, i, j int)) {
	type entry struct {
		minX  int32
		strip int32
		i     int32
	}
	es := make([]entry, 0, len(segs)+len(segs)/4)
	for i, s := range segs {
		for st := min(s.A.Y, s.B.Y) >> shift; st <= max(s.A.Y, s.B.Y)>>shift; st++ {
			es = append(es, entry{min(s.A.X, s.B.X), st, int32(i)})
		}
	}
	slices.SortFunc(es, func(a, b entry) int {
		if a.strip != b.strip {
			return cmp.Compare(a.strip, b.strip)
		}
		return cmp.Compare(a.minX, b.minX)
	})
	sweep := func(w, from, to int) {
		for i := from; i < to; i++ {
			a := segs[es[i].i]
			maxX := max(a.A.X, a.B.X)
			aMinY, aMaxY := min(a.A.Y, a.B.Y), max(a.A.Y, a.B.Y)
			for j := i + 1; j < len(es) && es[j].strip == es[i].strip && es[j].minX <= maxX; j++ {
				b := segs[es[j].i]
				bMinY, bMaxY := min(b.A.Y, b.B.Y), max(b.A.Y, b.B.Y)
				if bMinY > aMaxY || aMinY > bMaxY || max(aMinY, bMinY)>>shift != es[i].strip {
					continue
				}
				fn(w, int(es[i].i), int(es[j].i))
			}
		}
	}
	parts(len(es), workers, sweep)
}

// parts splits [0, n) into one range per worker and runs them at once.
func parts(n, workers int, fn func(w, from, to int)) {
	if workers <= 1 {
		fn(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			fn(w, w*n/workers, (w+1)*n/workers)
		}(w)
	}
	wg.Wait()
}

// workersFor is how many goroutines a job of n segments gets: one for
// small jobs (a tile), every core for an import.
func workersFor(n int) int {
	if n < 1<<16 {
		return 1
	}
	return runtime.GOMAXPROCS(0)
}

// hotPixels are the grid points every segment must pass through where it
// comes near, sorted by column (x >> shift), then y, then x.
type hotPixels struct {
	shift uint
	p     []P
}

func newHotPixels(p []P, shift uint) hotPixels {
	slices.SortFunc(p, func(a, b P) int {
		if ca, cb := a.X>>shift, b.X>>shift; ca != cb {
			return cmp.Compare(ca, cb)
		}
		if a.Y != b.Y {
			return cmp.Compare(a.Y, b.Y)
		}
		return cmp.Compare(a.X, b.X)
	})
	return hotPixels{shift, slices.Compact(p)}
}

// in appends the hot pixels within a segment's bounding box to out.
func (h hotPixels) in(s Seg, out []P) []P {
	minX, maxX := min(s.A.X, s.B.X), max(s.A.X, s.B.X)
	minY, maxY := min(s.A.Y, s.B.Y), max(s.A.Y, s.B.Y)
	for col := minX >> h.shift; col <= maxX>>h.shift; col++ {
		i, _ := slices.BinarySearchFunc(h.p, P{col, minY}, func(p, t P) int {
			if c := p.X >> h.shift; c != t.X {
				return cmp.Compare(c, t.X)
			}
			return cmp.Compare(p.Y, t.Y)
		})
		for ; i < len(h.p) && h.p[i].X>>h.shift == col && h.p[i].Y <= maxY; i++ {
			if x := h.p[i].X; x >= minX && x <= maxX {
				out = append(out, h.p[i])
			}
		}
	}
	return out
}

// touchesPixel reports whether segment ab meets the square of half-size
// one half around h: closed when closed is set, else its interior only.
// Coordinates are doubled so that every test is exact.
func touchesPixel(a, b, h P, closed bool) bool {
	// Relative to h, doubled: small numbers, exact products.
	ax, ay := 2*(int64(a.X)-int64(h.X)), 2*(int64(a.Y)-int64(h.Y))
	bx, by := 2*(int64(b.X)-int64(h.X)), 2*(int64(b.Y)-int64(h.Y))
	pos, neg := 0, 0
	for _, c := range [4][2]int64{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}} {
		switch sgn((bx-ax)*(c[1]-ay) - (by-ay)*(c[0]-ax)) {
		case 1:
			pos++
		case -1:
			neg++
		}
	}
	if closed {
		return pos < 4 && neg < 4
	}
	// Open square: the line must pass strictly between two corners, and
	// within the square's open extent along the segment.
	if pos == 0 || neg == 0 {
		return false
	}
	return max(ax, bx) > -1 && min(ax, bx) < 1 && max(ay, by) > -1 && min(ay, by) < 1
}

// route replaces a segment by the chain of hot pixels it passes through,
// ordered along it, appending to out; it reports whether it split.
func route(s Seg, hot hotPixels, closed bool, out []Seg, cand []P) ([]Seg, []P, bool) {
	cand = hot.in(s, cand[:0])
	dx, dy := int64(s.B.X)-int64(s.A.X), int64(s.B.Y)-int64(s.A.Y)
	type stop struct {
		p P
		t int64 // (p - a)·d, orders stops along the segment
	}
	var stops []stop
	for _, h := range cand {
		if h == s.A || h == s.B || !touchesPixel(s.A, s.B, h, closed) {
			continue
		}
		stops = append(stops, stop{h, (int64(h.X)-int64(s.A.X))*dx + (int64(h.Y)-int64(s.A.Y))*dy})
	}
	if len(stops) == 0 {
		return append(out, s), cand, false
	}
	sort.Slice(stops, func(i, j int) bool {
		if stops[i].t != stops[j].t {
			return stops[i].t < stops[j].t
		}
		return Less(stops[i].p, stops[j].p)
	})
	prev := s.A
	for _, st := range stops {
		if st.p != prev {
			out = append(out, Seg{prev, st.p, s.Left, s.Right})
			prev = st.p
		}
	}
	if prev != s.B {
		out = append(out, Seg{prev, s.B, s.Left, s.Right})
	}
	return out, cand, true
}

// snapRound nodes the segments: every endpoint and every proper crossing
// (rounded exactly to the grid) becomes a hot pixel, each segment is
// routed through the hot pixels it meets, and the pieces of split
// segments are routed again until none passes through the inside of a
// hot pixel it does not end at. The result has no crossings and no
// vertex inside another segment; segments may coincide (they are merged
// later).
//
// Segments marked settled are already noded among themselves, as an
// earlier snapRound left them: only pairs with a fresh segment are
// tested for crossings, and settled segments are routed only through the
// hot pixels that the fresh ones bring. The input slice is reused.
func snapRound(segs []Seg, settled []bool) []Seg {
	isSettled := func(i int) bool { return settled != nil && settled[i] }
	shift := cellShift(segs)
	// Hot pixels: every endpoint (a ring's segments share theirs, so
	// each is taken once) and every crossing.
	pts := make([]P, 0, len(segs)+len(segs)/8)
	var freshPts []P
	for i, s := range segs {
		pts = append(pts, s.A)
		if i+1 == len(segs) || segs[i+1].A != s.B {
			pts = append(pts, s.B)
		}
		if settled != nil && !settled[i] {
			freshPts = append(freshPts, s.A, s.B)
		}
	}
	workers := workersFor(len(segs))
	crossings := make([][]P, workers)
	eachPair(segs, shift, workers, func(w, i, j int) {
		if isSettled(i) && isSettled(j) {
			return
		}
		a, b := segs[i], segs[j]
		d1, d2 := sgn(orient(b.A, b.B, a.A)), sgn(orient(b.A, b.B, a.B))
		d3, d4 := sgn(orient(a.A, a.B, b.A)), sgn(orient(a.A, a.B, b.B))
		if d1*d2 < 0 && d3*d4 < 0 {
			crossings[w] = append(crossings[w], crossingPixel(a.A, a.B, b.A, b.B))
		}
	})
	for _, c := range crossings {
		pts = append(pts, c...)
		if settled != nil {
			freshPts = append(freshPts, c...)
		}
	}
	hot := newHotPixels(pts, shift)
	fresh := hot
	if settled != nil {
		fresh = newHotPixels(freshPts, shift)
	}
	// Segments left whole are final: with closed pixels they met no
	// other pixel, not even a pixel's border. Pieces are checked again.
	// Each worker compacts the segments it keeps at the start of its
	// own range; the ranges are then joined in order.
	keptN := make([]int, workers)
	from := make([]int, workers)
	piecesBy := make([][]Seg, workers)
	parts(len(segs), workers, func(w, lo, hi int) {
		from[w] = lo
		var split []Seg
		var cand []P
		n := lo
		for i := lo; i < hi; i++ {
			h := hot
			if isSettled(i) {
				h = fresh
			}
			var did bool
			if split, cand, did = route(segs[i], h, true, split[:0], cand); did {
				piecesBy[w] = append(piecesBy[w], split...)
			} else {
				segs[n] = segs[i]
				n++
			}
		}
		keptN[w] = n - lo
	})
	kept := 0
	for w := range keptN {
		kept += copy(segs[kept:], segs[from[w]:from[w]+keptN[w]])
	}
	var pieces, split []Seg
	var cand []P
	for _, p := range piecesBy {
		pieces = append(pieces, p...)
	}
	out := segs[:kept]
	for pass := 0; pass < 16 && len(pieces) > 0; pass++ {
		var next []Seg
		for _, s := range pieces {
			var did bool
			if split, cand, did = route(s, hot, false, split[:0], cand); did {
				next = append(next, split...)
			} else {
				out = append(out, s)
			}
		}
		pieces = next
	}
	return append(out, pieces...)
}
