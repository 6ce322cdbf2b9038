package geo

import (
	"testing"

	"github.com/paulmach/orb"
)

func box(x, y, w, h float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x, y}, {x + w, y}, {x + w, y + h}, {x, y + h}, {x, y}}}}
}

func TestNeighboursFixtures(t *testing.T) {
	const s = 0.1 // about 10 km at 30°N
	gap := 50 / metresPerDegree
	far := 500 / metresPerDegree
	shapes := []Shape{
		{ID: "a", Group: "d", Geom: box(106, 30, s, s)},
		{ID: "b-edge", Group: "d", Geom: box(106+s, 30, s, s)},        // shares a's east edge
		{ID: "c-corner", Group: "d", Geom: box(106+s, 30+s, s, s)},    // touches a at one corner
		{ID: "d-gap", Group: "d", Geom: box(106-s-gap, 30, s, s)},     // 50 m west of a
		{ID: "e-far", Group: "d", Geom: box(106, 30-s-far, s, s)},     // 500 m south of a
		{ID: "f-other-level", Group: "c", Geom: box(106, 30+s, s, s)}, // shares a's north edge, other level
		{ID: "g-half", Group: "d", Geom: box(106+s/2, 30+s, s/2, s)},  // half of a's north edge, c's west edge
	}
	got := map[[2]string]bool{}
	for _, n := range Neighbours(shapes, DefaultAdjacency) {
		got[[2]string{n.A, n.B}] = true
	}
	want := map[[2]string]bool{
		{"a", "b-edge"}:        true,
		{"a", "d-gap"}:         true,
		{"a", "g-half"}:        true,
		{"b-edge", "c-corner"}: true,
		{"c-corner", "g-half"}: true,
	}
	for p := range want {
		if !got[p] {
			t.Errorf("missing neighbours %v", p)
		}
	}
	for p := range got {
		if !want[p] {
			t.Errorf("unexpected neighbours %v", p)
		}
	}
}
