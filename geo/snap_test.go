package geo_test

import (
	"math"
	"testing"

	"github.com/indmap/indmap/geo"
	"github.com/paulmach/orb"
)

func TestSnapFixture(t *testing.T) {
	// Two squares whose common edge is drawn twice, 10–30 m apart, with
	// different vertices on each side.
	d := 1.0 / 111320 // a metre in degrees of latitude
	left := orb.Ring{{0, 0}, {0.1, 0}, {0.1 + 10*d, 0.03}, {0.1 - 20*d, 0.07}, {0.1, 0.1}, {0, 0.1}, {0, 0}}
	right := orb.Ring{{0.1, 0}, {0.2, 0}, {0.2, 0.1}, {0.1, 0.1}, {0.1 + 30*d, 0.05}, {0.1, 0}}
	shapes := []geo.Shape{
		{ID: "a", Group: "d", Geom: orb.MultiPolygon{{left}}},
		{ID: "b", Group: "d", Geom: orb.MultiPolygon{{right}}},
	}
	shapes[0].Geom, _ = geo.Repair(shapes[0].Geom)
	shapes[1].Geom, _ = geo.Repair(shapes[1].Geom)
	ns := geo.Neighbours(shapes, geo.DefaultAdjacency)
	if len(ns) != 1 {
		t.Fatalf("neighbours %v", ns)
	}
	before := geo.AreaKm2(shapes[0].Geom) + geo.AreaKm2(shapes[1].Geom)
	if notes := geo.Snap(shapes, ns, geo.DefaultSnapM); len(notes) > 0 {
		t.Errorf("notes %v", notes)
	}
	topo := geo.BuildTopology([]orb.MultiPolygon{shapes[0].Geom, shapes[1].Geom})
	shared := 0
	for _, a := range topo.Arcs {
		if a.Right >= 0 {
			shared++
			// a keeps its drawing of the border: b took a's points.
			if len(a.Points) != 4 {
				t.Errorf("shared arc %v, want a's 4 points", a.Points)
			}
		}
	}
	if shared != 1 {
		t.Errorf("%d shared arcs, want 1: %+v", shared, topo.Arcs)
	}
	after := geo.AreaKm2(shapes[0].Geom) + geo.AreaKm2(shapes[1].Geom)
	if math.Abs(after-before)/before > 0.001 {
		t.Errorf("area %f → %f", before, after)
	}
}

func TestSnapSharedData(t *testing.T) {
	for _, tc := range []struct {
		file    string
		pairs   int
		maxArcs int
		a, b    string // neighbours that must share one arc
	}{
		{"chongqing-districts", 83, 200, "500103", "500105"},
		{"shandong-cities", 29, 120, "370200", "370600"},
	} {
		bs := read(t, tc.file)
		var shapes []geo.Shape
		area := map[string]float64{}
		for _, b := range bs {
			shapes = append(shapes, geo.Shape{ID: b.Code, Group: b.Level, Geom: b.Geom})
			area[b.Code] = b.AreaKm2
		}
		notes := geo.Snap(shapes, geo.Neighbours(shapes, geo.DefaultAdjacency), geo.DefaultSnapM)
		for _, n := range notes {
			t.Logf("%s: %s", tc.file, n)
		}
		var mps []orb.MultiPolygon
		idx := map[string]int{}
		for i, s := range shapes {
			mps = append(mps, s.Geom)
			idx[s.ID] = i
			if d := math.Abs(geo.AreaKm2(s.Geom)-area[s.ID]) / area[s.ID]; d > 0.005 {
				t.Errorf("%s: area changed by %.2f%%", s.ID, d*100)
			}
			for pi, p := range s.Geom {
				for _, c := range geo.Crossings(p) {
					if len(c.All) == 1 && c.RingA == c.RingB {
						t.Errorf("%s polygon %d: ring meets itself at %v", s.ID, pi, c.At)
					}
				}
			}
		}
		if n := len(geo.Neighbours(shapes, geo.DefaultAdjacency)); n != tc.pairs {
			t.Errorf("%s: %d neighbour pairs after snapping, want %d", tc.file, n, tc.pairs)
		}
		topo := geo.BuildTopology(mps)
		if got := len(topo.SharedPairs()); got != tc.pairs {
			t.Errorf("%s: %d pairs share an arc, want %d", tc.file, got, tc.pairs)
		}
		if len(topo.Arcs) > tc.maxArcs {
			t.Errorf("%s: %d arcs, want at most %d (borders left unmatched)", tc.file, len(topo.Arcs), tc.maxArcs)
		}
		between := 0
		for _, a := range topo.Arcs {
			if a.Right >= 0 && ((a.Left == idx[tc.a] && a.Right == idx[tc.b]) || (a.Left == idx[tc.b] && a.Right == idx[tc.a])) {
				between++
			}
		}
		if between != 1 {
			t.Errorf("%s: %s and %s share %d arcs, want 1", tc.file, tc.a, tc.b, between)
		}
	}
}
