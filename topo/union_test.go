package topo_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/internal/shareddata"
	"github.com/indmap/indmap/topo"
	"github.com/paulmach/orb"
	sf "github.com/peterstace/simplefeatures/geom"
)

func sq(x, y, s float64) orb.Ring {
	return orb.Ring{{x, y}, {x + s, y}, {x + s, y + s}, {x, y + s}, {x, y}}
}

func rect(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

// cw is a ring walked the other way.
func cw(r orb.Ring) orb.Ring {
	out := append(orb.Ring(nil), r...)
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

func shoelace(r orb.Ring) float64 {
	s := 0.0
	for i := 0; i+1 < len(r); i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return s / 2
}

// toSF converts a lon/lat multipolygon to simplefeatures in metres of a
// local equirectangular frame around lat0 and validates it there.
func toSF(mp orb.MultiPolygon, lat0 float64) (sf.MultiPolygon, error) {
	kx, ky := math.Cos(lat0*math.Pi/180)*111320, 111320.0
	polys := make([]sf.Polygon, len(mp))
	for i, p := range mp {
		rings := make([]sf.LineString, len(p))
		for j, r := range p {
			coords := make([]float64, 0, 2*len(r))
			for _, q := range r {
				coords = append(coords, q[0]*kx, q[1]*ky)
			}
			rings[j] = sf.NewLineString(sf.NewSequence(coords, sf.DimXY))
		}
		polys[i] = sf.NewPolygon(rings)
	}
	m := sf.NewMultiPolygon(polys)
	return m, m.Validate()
}

// checkRFC7946 checks closed rings, exteriors counter-clockwise and holes
// clockwise, and returns the planar area and the number of holes.
func checkRFC7946(t *testing.T, mp orb.MultiPolygon) (area float64, holes int) {
	t.Helper()
	for pi, p := range mp {
		for ri, r := range p {
			if len(r) < 4 || r[0] != r[len(r)-1] {
				t.Errorf("polygon %d ring %d: not closed or too short: %v", pi, ri, r)
			}
			a := shoelace(r)
			if (ri == 0) != (a > 0) {
				t.Errorf("polygon %d ring %d winds the wrong way (area %g)", pi, ri, a)
			}
			area += a
			if ri > 0 {
				holes++
			}
		}
	}
	return area, holes
}

func TestUnion(t *testing.T) {
	const d = 0.001 // about 100 m
	// A unit square with a 0.5 hole in the middle, in d.
	holed := orb.MultiPolygon{{sq(0, 0, 3*d), cw(sq(d, d, d))}}
	tests := []struct {
		name         string
		in           []orb.MultiPolygon
		polys, holes int
		area         float64 // in d²
	}{
		{"nothing", nil, 0, 0, 0},
		{"one square", []orb.MultiPolygon{{{sq(0, 0, d)}}}, 1, 0, 1},
		{"clockwise input is rewound", []orb.MultiPolygon{{{cw(sq(0, 0, d))}}}, 1, 0, 1},
		{"disjoint squares", []orb.MultiPolygon{{{sq(0, 0, d)}}, {{sq(2*d, 0, d)}}}, 2, 0, 2},
		{"overlapping squares", []orb.MultiPolygon{{{sq(0, 0, 2*d)}}, {{sq(d, d, 2*d)}}}, 1, 0, 7},
		{"squares sharing an edge", []orb.MultiPolygon{{{sq(0, 0, d)}}, {{sq(d, 0, d)}}}, 1, 0, 2},
		{"squares sharing part of an edge", []orb.MultiPolygon{{{sq(0, 0, d)}}, {{sq(d, 0.5*d, d)}}}, 1, 0, 2},
		{"squares touching at a corner stay apart", []orb.MultiPolygon{{{sq(0, 0, d)}}, {{sq(d, d, d)}}}, 2, 0, 2},
		{"one inside the other", []orb.MultiPolygon{{{sq(0, 0, 4*d)}}, {{sq(d, d, d)}}}, 1, 0, 16},
		{"one input's overlapping parts", []orb.MultiPolygon{{{sq(0, 0, 2*d)}, {sq(d, d, 2*d)}}}, 1, 0, 7},
		{"a hole stays", []orb.MultiPolygon{holed}, 1, 1, 8},
		{"a hole filled by another input", []orb.MultiPolygon{holed, {{sq(d, d, d)}}}, 1, 0, 9},
		{"a hole partly filled", []orb.MultiPolygon{holed, {{sq(d, d, 0.5*d)}}}, 1, 1, 8.25},
		{"an island in a lake stays apart", []orb.MultiPolygon{holed, {{sq(1.25*d, 1.25*d, 0.5*d)}}}, 2, 1, 8.25},
		{"a ring of bars encloses a hole", []orb.MultiPolygon{
			{{rect(0, 0, 3*d, d)}}, {{rect(0, 2*d, 3*d, 3*d)}}, {{rect(0, d, d, 2*d)}}, {{rect(2*d, 0, 3*d, 3*d)}},
		}, 1, 1, 8},
		{"bars crossing", []orb.MultiPolygon{{{rect(0, d, 3*d, 2*d)}}, {{rect(d, 0, 2*d, 3*d)}}}, 1, 0, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := topo.Union(tc.in...)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.polys {
				t.Fatalf("%d polygons, want %d: %v", len(got), tc.polys, got)
			}
			area, holes := checkRFC7946(t, got)
			if holes != tc.holes {
				t.Errorf("%d holes, want %d", holes, tc.holes)
			}
			if math.Abs(area/(d*d)-tc.area) > 1e-6 {
				t.Errorf("area %.6f d², want %.6f", area/(d*d), tc.area)
			}
			if _, err := toSF(got, 0); err != nil {
				t.Errorf("invalid: %v", err)
			}
		})
	}
}

func TestMerge(t *testing.T) {
	const d = 0.001
	polys := []orb.Polygon{
		{sq(0, 0, 2*d)},                          // 0: overlaps 1
		{sq(d, d, 2*d)},                          // 1
		{sq(10*d, 0, d)},                         // 2: shares an edge with 4
		{sq(3*d, 3*d, d)},                        // 3: touches 1 at a corner only
		{sq(11*d, 0, d)},                         // 4
		{sq(20*d, 0, 4*d), cw(sq(21*d, d, 2*d))}, // 5: a lake
		{sq(21.5*d, 1.5*d, d)},                   // 6: an island in it
	}
	got, err := topo.Merge(polys)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		members []int
		area    float64 // d²
	}{{[]int{0, 1}, 7}, {[]int{2, 4}, 2}}
	if len(got) != len(want) {
		t.Fatalf("%d groups, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if fmt.Sprint(got[i].Members) != fmt.Sprint(w.members) {
			t.Errorf("group %d: members %v, want %v", i, got[i].Members, w.members)
		}
		if len(got[i].Geom) != 1 {
			t.Errorf("group %d: %d polygons, want 1", i, len(got[i].Geom))
		}
		if a, _ := checkRFC7946(t, got[i].Geom); math.Abs(a/(d*d)-w.area) > 1e-6 {
			t.Errorf("group %d: area %.6f d², want %.6f", i, a/(d*d), w.area)
		}
	}
}

// TestUnionSharedData unions 江北区 and 渝北区 as the import leaves them
// (read and repaired, then partitioned with the other districts): the
// area is the sum of theirs within 0.1 %, and simplefeatures finds the
// result valid and as large as its own union of the two.
func TestUnionSharedData(t *testing.T) {
	bs, err := geo.ReadDataVFile(shareddata.Boundary(t, "chongqing-districts"), geo.ReadOptions{CRS: geo.GCJ02})
	if err != nil {
		t.Fatal(err)
	}
	in := make([]topo.Unit, len(bs))
	for i, b := range bs {
		in[i] = topo.Unit{Code: b.Code, Geom: b.Geom}
	}
	res, err := topo.Partition(in, topo.DefaultSliverM, topo.DefaultWeldM)
	if err != nil {
		t.Fatal(err)
	}
	var parts []orb.MultiPolygon
	for _, r := range res {
		if r.Code == "500105" || r.Code == "500112" {
			parts = append(parts, r.Geom)
		}
	}
	if len(parts) != 2 {
		t.Fatalf("found %d of 江北区 and 渝北区", len(parts))
	}
	u, err := topo.Union(parts...)
	if err != nil {
		t.Fatal(err)
	}
	sum := geo.AreaKm2(parts[0]) + geo.AreaKm2(parts[1])
	if got := geo.AreaKm2(u); math.Abs(got-sum)/sum > 0.001 {
		t.Errorf("union %.3f km², the two %.3f km²", got, sum)
	}
	checkRFC7946(t, u)
	lat0 := u.Bound().Center()[1]
	g, err := toSF(u, lat0)
	if err != nil {
		t.Fatalf("union invalid: %v", err)
	}
	a, errA := toSF(parts[0], lat0)
	b, errB := toSF(parts[1], lat0)
	if errA != nil || errB != nil {
		t.Fatalf("inputs invalid: %v, %v", errA, errB)
	}
	ref, err := sf.Union(a.AsGeometry(), b.AsGeometry())
	if err != nil {
		t.Fatal(err)
	}
	if d := math.Abs(g.Area()-ref.Area()) / ref.Area(); d > 0.001 {
		t.Errorf("union %.0f m², simplefeatures' %.0f m²", g.Area(), ref.Area())
	}
	// 江北区 comes out of the partition with a crumb apart from its body
	// (a triangle of about 1e-7°), which the union keeps as it is.
	for i, p := range u {
		t.Logf("polygon %d: %d holes, %.3f km²", i, len(p)-1, geo.AreaKm2(orb.MultiPolygon{p}))
	}
	t.Logf("江北区 + 渝北区: %d polygons, %.3f km² (sum %.3f km²)", len(u), geo.AreaKm2(u), sum)
}
