package mvtcheck

import (
	"math"
	"strings"
	"testing"
)

func TestPolygonsAndValidate(t *testing.T) {
	sq := func(x, y, s int64) []Pt { return []Pt{{x, y}, {x + s, y}, {x + s, y + s}, {x, y + s}} }
	rev := func(r []Pt) []Pt {
		out := make([]Pt, len(r))
		for i, p := range r {
			out[len(r)-1-i] = p
		}
		return out
	}
	tests := []struct {
		name  string
		paths [][]Pt
		open  bool
		want  string // substring of the error, "" for valid
	}{
		{"square", [][]Pt{sq(0, 0, 10)}, false, ""},
		{"square with a hole", [][]Pt{sq(0, 0, 10), rev(sq(2, 2, 3))}, false, ""},
		{"two squares", [][]Pt{sq(0, 0, 10), sq(20, 0, 10)}, false, ""},
		{"not closed", [][]Pt{sq(0, 0, 10)}, true, "not closed"},
		{"hole first", [][]Pt{rev(sq(0, 0, 10))}, false, "hole before"},
		{"zero-length segment", [][]Pt{{{0, 0}, {10, 0}, {10, 0}, {10, 10}}}, false, "zero-length"},
		{"repeated first point", [][]Pt{{{0, 0}, {10, 0}, {10, 10}, {0, 0}}}, false, "zero-length"},
		{"bow tie", [][]Pt{{{0, 0}, {10, 10}, {10, 0}, {0, 10}}}, false, "zero area"},
		{"self-crossing", [][]Pt{{{0, 0}, {10, 0}, {10, 10}, {5, -5}, {0, 10}}}, false, "not simple"},
		{"ring touching itself", [][]Pt{{{0, 0}, {10, 0}, {10, 10}, {5, 0}, {0, 10}}}, false, "not simple"},
		{"hole outside", [][]Pt{sq(0, 0, 10), rev(sq(20, 20, 3))}, false, "outside of exterior"},
		{"overlapping parts", [][]Pt{sq(0, 0, 10), sq(5, 5, 10)}, false, "multipolygon"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := Feature{Type: 3, Paths: tc.paths}
			for range tc.paths {
				f.Closed = append(f.Closed, !tc.open)
			}
			ps, err := Polygons(f)
			if err == nil {
				err = Validate(ps)
			}
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("valid polygon refused: %v", err)
			case tc.want != "" && err == nil:
				t.Errorf("invalid polygon accepted, want %q", tc.want)
			case tc.want != "" && !strings.Contains(err.Error(), tc.want):
				t.Errorf("error %q, want %q", err, tc.want)
			}
		})
	}
}

func TestMeasure(t *testing.T) {
	sq := func(x, y, s int64) Polygon { return Polygon{{{x, y}, {x + s, y}, {x + s, y + s}, {x, y + s}}} }
	ref := func(x0, y0, x1, y1 float64, outer bool) Ref {
		return Ref{Rings: [][][2]float64{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}}, Edge: [][]bool{{outer, outer, outer, outer}}}
	}
	box := Box{Max: Pt{100, 100}}
	tests := []struct {
		name     string
		features map[uint64][]Polygon
		refs     []Ref
		overlap  float64
		gap      float64
	}{
		{"neighbours sharing a border", map[uint64][]Polygon{1: {sq(0, 0, 50)}, 2: {sq(50, 0, 50)}},
			[]Ref{ref(0, 0, 100, 50, true)}, 0, 0},
		{"overlap", map[uint64][]Polygon{1: {sq(0, 0, 50)}, 2: {sq(40, 0, 50)}},
			[]Ref{ref(0, 0, 90, 50, true)}, 500, 0},
		{"gap between neighbours", map[uint64][]Polygon{1: {sq(0, 0, 48)}, 2: {sq(50, 0, 50)}},
			[]Ref{ref(0, 0, 100, 50, true)}, 0, 2 * 30},
		{"gap at the outer border is exempt", map[uint64][]Polygon{1: {sq(0, 0, 50)}, 2: {sq(50, 0, 48)}},
			[]Ref{ref(0, 0, 100, 50, true)}, 0, 0},
		{"a border between units is not exempt", map[uint64][]Polygon{1: {sq(0, 0, 48)}, 2: {sq(50, 0, 50)}},
			[]Ref{ref(0, 0, 49, 50, true), ref(49, 0, 100, 50, true)}, 0, 2 * 30},
	}
	tests[4].refs[0].Edge[0][1] = false // the shared side of the two references
	tests[4].refs[1].Edge[0][3] = false
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Measure(tc.features, box, tc.refs, 10)
			if got := c.Overlaps[[2]uint64{1, 2}]; math.Abs(got-tc.overlap) > 1e-9 {
				t.Errorf("overlap %v, want %v", got, tc.overlap)
			}
			if math.Abs(c.Gap-tc.gap) > 1e-9 {
				t.Errorf("gap %v, want %v", c.Gap, tc.gap)
			}
		})
	}
}
