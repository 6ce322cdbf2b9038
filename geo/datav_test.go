package geo_test

import (
	"errors"
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/internal/shareddata"
	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

func read(t testing.TB, name string) []geo.Boundary {
	t.Helper()
	bs, err := geo.ReadDataVFile(shareddata.Boundary(t, name), geo.ReadOptions{CRS: geo.GCJ02})
	if err != nil {
		t.Fatal(err)
	}
	return bs
}

func TestReadSharedBoundaries(t *testing.T) {
	tests := []struct {
		file       string
		n          int
		minKm2     float64
		maxKm2     float64
		invalid    []string // units the shared README lists as invalid
		neighbours int
	}{
		{"chongqing-districts", 38, 82400 - 800, 82400 + 800, []string{"九龙坡区", "长寿区", "合川区", "铜梁区", "潼南区", "奉节县"}, 83},
		{"shandong-cities", 16, 155000, 160000, []string{"东营市", "聊城市"}, 29},
		{"shandong-counties", 137, 155000, 160000, []string{"河口区", "宁津县", "莘县"}, -1},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			bs := read(t, tc.file)
			if len(bs) != tc.n {
				t.Fatalf("%d units, want %d", len(bs), tc.n)
			}
			sum := 0.0
			repaired := map[string]bool{}
			var shapes []geo.Shape
			for _, b := range bs {
				sum += b.AreaKm2
				if len(b.Repairs.Unfixed) > 0 {
					t.Errorf("%s: unrepaired: %v", b.Name, b.Repairs.Unfixed)
				}
				for _, f := range b.Repairs.Fixed {
					if strings.Contains(f, "merged") {
						repaired[b.Name] = true
					}
				}
				if !geo.Contains(b.Geom, b.Label) {
					t.Errorf("%s: label %v outside the unit", b.Name, b.Label)
				}
				assertValid(t, b)
				shapes = append(shapes, geo.Shape{ID: b.Code, Group: b.Level, Geom: b.Geom})
			}
			if sum < tc.minKm2 || sum > tc.maxKm2 {
				t.Errorf("area sum %.0f km², want %.0f–%.0f", sum, tc.minKm2, tc.maxKm2)
			}
			for _, name := range tc.invalid {
				if !repaired[name] {
					t.Errorf("%s: the known overlap was not repaired (repaired: %v)", name, repaired)
				}
			}
			if len(repaired) != len(tc.invalid) {
				t.Errorf("repaired %v, want exactly %v", repaired, tc.invalid)
			}
			if tc.neighbours >= 0 {
				if n := len(geo.Neighbours(shapes, geo.DefaultAdjacency)); n != tc.neighbours {
					t.Errorf("%d neighbour pairs, want %d", n, tc.neighbours)
				}
			}
		})
	}
}

// assertValid checks what PostGIS's ST_IsValid would: no ring crosses
// itself or another, and no two parts share area.
func assertValid(t *testing.T, b geo.Boundary) {
	t.Helper()
	for pi, p := range b.Geom {
		for _, c := range geo.Crossings(p) {
			t.Errorf("%s: polygon %d: rings %d/%d meet at %v", b.Name, pi, c.RingA, c.RingB, c.At)
		}
		if geo.RingAreaM2(p[0]) <= 0 {
			t.Errorf("%s: polygon %d exterior is not counter-clockwise", b.Name, pi)
		}
		for pj := pi + 1; pj < len(b.Geom); pj++ {
			q := b.Geom[pj]
			if !p.Bound().Intersects(q.Bound()) {
				continue
			}
			for _, c := range geo.Crossings(orb.Polygon{p[0], q[0]}) {
				if c.RingA != c.RingB && len(c.All) > 1 {
					t.Errorf("%s: polygons %d and %d share a border stretch at %v", b.Name, pi, pj, c.At)
				}
			}
		}
	}
}

func neighboursOf(ns []geo.Neighbour, code string) []string {
	var out []string
	for _, n := range ns {
		switch code {
		case n.A:
			out = append(out, n.B)
		case n.B:
			out = append(out, n.A)
		}
	}
	sort.Strings(out)
	return out
}

func TestNeighboursRealData(t *testing.T) {
	tests := []struct {
		file, code string
		want       []string
	}{
		// 渝中区: 江北区, 沙坪坝区, 九龙坡区, 南岸区.
		{"chongqing-districts", "500103", []string{"500105", "500106", "500107", "500108"}},
		// 青岛市: 烟台市, 潍坊市, 日照市.
		{"shandong-cities", "370200", []string{"370600", "370700", "371100"}},
	}
	for _, tc := range tests {
		var shapes []geo.Shape
		for _, b := range read(t, tc.file) {
			shapes = append(shapes, geo.Shape{ID: b.Code, Group: b.Level, Geom: b.Geom})
		}
		got := neighboursOf(geo.Neighbours(shapes, geo.DefaultAdjacency), tc.code)
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s neighbours = %v, want %v", tc.code, got, tc.want)
		}
	}
}

func TestReadConvertsToWGS84(t *testing.T) {
	bs := read(t, "chongqing-districts")
	gcj, err := geo.ReadDataVFile(shareddata.Boundary(t, "chongqing-districts"), geo.ReadOptions{CRS: geo.WGS84})
	if err != nil {
		t.Fatal(err)
	}
	for i := range bs {
		w, g := bs[i].Geom[0][0][0], gcj[i].Geom[0][0][0]
		if d := orbgeo.Distance(w, g); d < 300 || d > 700 {
			t.Errorf("%s: GCJ-02 offset %.0f m, want 300–700", bs[i].Name, d)
		}
		if back := geo.WGS84ToGCJ02(w); orbgeo.Distance(back, g) > 0.5 {
			t.Errorf("%s: round trip off by %.3f m", bs[i].Name, orbgeo.Distance(back, g))
		}
	}
}

func TestReadDataVBadInput(t *testing.T) {
	feature := func(props, geom string) string {
		return `{"type":"FeatureCollection","features":[{"type":"Feature","properties":` + props + `,"geometry":` + geom + `}]}`
	}
	const okProps = `{"adcode":"500101","name":"万州区","level":"district","parent":"500000"}`
	const okGeom = `{"type":"MultiPolygon","coordinates":[[[[108,30],[108.1,30],[108.1,30.1],[108,30]]]]}`
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "empty file"},
		{"blank", " \n ", "empty file"},
		{"not utf-8", "{\"type\":\"FeatureCollection\",\n\"name\":\"\xff\"}", "not UTF-8: invalid byte at line 2"},
		{"malformed", "{\"type\":\n\"FeatureCollection\",,}", "malformed JSON at line 2"},
		{"not a collection", `{"type":"Feature"}`, "not a GeoJSON FeatureCollection"},
		{"no features", `{"type":"FeatureCollection","features":[]}`, "no features"},
		{"null features", `{"type":"FeatureCollection","features":null}`, "no features"},
		{"features not a list", `{"type":"FeatureCollection","features":{}}`, "cannot unmarshal object"},
		{"an array", `[{"type":"FeatureCollection"}]`, "cannot unmarshal array"},
		{"data after", "{\"type\":\"FeatureCollection\",\"features\":[]}\n\nx", "malformed JSON at line 3"},
		{"features twice", `{"type":"FeatureCollection","features":[],"features":[]}`, "features is given twice"},
		{"type after features", feature(okProps, okGeom)[:len(feature(okProps, okGeom))-1] + `,"type":"Topology"}`, `not a GeoJSON FeatureCollection (type "Topology")`},
		{"no geometry", feature(okProps, "null"), "feature 1: 500101 万州区: no geometry"},
		{"no adcode", feature(`{"name":"x"}`, okGeom), "feature 1: no adcode"},
		{"out of range", feature(okProps, `{"type":"Polygon","coordinates":[[[108,30],[200,30],[108.1,30.1],[108,30]]]}`), "position 1: coordinates out of range"},
		{"short ring", feature(okProps, `{"type":"Polygon","coordinates":[[[108,30],[108.1,30],[108,30]]]}`), "ring 0 has 3 positions"},
		{"point", feature(okProps, `{"type":"Point","coordinates":[108,30]}`), `geometry type "Point"`},
		{"degenerate", feature(okProps, `{"type":"Polygon","coordinates":[[[108,30],[108.1,30],[108.2,30],[108,30]]]}`), "no polygon left after repair"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := geo.ReadDataV(strings.NewReader(tc.in), "in.geojson", geo.ReadOptions{CRS: geo.WGS84})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "in.geojson: ") {
				t.Errorf("err = %v, want in.geojson: …%s…", err, tc.want)
			}
		})
	}
	_, err := geo.ReadDataV(strings.NewReader(feature(okProps, okGeom)), "big", geo.ReadOptions{MaxBytes: 64})
	if !errors.Is(err, geo.ErrTooLarge) {
		t.Errorf("over the limit: err = %v, want ErrTooLarge", err)
	}
	bs, err := geo.ReadDataV(strings.NewReader(feature(`{"adcode":500101,"name":"万州区","parent":{"adcode":500000}}`, okGeom)), "live", geo.ReadOptions{})
	if err != nil || bs[0].Code != "500101" || bs[0].Parent != "500000" {
		t.Errorf("live-service style properties: %+v, %v", bs, err)
	}
	if bs != nil && math.Abs(bs[0].AreaKm2-53.3) > 1 {
		t.Errorf("triangle area %.1f km²", bs[0].AreaKm2)
	}
	// Leaf-city files (东莞) give the seat as a string; a bad seat is no seat.
	for in, want := range map[string]orb.Point{`"108.05,30.02"`: {108.05, 30.02}, `"x"`: {}, `{"a":1}`: {}} {
		bs, err := geo.ReadDataV(strings.NewReader(feature(`{"adcode":"441900","name":"东莞市","level":"city","center":`+in+`}`, okGeom)), "dg", geo.ReadOptions{CRS: geo.WGS84})
		if err != nil {
			t.Errorf("center %s: %v", in, err)
			continue
		}
		if want != (orb.Point{}) && bs[0].Seat != want || want == (orb.Point{}) && bs[0].Seat != bs[0].Label {
			t.Errorf("center %s: seat %v, want %v (label %v)", in, bs[0].Seat, want, bs[0].Label)
		}
	}
}

// BenchmarkImportShared reads, converts, repairs and links the three
// shared boundary files: the CPU part of `indmap init`.
func BenchmarkImportShared(b *testing.B) {
	files := []string{"chongqing-districts", "shandong-cities", "shandong-counties"}
	for i := 0; i < b.N; i++ {
		var shapes []geo.Shape
		for _, f := range files {
			for _, bd := range read(b, f) {
				shapes = append(shapes, geo.Shape{ID: bd.Code, Group: bd.Level, Geom: bd.Geom})
			}
		}
		geo.Neighbours(shapes, geo.DefaultAdjacency)
	}
}
