package geo

import (
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func sq(x, y, s float64) orb.Ring {
	return orb.Ring{{x, y}, {x + s, y}, {x + s, y + s}, {x, y + s}, {x, y}}
}

func TestRepair(t *testing.T) {
	tests := []struct {
		name      string
		in        orb.MultiPolygon
		parts     int
		area      float64 // planar, in square degrees
		fixed     string  // substring of a Fixed note; "" means no note
		wantHoles int
	}{
		{"valid square", orb.MultiPolygon{{sq(0, 0, 1)}}, 1, 1, "", 0},
		{"clockwise square is rewound", orb.MultiPolygon{{{{0, 0}, {0, 1}, {1, 1}, {1, 0}, {0, 0}}}}, 1, 1, "", 0},
		{"unclosed ring", orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 1}}}}, 1, 1, "closed", 0},
		{"repeated points", orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 1}, {0, 0}}}}, 1, 1, "removed 2 repeated", 0},
		{"zero-area part dropped", orb.MultiPolygon{{sq(0, 0, 1)}, {{{5, 5}, {6, 6}, {7, 7}, {5, 5}}}}, 1, 1, "dropped", 0},
		{"hole kept", orb.MultiPolygon{{sq(0, 0, 4), sq(1, 1, 1)}}, 1, 15, "", 1},
		{"bow tie split", orb.MultiPolygon{{{{0, 0}, {2, 2}, {2, 0}, {0, 2}, {0, 0}}}}, 2, 2, "crossed itself", 0},
		{"overlapping squares merged", orb.MultiPolygon{{sq(0, 0, 2)}, {sq(1, 1, 2)}}, 1, 7, "merged into 1", 0},
		{"squares sharing an edge merged", orb.MultiPolygon{{sq(0, 0, 1)}, {sq(1, 0, 1)}}, 1, 2, "merged into 1", 0},
		{"part inside another dropped by union", orb.MultiPolygon{{sq(0, 0, 4)}, {sq(1, 1, 1)}}, 1, 16, "merged into 1", 0},
		{"squares touching at a corner stay apart", orb.MultiPolygon{{sq(0, 0, 1)}, {sq(1, 1, 1)}}, 2, 2, "", 0},
		{"island in a lake stays", orb.MultiPolygon{{sq(0, 0, 4), sq(1, 1, 2)}, {sq(1.5, 1.5, 1)}}, 2, 13, "", 1},
		{"a chain of overlaps is one group", orb.MultiPolygon{{sq(0, 0, 2)}, {sq(3, 0, 2)}, {sq(1.5, 0, 2)}}, 1, 10, "polygons [0 1 2] overlapped; merged into 1", 0},
		{"a part over a hole fills what it covers", orb.MultiPolygon{{sq(0, 0, 4), sq(1, 1, 2)}, {sq(2, 2, 3)}}, 1, 18, "polygons [0 1] overlapped; merged into 1", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, log := Repair(tc.in)
			if len(out) != tc.parts {
				t.Fatalf("parts = %d, want %d: %v", len(out), tc.parts, out)
			}
			area, holes := 0.0, 0
			for _, p := range out {
				if PlanarArea(p[0]) <= 0 {
					t.Errorf("exterior not counter-clockwise: %v", p[0])
				}
				area += PlanarArea(p[0])
				for _, h := range p[1:] {
					if PlanarArea(h) >= 0 {
						t.Errorf("hole not clockwise: %v", h)
					}
					area += PlanarArea(h)
					holes++
				}
				for _, r := range p {
					if r[0] != r[len(r)-1] || len(r) < 4 {
						t.Errorf("ring not closed or too short: %v", r)
					}
				}
			}
			if math.Abs(area-tc.area) > 1e-9 {
				t.Errorf("area = %v, want %v", area, tc.area)
			}
			if holes != tc.wantHoles {
				t.Errorf("holes = %d, want %d", holes, tc.wantHoles)
			}
			notes := strings.Join(log.Fixed, "; ")
			if tc.fixed == "" && notes != "" {
				t.Errorf("unexpected notes: %s", notes)
			}
			if tc.fixed != "" && !strings.Contains(notes, tc.fixed) {
				t.Errorf("notes %q lack %q", notes, tc.fixed)
			}
			if len(log.Unfixed) > 0 {
				t.Errorf("unfixed: %v", log.Unfixed)
			}
		})
	}
}

func TestRepairReportsCrossingHole(t *testing.T) {
	// A hole that pokes out of its exterior cannot be mended by splitting
	// or union; it must be reported, not dropped silently.
	in := orb.MultiPolygon{{sq(0, 0, 2), {{1, 0.5}, {1, 3}, {1.5, 3}, {1.5, 0.5}, {1, 0.5}}}}
	_, log := Repair(in)
	if len(log.Unfixed) == 0 {
		t.Fatalf("crossing hole not reported: %+v", log)
	}
}
