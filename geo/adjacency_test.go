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

// BenchmarkNeighbours3000 links a 55×55 grid of units whose borders
// carry 40 vertices each, jittered by a few metres as separately
// simplified neighbours are: the adjacency step of a 3,000-unit import.
func BenchmarkNeighbours3000(b *testing.B) {
	const n, s, per = 55, 0.05, 10
	jitter := func(i, j, k int) float64 { return float64((i*7+j*13+k*31)%9-4) * 3 / metresPerDegree }
	edge := func(a, c orb.Point, i, j int) []orb.Point {
		var pts []orb.Point
		for k := 0; k < per; k++ {
			t := float64(k) / per
			pts = append(pts, orb.Point{a[0] + t*(c[0]-a[0]) + jitter(i, j, k), a[1] + t*(c[1]-a[1]) + jitter(j, i, k)})
		}
		return pts
	}
	var shapes []Shape
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			x, y := 100+float64(i)*s, 30+float64(j)*s
			c := []orb.Point{{x, y}, {x + s, y}, {x + s, y + s}, {x, y + s}}
			var r orb.Ring
			for k := 0; k < 4; k++ {
				r = append(r, edge(c[k], c[(k+1)%4], i, j)...)
			}
			r = append(r, r[0])
			shapes = append(shapes, Shape{ID: string(rune(i*n + j)), Group: "d", Geom: orb.MultiPolygon{{r}}})
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got := len(Neighbours(shapes, DefaultAdjacency))
		if want := 2 * n * (n - 1); got != want {
			b.Fatalf("%d pairs, want %d", got, want)
		}
	}
}
