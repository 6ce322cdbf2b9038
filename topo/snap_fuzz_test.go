package topo

import (
	"encoding/binary"
	"fmt"
	"testing"
)

// FuzzSnapRound checks snapRound's promises on arbitrary segments, with
// checks of its own (plain int64 arithmetic, none of snap.go's
// predicates):
//
//   - no two output segments cross properly;
//   - no output vertex lies inside another output segment (so collinear
//     pieces either coincide or meet end to end);
//   - every piece lies within half a grid cell (L∞, exactly) of the
//     segment it came from: both its ends do, and the set of points within
//     half a cell of a segment is convex;
//   - the pieces of each input segment form a walk from its start to its
//     end.
//
// data is read as segments of four little-endian int16 coordinates; with
// far set, every point is moved to where Chongqing lies on the import
// grid; with settled > 0, the first settled segments go through
// snapRound first and join the rest as settled, as BuildNoded does.
func FuzzSnapRound(f *testing.F) {
	for _, seed := range snapSeeds() {
		f.Add(seed.data, seed.far, seed.settled)
	}
	f.Fuzz(func(t *testing.T, data []byte, far bool, settled uint8) {
		in := decodeSegs(data, far)
		if len(in) == 0 {
			return
		}
		var segs []Seg
		var flags []bool
		if k := int(settled) % (len(in) + 1); k > 0 {
			first := labelled(in[:k])
			out, err := snapRound(first, nil)
			if err != nil {
				t.Fatalf("first round: %v", err)
			}
			checkSnapped(t, in[:k], out)
			for _, s := range out {
				segs = append(segs, Seg{s.A, s.B, 0, -1})
				flags = append(flags, true)
			}
			for _, s := range in[k:] {
				segs = append(segs, Seg{s.A, s.B, 0, -1})
				flags = append(flags, false)
			}
		} else {
			for _, s := range in {
				segs = append(segs, Seg{s.A, s.B, 0, -1})
			}
		}
		src := labelled(segs)
		out, err := snapRound(append([]Seg(nil), src...), flags)
		if err != nil {
			t.Fatal(err)
		}
		checkSnapped(t, src, out)
	})
}

// labelled copies segments, each labelled with its index (Left), which
// snapRound passes on to its pieces.
func labelled(segs []Seg) []Seg {
	out := make([]Seg, len(segs))
	for i, s := range segs {
		out[i] = Seg{s.A, s.B, int32(i), -1}
	}
	return out
}

const (
	fuzzMaxSegs = 48
	// Chongqing on the import grid (106.5°E, 29.5°N).
	farX, farY = 1_065_000_000, 295_000_000
)

func decodeSegs(data []byte, far bool) []Seg {
	var out []Seg
	for len(data) >= 8 && len(out) < fuzzMaxSegs {
		var c [4]int32
		for k := range c {
			c[k] = int32(int16(binary.LittleEndian.Uint16(data[2*k:])))
		}
		data = data[8:]
		s := Seg{A: P{c[0], c[1]}, B: P{c[2], c[3]}, Left: -1, Right: -1}
		if far {
			s.A.X, s.A.Y, s.B.X, s.B.Y = s.A.X+farX, s.A.Y+farY, s.B.X+farX, s.B.Y+farY
		}
		if s.A != s.B {
			out = append(out, s)
		}
	}
	return out
}

func encodeSegs(segs ...[4]int16) []byte {
	var b []byte
	for _, s := range segs {
		for _, c := range s {
			b = binary.LittleEndian.AppendUint16(b, uint16(c))
		}
	}
	return b
}

type snapSeed struct {
	data    []byte
	far     bool
	settled uint8
}

func snapSeeds() []snapSeed {
	var seeds []snapSeed
	add := func(far bool, settled uint8, segs ...[4]int16) {
		seeds = append(seeds, snapSeed{encodeSegs(segs...), far, settled})
	}
	// A plain crossing, and a square ring.
	add(false, 0, [4]int16{0, 0, 10, 10}, [4]int16{0, 10, 10, 0})
	add(false, 0, [4]int16{0, 0, 10, 0}, [4]int16{10, 0, 10, 10}, [4]int16{10, 10, 0, 10}, [4]int16{0, 10, 0, 0})
	// Collinear segments that overlap, contain one another, or meet
	// end to end; a diagonal pair that overlaps.
	add(false, 0, [4]int16{0, 0, 10, 0}, [4]int16{5, 0, 15, 0}, [4]int16{2, 0, 3, 0}, [4]int16{15, 0, 20, 0})
	add(false, 0, [4]int16{0, 0, 9, 6}, [4]int16{3, 2, 12, 8}, [4]int16{12, 8, 6, 4})
	// Segments passing within a cell of vertices: exactly on a pixel's
	// border, through its corner, just inside, just outside.
	add(false, 0, [4]int16{0, 0, 10, 1}, [4]int16{5, 1, 5, 5}, [4]int16{5, -1, 9, -7})
	add(false, 0, [4]int16{0, 0, 20, 3}, [4]int16{7, 1, 7, 9}, [4]int16{13, 2, 0, 9})
	add(false, 0, [4]int16{0, 0, 2, 2}, [4]int16{1, 0, 3, 0}, [4]int16{0, 1, 0, 3}, [4]int16{-1, 2, 3, 1})
	add(false, 0, [4]int16{-100, 0, 100, 1}, [4]int16{0, 1, 0, 40}, [4]int16{1, 1, 40, 40}, [4]int16{-1, 1, -40, 40})
	// Two segments through the pixel corner (½, ½) with all four pixels
	// around it hot: were pixels closed, each would pass through all four,
	// one from (0, 1) to (1, 0), the other from (1, 1) to (0, 0), crossing.
	add(false, 0, [4]int16{-2, -2, 3, 3}, [4]int16{5, 0, -4, 1}, [4]int16{1, 0, 1, -10}, [4]int16{0, 1, 0, 10}, [4]int16{0, 0, -10, -1})
	add(false, 2, [4]int16{-2, -2, 3, 3}, [4]int16{1, 0, 1, -10}, [4]int16{5, 0, -4, 1}, [4]int16{0, 1, 0, 10}, [4]int16{0, 0, -10, -1})
	// Near-parallel: long segments a cell or less apart at a shallow
	// angle, crossing once or not at all.
	add(false, 0, [4]int16{0, 0, 30000, 1}, [4]int16{0, 1, 30000, 2}, [4]int16{1, 0, 29999, 1}, [4]int16{-3, 0, 30001, 3})
	add(false, 0, [4]int16{0, 0, 32000, 7}, [4]int16{0, 1, 32000, 6}, [4]int16{0, 2, 32000, 5}, [4]int16{16000, 3, 16001, 4})
	add(false, 0, [4]int16{-32000, -5, 32000, 5}, [4]int16{-32000, 5, 32000, -5}, [4]int16{-32000, 0, 32000, 1}, [4]int16{0, -32000, 1, 32000})
	// Many segments through one hot pixel: a star through the origin,
	// and a fan crossing just off it.
	star := [][4]int16{}
	for k := int16(0); k < 12; k++ {
		star = append(star, [4]int16{-50, -k * 4, 50, k * 4}, [4]int16{-k * 4, 50, k * 4, -50})
	}
	add(false, 0, star...)
	fan := [][4]int16{}
	for k := int16(1); k < 16; k++ {
		fan = append(fan, [4]int16{-1000, -k, 1000, k + 1}, [4]int16{k, -1000, -k + 1, 1000})
	}
	add(false, 0, fan...)
	// Far from the origin (real coordinates), and the settled path: a
	// ring snap-rounded first, then crossed by fresh segments.
	add(true, 0, [4]int16{0, 0, 30000, 1}, [4]int16{0, 1, 30000, 2}, [4]int16{5, -7, 8, 9})
	add(false, 4, [4]int16{0, 0, 100, 3}, [4]int16{100, 3, 97, 100}, [4]int16{97, 100, 2, 98}, [4]int16{2, 98, 0, 0},
		[4]int16{-5, 50, 200, 51}, [4]int16{50, -5, 49, 200}, [4]int16{1, 1, 99, 4})
	add(true, 2, [4]int16{0, 0, 1000, 2}, [4]int16{1000, 2, 0, 3}, [4]int16{500, -10, 501, 10}, [4]int16{0, 1, 1000, 3})
	return seeds
}

// checkSnapped checks out, snapRound's result, against src, its input
// (each piece's Left is its source's index in src).
func checkSnapped(t *testing.T, src, out []Seg) {
	t.Helper()
	for i, s := range out {
		if s.A == s.B {
			t.Fatalf("piece %d is a point %v", i, s.A)
		}
		if s.Left < 0 || int(s.Left) >= len(src) {
			t.Fatalf("piece %d: source %d out of range", i, s.Left)
		}
	}
	// Crossings and vertices inside other segments: every pair.
	for i, s := range out {
		for j := i + 1; j < len(out); j++ {
			u := out[j]
			if properlyCross(s.A, s.B, u.A, u.B) {
				t.Fatalf("pieces %v–%v (of %d) and %v–%v (of %d) cross", s.A, s.B, s.Left, u.A, u.B, u.Left)
			}
			for _, x := range [][3]Seg{{s, u}, {u, s}} {
				a, b := x[0], x[1]
				for _, v := range []P{b.A, b.B} {
					if strictlyInside(a.A, a.B, v) {
						t.Fatalf("vertex %v (of piece %v–%v, source %d) lies inside piece %v–%v (source %d)", v, b.A, b.B, b.Left, a.A, a.B, a.Left)
					}
				}
			}
		}
	}
	// Within half a cell of the source, and a walk from start to end.
	bySrc := make([][]Seg, len(src))
	for _, s := range out {
		bySrc[s.Left] = append(bySrc[s.Left], s)
		for _, p := range []P{s.A, s.B} {
			if !withinHalfCell(src[s.Left].A, src[s.Left].B, p) {
				t.Fatalf("piece %v–%v lies over half a cell from its source %v–%v (at %v)", s.A, s.B, src[s.Left].A, src[s.Left].B, p)
			}
		}
	}
	for i, s := range src {
		if err := isWalk(bySrc[i], s.A, s.B); err != nil {
			t.Fatalf("source %d %v–%v: pieces %v: %v", i, s.A, s.B, bySrc[i], err)
		}
	}
}

func sign64(v int64) int64 {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// side is the sign of (b−a)×(p−a).
func side(a, b, p P) int64 {
	bx, by := int64(b.X)-int64(a.X), int64(b.Y)-int64(a.Y)
	px, py := int64(p.X)-int64(a.X), int64(p.Y)-int64(a.Y)
	return sign64(bx*py - by*px)
}

// properlyCross: the segments' interiors meet at a single point that is
// an endpoint of neither.
func properlyCross(a, b, c, d P) bool {
	return side(a, b, c)*side(a, b, d) < 0 && side(c, d, a)*side(c, d, b) < 0
}

// strictlyInside: p lies on segment ab, not at an end.
func strictlyInside(a, b, p P) bool {
	if p == a || p == b || side(a, b, p) != 0 {
		return false
	}
	dot := (int64(p.X)-int64(a.X))*(int64(b.X)-int64(a.X)) + (int64(p.Y)-int64(a.Y))*(int64(b.Y)-int64(a.Y))
	l2 := (int64(b.X)-int64(a.X))*(int64(b.X)-int64(a.X)) + (int64(b.Y)-int64(a.Y))*(int64(b.Y)-int64(a.Y))
	return dot > 0 && dot < l2
}

// withinHalfCell: some point of segment ab lies within half a grid unit
// of p along both axes. Liang–Barsky clipping of a + t(b−a), t ∈ [0, 1],
// against |x − p.x| ≤ ½ and |y − p.y| ≤ ½, in doubled coordinates with
// the bounds on t kept as fractions.
func withinHalfCell(a, b, p P) bool {
	// lo = loN/loD ≤ t ≤ hiN/hiD, denominators positive.
	loN, loD, hiN, hiD := int64(0), int64(1), int64(1), int64(1)
	for _, ax := range [2][2]int64{
		{2 * (int64(a.X) - int64(p.X)), 2 * (int64(b.X) - int64(a.X))},
		{2 * (int64(a.Y) - int64(p.Y)), 2 * (int64(b.Y) - int64(a.Y))},
	} {
		q0, d := ax[0], ax[1] // coordinate at t: q0 + t·d, wanted in [−1, 1]
		if d == 0 {
			if q0 < -1 || q0 > 1 {
				return false
			}
			continue
		}
		// t between (−1 − q0)/d and (1 − q0)/d.
		n1, n2 := -1-q0, 1-q0
		if d < 0 {
			n1, n2, d = -n2, -n1, -d
		}
		if n1*loD > loN*d {
			loN, loD = n1, d
		}
		if n2*hiD < hiN*d {
			hiN, hiD = n2, d
		}
	}
	return loN*hiD <= hiN*loD
}

// isWalk reports whether the pieces, as undirected edges, can be walked
// one after another from a to b, each once.
func isWalk(pieces []Seg, a, b P) error {
	if len(pieces) == 0 {
		return fmt.Errorf("no pieces")
	}
	deg := map[P]int{}
	parent := map[P]P{}
	var find func(P) P
	find = func(p P) P {
		q, ok := parent[p]
		if !ok || q == p {
			parent[p] = p
			return p
		}
		r := find(q)
		parent[p] = r
		return r
	}
	for _, s := range pieces {
		deg[s.A]++
		deg[s.B]++
		parent[find(s.A)] = find(s.B)
	}
	for p, d := range deg {
		if (d%2 == 1) != (p == a || p == b) {
			return fmt.Errorf("%v has degree %d", p, d)
		}
		if find(p) != find(a) {
			return fmt.Errorf("%v is not connected to %v", p, a)
		}
	}
	if deg[a] == 0 || deg[b] == 0 {
		return fmt.Errorf("the walk does not reach both ends")
	}
	return nil
}
