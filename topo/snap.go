// Package topo builds planar subdivisions on an integer grid: it nodes
// labelled segments with snap rounding, forms the faces, works out which
// unit covers each face, and walks the boundary of any set of faces into
// valid rings. The importer uses it to turn boundary files into a clean
// partition; the tile renderer uses it per zoom and per tile.
package topo

import (
	"cmp"
	"fmt"
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

// roundMulDiv returns a*b/d (d > 0) rounded exactly to the nearest
// integer, halves up (towards +∞): the pixel that holds the value, as
// pixels own their lower and left sides.
func roundMulDiv(a, b, d int64) int64 {
	neg := (a < 0) != (b < 0)
	ua, ub := uint64(abs(a)), uint64(abs(b))
	hi, lo := bits.Mul64(ua, ub)
	q, r := bits.Div64(hi, lo, uint64(d))
	// |a·b| = q·d + r with 0 ≤ r < d.
	if neg {
		// −q − r/d rounds to −q unless r/d is over one half.
		if 2*r > uint64(d) {
			q++
		}
		return -int64(q)
	}
	if 2*r >= uint64(d) {
		q++
	}
	return int64(q)
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// crossingPixel returns the centre of the pixel that holds the point
// where a1a2 and b1b2 cross properly, computed exactly.
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
	// An entry is a segment in a strip with its least x: 12 bytes, as an
	// import sorts millions of them.
	type entry struct {
		minX, strip, i int32
	}
	es := make([]entry, 0, len(segs)+len(segs)/4)
	for i, s := range segs {
		for st := min(s.A.Y, s.B.Y) >> shift; st <= max(s.A.Y, s.B.Y)>>shift; st++ {
			es = append(es, entry{min(s.A.X, s.B.X), st, int32(i)})
		}
	}
	sortFunc(es, workers, func(a, b entry) int {
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
// comes near, as keys (see hotKey) sorted by column (x >> shift), then
// y, then x: one integer compare orders two of them.
type hotPixels struct {
	shift uint
	keys  []uint64
}

// hotKey packs a point's column, y and x within the column into 64 bits
// (coordinates biased to unsigned so that the order is kept).
func hotKey(p P, shift uint) uint64 {
	ux, uy := uint32(p.X)^1<<31, uint32(p.Y)^1<<31
	return uint64(ux>>shift)<<(32+shift) | uint64(uy)<<shift | uint64(ux)&(1<<shift-1)
}

func (h hotPixels) point(k uint64) P {
	ux := uint32(k>>(32+h.shift))<<h.shift | uint32(k&(1<<h.shift-1))
	return P{int32(ux ^ 1<<31), int32(uint32(k>>h.shift) ^ 1<<31)}
}

// newHotPixels sorts the keys (made with shift, at most 31) in place.
func newHotPixels(keys []uint64, shift uint) hotPixels {
	slices.Sort(keys)
	return hotPixels{shift, slices.Compact(keys)}
}

// in appends the hot pixels within a segment's bounding box to out.
func (h hotPixels) in(s Seg, out []P) []P {
	minX, maxX := min(s.A.X, s.B.X), max(s.A.X, s.B.X)
	minY, maxY := min(s.A.Y, s.B.Y), max(s.A.Y, s.B.Y)
	lo, hi := hotKey(P{minX, minY}, h.shift), hotKey(P{maxX, maxY}, h.shift)
	for col := lo >> (32 + h.shift); col <= hi>>(32+h.shift); col++ {
		// The column's run from y = minY up.
		from := col<<(32+h.shift) | (lo>>h.shift&(1<<32-1))<<h.shift
		to := col<<(32+h.shift) | (hi>>h.shift&(1<<32-1))<<h.shift | (1<<h.shift - 1)
		i, _ := slices.BinarySearch(h.keys, from)
		for ; i < len(h.keys) && h.keys[i] <= to; i++ {
			if p := h.point(h.keys[i]); p.X >= minX && p.X <= maxX {
				out = append(out, p)
			}
		}
	}
	return out
}

// touchesPixel reports whether segment ab meets the pixel of grid point
// h: the square of side one around h, half-open so that every point of
// the plane lies in exactly one pixel: it owns its lower and left sides
// but not their far ends, nor the upper and right sides. h must lie
// inside the segment's bounding box (as hotPixels.in finds them); then
// the segment meets the closed square where its line does, which is when
// the square's corners are not all strictly on one side (the segment's
// ends, grid points, never lie on a side). Coordinates are doubled so
// that every test is exact.
func touchesPixel(a, b, h P) bool {
	// Relative to h, doubled: small numbers, exact products.
	ax, ay := 2*(int64(a.X)-int64(h.X)), 2*(int64(a.Y)-int64(h.Y))
	bx, by := 2*(int64(b.X)-int64(h.X)), 2*(int64(b.Y)-int64(h.Y))
	pos, neg := 0, 0
	var lowerLeft int
	for i, c := range [4][2]int64{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}} {
		o := sgn((bx-ax)*(c[1]-ay) - (by-ay)*(c[0]-ax))
		switch o {
		case 1:
			pos++
		case -1:
			neg++
		}
		if i == 0 {
			lowerLeft = o
		}
	}
	switch {
	case pos == 4 || neg == 4:
		return false // the square lies on one side
	case pos > 0 && neg > 0:
		return true // through the inside
	}
	// Only the boundary: a corner, or along a side (not for a segment
	// between grid points). The pixel owns it when it holds its
	// lower-left corner.
	return lowerLeft == 0
}

// route replaces a segment by the chain of the hot pixels it passes
// through, ordered along it, appending to out; it reports whether it
// split.
func route(s Seg, hot hotPixels, out []Seg, cand []P) ([]Seg, []P, bool) {
	cand = hot.in(s, cand[:0])
	dx, dy := int64(s.B.X)-int64(s.A.X), int64(s.B.Y)-int64(s.A.Y)
	type stop struct {
		p P
		t int64 // (p - a)·d, orders stops along the segment
	}
	var stops []stop
	for _, h := range cand {
		if h == s.A || h == s.B || !touchesPixel(s.A, s.B, h) {
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

// snapRound nodes the segments by snap rounding: the pixel (see
// touchesPixel) of every endpoint and every proper crossing (exactly) is
// hot, and each segment is replaced by the chain of the centres of the
// hot pixels it passes through, in order along it (pixels tile the
// plane, so a segment passes through them one after another, and their
// centres' projections on it grow: no ties). Then, as FuzzSnapRound
// checks:
//
//   - no two pieces cross, and no piece's vertex lies inside another
//     piece (collinear pieces coincide or meet end to end; coinciding
//     pieces are merged later);
//   - every piece lies within half a grid unit along each axis of the
//     segment it came from (every vertex of its chain does, and that
//     neighbourhood of a segment is convex).
//
// Pieces are not routed again through the hot pixels they pass near
// (iterated snap rounding): that moves them further than half a unit
// from their segment, and nothing here needs the extra clearance. A
// vertex may so lie close to a piece it is not on, never on it.
//
// Segments marked settled are already noded among themselves, as an
// earlier snapRound left them: pairs of them are not tested for
// crossings. They are routed like the others, through every hot pixel
// they touch, so that the result is the snap rounding of all segments
// together. The input slice is reused.
//
// Every test is exact in int64 while no segment spans maxExtent grid
// units or more along an axis; a longer one is an error.
func snapRound(segs []Seg, settled []bool) ([]Seg, error) {
	isSettled := func(i int) bool { return settled != nil && settled[i] }
	for _, s := range segs {
		if tooLong(s.A, s.B) {
			return nil, fmt.Errorf("snap rounding: segment %v–%v spans %d grid units or more", s.A, s.B, maxExtent)
		}
	}
	shift := cellShift(segs)
	// Hot pixels: every endpoint (a ring's segments share theirs, so
	// each is taken once) and every crossing, as keys (hotKey).
	hs := min(shift, 31)
	keys := make([]uint64, 0, len(segs)+len(segs)/8)
	for i, s := range segs {
		keys = append(keys, hotKey(s.A, hs))
		if i+1 == len(segs) || segs[i+1].A != s.B {
			keys = append(keys, hotKey(s.B, hs))
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
		for _, p := range c {
			keys = append(keys, hotKey(p, hs))
		}
	}
	hot := newHotPixels(keys, hs)
	// Each worker compacts the segments it keeps whole at the start of
	// its own range and collects the pieces of the others; the ranges
	// are then joined in order, and the pieces after them.
	keptN := make([]int, workers)
	from := make([]int, workers)
	piecesBy := make([][]Seg, workers)
	parts(len(segs), workers, func(w, lo, hi int) {
		from[w] = lo
		var split []Seg
		var cand []P
		n := lo
		for i := lo; i < hi; i++ {
			var did bool
			if split, cand, did = route(segs[i], hot, split[:0], cand); did {
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
	out := segs[:kept]
	for _, p := range piecesBy {
		out = append(out, p...)
	}
	return out, nil
}

// maxExtent bounds a segment's extent along either axis (2^29 grid units:
// 53° on the import grid). Hot pixels lie inside a segment's bounding
// box and pairs are tested only where their boxes meet, so every sum of
// products in orient, touchesPixel and route stays below 2^61.
const maxExtent = 1 << 29

// tooLong reports whether a segment spans maxExtent or more along an axis.
func tooLong(a, b P) bool {
	return abs(int64(b.X)-int64(a.X)) >= maxExtent || abs(int64(b.Y)-int64(a.Y)) >= maxExtent
}
