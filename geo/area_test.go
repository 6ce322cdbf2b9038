package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

func TestRingAreaM2(t *testing.T) {
	// A 1°×1° cell at the equator is 12,308.8 km² on WGS84
	// (exact ellipsoidal value; a sphere of radius a would give 12,391.4).
	cell := orb.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}
	if got := RingAreaM2(cell) / 1e6; math.Abs(got-12308.8) > 0.5 {
		t.Errorf("equator cell: %.1f km², want 12308.8", got)
	}
	cw := orb.Ring{{0, 0}, {0, 1}, {1, 1}, {1, 0}, {0, 0}}
	if RingAreaM2(cw) >= 0 {
		t.Errorf("clockwise ring should have negative area")
	}
	// Whole-globe band: the area between the equator and 90°N is half the
	// ellipsoid's surface, 255,032,810.9 km² (510,065,621.7 km² in all).
	band := orb.Ring{{-180, 0}, {180, 0}, {180, 90}, {-180, 90}, {-180, 0}}
	if got := RingAreaM2(band) / 1e6; math.Abs(got-255032810.9)/255032810.9 > 1e-6 {
		t.Errorf("hemisphere: %.1f km²", got)
	}
}

func TestAreaKm2Hole(t *testing.T) {
	outer := orb.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}
	hole := orb.Ring{{0.25, 0.25}, {0.25, 0.75}, {0.75, 0.75}, {0.75, 0.25}, {0.25, 0.25}}
	full := AreaKm2(orb.Polygon{outer})
	withHole := AreaKm2(orb.MultiPolygon{{outer, hole}})
	if r := withHole / full; math.Abs(r-0.75) > 0.001 {
		t.Errorf("hole ratio %.4f, want 0.75", r)
	}
}
