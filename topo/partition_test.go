package topo

import (
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func rect(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

func planarArea(mp orb.MultiPolygon) float64 {
	s := 0.0
	for _, p := range mp {
		for _, r := range p {
			for i := 0; i+1 < len(r); i++ {
				s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
			}
		}
	}
	return s / 2
}

func TestPartition(t *testing.T) {
	const d = 0.01 // about 1 km
	tests := []struct {
		name  string
		units []Unit
		// want is each unit's area in d², and a substring of its notes.
		want  map[string]float64
		notes map[string]string
	}{
		{"disjoint squares stay", []Unit{
			{"a", orb.MultiPolygon{{rect(0, 0, d, d)}}},
			{"b", orb.MultiPolygon{{rect(2*d, 0, 3*d, d)}}},
		}, map[string]float64{"a": 1, "b": 1}, nil},
		{"overlap goes to one side", []Unit{
			{"a", orb.MultiPolygon{{rect(0, 0, d, d)}}},
			{"b", orb.MultiPolygon{{rect(0.9*d, 0, 2*d, d)}}},
		}, map[string]float64{"a": 1, "b": 1 - 0.1 + 0.1}, map[string]string{"a": "overlapped b", "b": "overlapped a"}},
		{"enclosed sliver is closed, hole stays", []Unit{
			{"a", orb.MultiPolygon{{rect(0, 0, d, d), rect(0.2*d, 0.2*d, 0.5*d, 0.5*d)}}},
			{"b", orb.MultiPolygon{{rect(1.002*d, 0, 2*d, d)}}},
			{"c", orb.MultiPolygon{{rect(0, -d, 2*d, 0)}}},
			{"d", orb.MultiPolygon{{rect(0, d, 2*d, 2*d)}}},
		}, map[string]float64{"a": 1 - 0.09, "b": 0.998, "c": 2, "d": 2}, map[string]string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Partition(tc.units, DefaultSliverM, DefaultWeldM)
			if err != nil {
				t.Fatal(err)
			}
			total, want := 0.0, 0.0
			for i, r := range res {
				if r.Code != tc.units[i].Code {
					t.Fatalf("result %d is %s", i, r.Code)
				}
				a := planarArea(r.Geom) / (d * d)
				total += a
				want += tc.want[r.Code]
				if n, ok := tc.notes[r.Code]; ok && n != "" && !strings.Contains(strings.Join(r.Notes, ";"), n) {
					t.Errorf("%s notes %v lack %q", r.Code, r.Notes, n)
				}
				t.Logf("%s: %.4f d², %v", r.Code, a, r.Notes)
			}
			if tc.name == "enclosed sliver is closed, hole stays" {
				want += 0.002 // the sliver
				a := planarArea(res[0].Geom) / (d * d)
				b := planarArea(res[1].Geom) / (d * d)
				if math.Abs(a+b-(0.91+0.998+0.002)) > 1e-4 {
					t.Errorf("a+b = %.4f, want the sliver closed", a+b)
				}
				if len(res[0].Geom[0]) != 2 {
					t.Errorf("a's hole is gone: %v", res[0].Geom)
				}
			}
			if math.Abs(total-want) > 1e-4 {
				t.Errorf("total %.5f d², want %.5f", total, want)
			}
		})
	}
}

// TestPartitionSegmentTooLong: a border segment longer than the grid's
// exact arithmetic allows (a bad coordinate: -0 or an underflow turning
// a longitude to 0) is an error naming the unit and the segment.
func TestPartitionSegmentTooLong(t *testing.T) {
	units := []Unit{
		{"500101", orb.MultiPolygon{{rect(108, 30, 108.1, 30.1)}}},
		{"500102", orb.MultiPolygon{{{{0, 30}, {108.5, 30}, {108.5, 30.1}, {0, 30}}}}},
	}
	_, err := Partition(units, DefaultSliverM, DefaultWeldM)
	// (a's corner at 108, 30 lies on b's long edge: the weld puts it in.)
	if err == nil || !strings.Contains(err.Error(), "unit 500102: a border segment from 0.000000, 30.000000 to 108.000000, 30.000000 spans over 54°") {
		t.Errorf("err = %v", err)
	}
}

func TestPartitionOrderIndependent(t *testing.T) {
	const d = 0.01
	a := Unit{"a", orb.MultiPolygon{{rect(0, 0, d, d)}}}
	b := Unit{"b", orb.MultiPolygon{{orb.Ring{{0.9 * d, -0.1 * d}, {2 * d, 0}, {2 * d, d}, {0.95 * d, 1.1 * d}, {1.05 * d, 0.5 * d}, {0.9 * d, -0.1 * d}}}}}
	x, err := Partition([]Unit{a, b}, DefaultSliverM, DefaultWeldM)
	if err != nil {
		t.Fatal(err)
	}
	y, err := Partition([]Unit{b, a}, DefaultSliverM, DefaultWeldM)
	if err != nil {
		t.Fatal(err)
	}
	if !orb.Equal(x[0].Geom, y[1].Geom) || !orb.Equal(x[1].Geom, y[0].Geom) {
		t.Error("the partition depends on the input order")
	}
}
