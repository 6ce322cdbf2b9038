package mvtcheck

import (
	"math"
	"sort"
)

// Box is a rectangle in tile coordinates: Min inclusive, Max exclusive.
type Box struct{ Min, Max Pt }

// Ref is a reference shape in tile coordinates (floats): one unit of the
// stored geometry, rings of any orientation (inside is odd parity).
// Edge[r][k] says whether the edge from ring r's point k to the next lies
// on the boundary of the union of all reference shapes (an outer border
// or a true hole, not a border between two units).
type Ref struct {
	Rings [][][2]float64
	Edge  [][]bool
}

// Coverage is what Measure found in one tile.
type Coverage struct {
	// Overlaps is the area covered by both features of a pair (ids, the
	// smaller first), in square tile units.
	Overlaps map[[2]uint64]float64
	// Gap is the area inside the reference shapes, farther than the
	// margin from their boundary, that no feature covers.
	Gap float64
	// GapAt is a point of the gap (tile coordinates) when Gap > 0.
	GapAt [2]float64
}

type crossing struct {
	x float64
	f int32
}

// Measure scans the box row by row (at y = k + 0.5, exact for the
// straight edges between integer rows) and measures, by even-odd fill of
// each feature, where two features cover the same ground and where none
// covers ground that the reference shapes cover. Ground within margin of
// the union's boundary (outer border, true holes: the edges marked in
// Ref.Edge) is not counted as a gap, as simplification for the zoom may
// move that boundary; borders between units are not exempt.
func Measure(features map[uint64][]Polygon, box Box, refs []Ref, margin int) Coverage {
	ids := make([]uint64, 0, len(features))
	for id := range features {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	n := int(box.Max[1] - box.Min[1])
	rows := make([][]crossing, n)
	for fi, id := range ids {
		for _, p := range features[id] {
			for _, r := range p {
				for k := range r {
					a, b := r[k], r[(k+1)%len(r)]
					if a[1] == b[1] {
						continue
					}
					lo, hi := min(a[1], b[1]), max(a[1], b[1])
					for y := max(lo, box.Min[1]); y < min(hi, box.Max[1]); y++ {
						t := (float64(y) + 0.5 - float64(a[1])) / float64(b[1]-a[1])
						x := float64(a[0]) + t*float64(b[0]-a[0])
						rows[y-box.Min[1]] = append(rows[y-box.Min[1]], crossing{x, int32(fi)})
					}
				}
			}
		}
	}
	cov := Coverage{Overlaps: map[[2]uint64]float64{}}
	type cand struct {
		row    int64
		lo, hi float64
	}
	var cands []cand
	parity := make([]bool, len(ids))
	var active []int32
	x0, x1 := float64(box.Min[0]), float64(box.Max[0])
	for ri, row := range rows {
		sort.Slice(row, func(i, j int) bool { return row[i].x < row[j].x })
		prev := x0
		active = active[:0]
		for i := 0; i <= len(row); i++ {
			x := x1
			if i < len(row) {
				x = math.Min(math.Max(row[i].x, x0), x1)
			}
			if l := x - prev; l > 0 {
				switch {
				case len(active) == 0:
					cands = append(cands, cand{box.Min[1] + int64(ri), prev, x})
				case len(active) >= 2:
					for a := 0; a < len(active); a++ {
						for b := a + 1; b < len(active); b++ {
							p := [2]uint64{ids[active[a]], ids[active[b]]}
							if p[0] > p[1] {
								p[0], p[1] = p[1], p[0]
							}
							cov.Overlaps[p] += l
						}
					}
				}
			}
			prev = math.Max(prev, x)
			if i == len(row) {
				break
			}
			f := row[i].f
			parity[f] = !parity[f]
			if parity[f] {
				active = append(active, f)
			} else {
				for k, g := range active {
					if g == f {
						active = append(active[:k], active[k+1:]...)
						break
					}
				}
			}
		}
		for _, f := range active {
			parity[f] = false
		}
	}
	if len(cands) == 0 || len(refs) == 0 {
		return cov
	}
	ref := newRefRows(refs, box.Min[1], box.Max[1], float64(margin))
	for _, c := range cands {
		for _, iv := range ref.inside(c.row, float64(margin)) {
			lo, hi := math.Max(iv[0], c.lo), math.Min(iv[1], c.hi)
			if hi > lo {
				if cov.Gap == 0 {
					cov.GapAt = [2]float64{(lo + hi) / 2, float64(c.row) + 0.5}
				}
				cov.Gap += hi - lo
			}
		}
	}
	return cov
}

// refRows holds the reference shapes' crossings per row and, per row,
// the edges that come within the margin of it.
type refRows struct {
	first int64
	cross [][]crossing
	near  [][][2][2]float64
}

func newRefRows(refs []Ref, first, end int64, m float64) *refRows {
	rr := &refRows{first: first, cross: make([][]crossing, end-first), near: make([][][2][2]float64, end-first)}
	for ui, u := range refs {
		for ri, r := range u.Rings {
			for k := range r {
				a, b := r[k], r[(k+1)%len(r)]
				lo, hi := math.Min(a[1], b[1]), math.Max(a[1], b[1])
				for y := max(int64(math.Floor(lo-m-0.5)), first); u.Edge[ri][k] && y < min(int64(math.Ceil(hi+m)), end); y++ {
					rr.near[y-first] = append(rr.near[y-first], [2][2]float64{a, b})
				}
				if a[1] == b[1] {
					continue
				}
				// Rows whose centre y+0.5 lies in [lo, hi).
				y0 := max(int64(math.Ceil(lo-0.5)), first)
				y1 := min(int64(math.Ceil(hi-0.5)), end)
				for y := y0; y < y1; y++ {
					t := (float64(y) + 0.5 - a[1]) / (b[1] - a[1])
					rr.cross[y-first] = append(rr.cross[y-first], crossing{a[0] + t*(b[0]-a[0]), int32(ui)})
				}
			}
		}
	}
	return rr
}

// inside returns the parts of row y inside some reference shape and
// farther than m from every reference edge.
func (rr *refRows) inside(y int64, m float64) [][2]float64 {
	row := rr.cross[y-rr.first]
	sort.Slice(row, func(i, j int) bool { return row[i].x < row[j].x })
	var in [][2]float64
	odd := map[int32]bool{}
	count, start := 0, 0.0
	for _, c := range row {
		odd[c.f] = !odd[c.f]
		if odd[c.f] {
			if count == 0 {
				start = c.x
			}
			count++
		} else if count--; count == 0 {
			in = append(in, [2]float64{start, c.x})
		}
	}
	yc := float64(y) + 0.5
	var near [][2]float64
	for _, e := range rr.near[y-rr.first] {
		if iv, ok := capsuleRow(e[0], e[1], m, yc); ok {
			near = append(near, iv)
		}
	}
	return subtract(in, near)
}

// capsuleRow is the interval of the line y = yc within distance m of
// segment ab.
func capsuleRow(a, b [2]float64, m, yc float64) ([2]float64, bool) {
	lo, hi := math.Inf(1), math.Inf(-1)
	add := func(x float64) { lo, hi = math.Min(lo, x), math.Max(hi, x) }
	for _, c := range [2][2]float64{a, b} {
		if d := yc - c[1]; math.Abs(d) <= m {
			h := math.Sqrt(m*m - d*d)
			add(c[0] - h)
			add(c[0] + h)
		}
	}
	dx, dy := b[0]-a[0], b[1]-a[1]
	if l := math.Hypot(dx, dy); l > 0 && dy != 0 {
		nx, ny := -dy/l*m, dx/l*m
		for _, s := range [2]float64{1, -1} {
			ay := a[1] + s*ny
			if t := (yc - ay) / dy; t >= 0 && t <= 1 {
				add(a[0] + s*nx + t*dx)
			}
		}
	}
	return [2]float64{lo, hi}, lo <= hi
}

// subtract removes the union of cut from the sorted disjoint intervals.
func subtract(in, cut [][2]float64) [][2]float64 {
	sort.Slice(cut, func(i, j int) bool { return cut[i][0] < cut[j][0] })
	var out [][2]float64
	for _, iv := range in {
		x := iv[0]
		for _, c := range cut {
			if c[1] <= x || c[0] >= iv[1] {
				continue
			}
			if c[0] > x {
				out = append(out, [2]float64{x, c[0]})
			}
			x = math.Max(x, c[1])
		}
		if x < iv[1] {
			out = append(out, [2]float64{x, iv[1]})
		}
	}
	return out
}
