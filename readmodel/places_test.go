package readmodel_test

import (
	"math"
	"sort"
	"testing"

	"github.com/indmap/indmap/plan/search"
)

// TestPlacesInBoundariesDatum: GeoNames' seats (WGS 84) and the units'
// seats (DataV's GCJ-02 centres, converted by the import) are two
// independent records of the same towns; in one datum they agree to a
// few hundred metres, while a GCJ-02 shift of either side moves them
// apart by about 550 m in Chongqing (0.0037° east, 0.0028° south).
func TestPlacesInBoundariesDatum(t *testing.T) {
	snap := loadSeeded(t)
	p, ok := snap.Plan("chongqing-2023")
	if !ok {
		t.Fatal("no chongqing-2023 plan")
	}
	units := snap.PlanUnits(p)
	var dx, dy []float64
	for _, r := range snap.PlanPlaces(p) {
		if r.Kind != search.PlaceCountySeat && r.Kind != search.PlaceCity || r.Label == nil {
			continue
		}
		// The nearest unit seat within about 2 km: the same town.
		best, bd := -1, 0.02
		for i, u := range units {
			if d := math.Hypot(u.Seat[0]-r.Label[0], u.Seat[1]-r.Label[1]); d < bd {
				best, bd = i, d
			}
		}
		if best >= 0 {
			dx = append(dx, r.Label[0]-units[best].Seat[0])
			dy = append(dy, r.Label[1]-units[best].Seat[1])
		}
	}
	if len(dx) < 15 {
		t.Fatalf("%d seats matched, want at least 15", len(dx))
	}
	sort.Float64s(dx)
	sort.Float64s(dy)
	mx, my := dx[len(dx)/2], dy[len(dy)/2]
	if math.Hypot(mx, my) > 0.002 {
		t.Errorf("over %d seats the median offset from GeoNames' seat to the unit's is (%.4f°, %.4f°): the two are in different datums", len(dx), mx, my)
	}
	t.Logf("%d seats, median offset (%.4f°, %.4f°)", len(dx), mx, my)
}
