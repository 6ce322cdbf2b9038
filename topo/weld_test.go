package topo

import (
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// TestPartitionWeld: two neighbours whose common border is drawn twice,
// a crack apart, open to the outside at both ends (as 金乡县 and 单县 are
// in Shandong's DataV file, 15-20 cm apart). No enclosed sliver forms,
// so only welding makes the border one.
func TestPartitionWeld(t *testing.T) {
	const d = 0.01    // about 1 km
	const cm = 1.1e-7 // a centimetre of longitude at 35° N, in degrees
	tests := []struct {
		name   string
		gap    float64 // the crack's width, degrees
		bMid   bool    // b's wall has a vertex of its own halfway, bent into the crack
		shared bool    // a and b end up sharing their border
	}{
		{"20 cm crack, same vertices", 20 * cm, false, true},
		{"20 cm crack, b has a vertex a lacks", 20 * cm, true, true},
		{"80 cm crack", 80 * cm, true, true},
		{"3 m crack stays", 300 * cm, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := d + tc.gap
			bRing := orb.Ring{{x, 0}, {2 * d, 0}, {2 * d, d}, {x, d}, {x, 0}}
			if tc.bMid {
				bRing = orb.Ring{{x, 0}, {2 * d, 0}, {2 * d, d}, {x, d}, {x - tc.gap/3, d / 2}, {x, 0}}
			}
			units := func() []Unit {
				return []Unit{
					{"a", orb.MultiPolygon{{orb.Ring{{0, 35}, {d, 35}, {d, 35 + d}, {0, 35 + d}, {0, 35}}}}},
					{"b", orb.MultiPolygon{{shift(bRing, 35)}}},
				}
			}
			res, err := Partition(units(), DefaultSliverM, DefaultWeldM)
			if err != nil {
				t.Fatal(err)
			}
			m := res[0].Shared["b"]
			if tc.shared && math.Abs(m-d*111_000) > 20 {
				t.Errorf("a shares %.1f m with b, want the whole border (%.0f m)", m, d*111_000)
			}
			if !tc.shared && m != 0 {
				t.Errorf("a shares %.1f m with b across a %.1f m gap, want none", m, tc.gap/cm/100)
			}
			welded := strings.Contains(strings.Join(append(res[0].Notes, res[1].Notes...), ";"), "welded")
			if welded != tc.shared {
				t.Errorf("notes %v %v: welded %v, want %v", res[0].Notes, res[1].Notes, welded, tc.shared)
			}
			// The input's order does not matter.
			u := units()
			rev, err := Partition([]Unit{u[1], u[0]}, DefaultSliverM, DefaultWeldM)
			if err != nil {
				t.Fatal(err)
			}
			if !orb.Equal(res[0].Geom, rev[1].Geom) || !orb.Equal(res[1].Geom, rev[0].Geom) {
				t.Error("the weld depends on the input order")
			}
			// No area is made up or lost beyond the crack.
			a, b := planarArea(res[0].Geom), planarArea(res[1].Geom)
			if want := 2*d*d - tc.gap*d; math.Abs(a+b-want) > tc.gap*d {
				t.Errorf("a+b = %.6g, want %.6g", a+b, want)
			}
		})
	}
}

func shift(r orb.Ring, dy float64) orb.Ring {
	out := make(orb.Ring, len(r))
	for i, p := range r {
		out[i] = orb.Point{p[0], p[1] + dy}
	}
	return out
}
