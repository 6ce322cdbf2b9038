package geo_test

import (
	"math"
	"testing"

	"github.com/indmap/indmap/internal/testrivers"
)

// TestDefaultRivers: the embedded rivers read whole, gzipped as make
// assets writes them, and hold China's great rivers in the boundaries'
// datum: the Yangtze (double-lined or major) passes Chaotianmen, the tip
// of 渝中区 where the Jialing joins it in Chongqing.
func TestDefaultRivers(t *testing.T) {
	rs := testrivers.Default(t)
	if len(rs) < 1000 {
		t.Fatalf("%d rivers", len(rs))
	}
	near := 0
	for _, r := range rs {
		for _, p := range r.Line {
			if r.Level <= 1 && math.Abs(p[0]-106.586) < 0.01 && math.Abs(p[1]-29.567) < 0.01 {
				near++
				break
			}
		}
	}
	if near == 0 {
		t.Error("no major river within 1 km of Chaotianmen (106.586, 29.567)")
	}
	t.Logf("%d rivers, %d major pieces at Chaotianmen", len(rs), near)
}
