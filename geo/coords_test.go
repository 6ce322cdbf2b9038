package geo

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// TestParseMultiPolygon: coordinates read as encoding/json reads them,
// to the bit, however they are spaced or written; malformed nesting and
// numbers are errors that say where.
func TestParseMultiPolygon(t *testing.T) {
	ok := []struct{ typ, in string }{
		{"Polygon", `[[[108,30],[108.1,30],[108.1,30.1],[108,30]]]`},
		{"Polygon", " [ [ [108 , 30] ,\n[108.1,30],\t[108.1,30.1],[108,30] ] ] "},
		{"Polygon", `[[[1.08e2,3E1,12.5],[108.1,30,0],[108.1,30.1,-1e-3],[108,30,0]]]`},
		{"Polygon", `[[[-0.0,-89.99999999999999],[0.1,-89.9],[0.1,-89.8],[-0.0,-89.99999999999999]]]`},
		{"MultiPolygon", `[[[[108,30],[108.1,30],[108.1,30.1],[108,30]]],[[[109,30],[109.1,30],[109.1,30.1],[109,30]],[[109.01,30.01],[109.02,30.01],[109.02,30.02],[109.01,30.01]]]]`},
	}
	for _, tc := range ok {
		got, err := parseMultiPolygon(tc.typ, []byte(tc.in))
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if want := viaJSON(t, tc.typ, []byte(tc.in)); !got.Equal(want) {
			t.Errorf("%s: %v, encoding/json reads %v", tc.in, got, want)
		}
	}
	bad := []struct{ typ, in, want string }{
		{"Polygon", `[[[108,30],[108.1,30],[108.1,30.1],[108,30]]] x`, "bad Polygon coordinates: at byte 46 of the coordinates: want the end, found 'x'"},
		{"Polygon", `[[[108,"30"],[108.1,30],[108.1,30.1],[108,30]]]`, "at byte 7 of the coordinates: want a number"},
		{"Polygon", `[[[108,30],[108.1,30],[108.1,30.1],[108,30]]`, "want ',' or ']', found the end"},
		{"Polygon", `[[[1e309,30],[108.1,30],[108.1,30.1],[1e309,30]]]`, "value out of range"},
		{"Polygon", `[[{"x":1}]]`, "want an array"},
		{"Polygon", `[[[108],[108.1,30],[108.1,30.1],[108]]]`, "polygon 0 ring 0 position 0 has 1 values"},
		{"Polygon", `[[[108,30],[108.1,30],[108,30]]]`, "ring 0 has 3 positions"},
		{"Polygon", `[]`, "polygon 0 has no rings"},
		{"Polygon", `[[[108,30],[190,30],[108.1,30.1],[108,30]]]`, "position 1: coordinates out of range"},
		{"MultiPolygon", `[]`, "empty geometry"},
		{"MultiPolygon", `[[]]`, "polygon 0 has no rings"},
		{"Point", `[108,30]`, `geometry type "Point"`},
	}
	for _, tc := range bad {
		_, err := parseMultiPolygon(tc.typ, []byte(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want …%s…", tc.in, err, tc.want)
		}
	}
}

// TestParseMultiPolygonRealFile: every feature of a shared boundary file
// reads as encoding/json reads it.
func TestParseMultiPolygonRealFile(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "shared", "data", "boundaries", "shandong-counties.gcj02.geojson"))
	if err != nil {
		t.Skipf("shared data absent: %v", err)
	}
	var fc struct {
		Features []struct {
			Geometry struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatal(err)
	}
	points := 0
	for i, f := range fc.Features {
		got, err := parseMultiPolygon(f.Geometry.Type, f.Geometry.Coordinates)
		if err != nil {
			t.Fatalf("feature %d: %v", i, err)
		}
		if want := viaJSON(t, f.Geometry.Type, f.Geometry.Coordinates); !got.Equal(want) {
			t.Fatalf("feature %d differs from encoding/json's reading", i)
		}
		for _, p := range got {
			for _, r := range p {
				points += len(r)
			}
		}
	}
	if len(fc.Features) < 100 || points < 50_000 {
		t.Errorf("%d features, %d points: not the county file", len(fc.Features), points)
	}
}

// viaJSON reads coordinates with encoding/json, as indmap did before.
func viaJSON(t *testing.T, typ string, in []byte) orb.MultiPolygon {
	t.Helper()
	var polys [][][][]float64
	if typ == "Polygon" {
		var p [][][]float64
		if err := json.Unmarshal(in, &p); err != nil {
			t.Fatal(err)
		}
		polys = [][][][]float64{p}
	} else if err := json.Unmarshal(in, &polys); err != nil {
		t.Fatal(err)
	}
	var mp orb.MultiPolygon
	for _, poly := range polys {
		var p orb.Polygon
		for _, ring := range poly {
			var r orb.Ring
			for _, pos := range ring {
				r = append(r, orb.Point{pos[0], pos[1]})
			}
			p = append(p, r)
		}
		mp = append(mp, p)
	}
	return mp
}
