package topo

import (
	"reflect"
	"testing"
)

func TestSplitPinches(t *testing.T) {
	p := func(x, y int32) P { return P{x, y} }
	a, b, c, x, d, e, f := p(0, 0), p(10, 0), p(10, 10), p(5, 5), p(6, 4), p(7, 5), p(0, 10)
	for _, tc := range []struct {
		in   []P
		want [][]P
	}{
		{[]P{a, b, c, f}, [][]P{{a, b, c, f}}},
		{[]P{a, b, c, x, d, e, x, f}, [][]P{{x, d, e}, {a, b, c, x, f}}},
	} {
		if got := splitPinches(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("splitPinches(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestRegionsHoleTouchingExterior: a square with a triangular hole whose
// corner touches the square's side: the walk passes that point twice;
// Regions gives an exterior and a hole, each passing every point once.
func TestRegionsHoleTouchingExterior(t *testing.T) {
	// Unit 0: the square minus the triangle; unit 1: the triangle, whose
	// corner (10, 5) lies on the square's right side.
	sq := []P{{0, 0}, {10, 0}, {10, 5}, {10, 10}, {0, 10}}
	var segs []Seg
	ring := func(r []P, left, right int32) {
		for i := range r {
			segs = append(segs, Seg{A: r[i], B: r[(i+1)%len(r)], Left: left, Right: right})
		}
	}
	ring(sq, 0, -1)
	// The triangle counter-clockwise: unit 1 on its left, unit 0 (which
	// it is cut out of) on its right.
	ring([]P{{10, 5}, {6, 7}, {6, 3}}, 1, 0)
	g, err := Build(segs)
	if err != nil {
		t.Fatal(err)
	}
	for fi := range g.Faces {
		if pos := g.Faces[fi].Cover.Positive(); len(pos) > 0 {
			g.Faces[fi].Owner = pos[len(pos)-1]
		}
	}
	polys := g.Regions()[0]
	if len(polys) != 1 || len(polys[0]) != 2 {
		t.Fatalf("unit 0: %v, want one polygon with one hole", polys)
	}
	for i, r := range polys[0] {
		seen := map[P]bool{}
		for _, q := range r {
			if seen[q] {
				t.Errorf("ring %d passes %v twice: %v", i, q, r)
			}
			seen[q] = true
		}
	}
	if Area2(polys[0][0]) <= 0 || Area2(polys[0][1]) >= 0 {
		t.Errorf("exterior %d, hole %d (twice the areas)", Area2(polys[0][0]), Area2(polys[0][1]))
	}
}
