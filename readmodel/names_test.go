package readmodel_test

import (
	"context"
	"testing"

	"github.com/indmap/indmap/internal/testdb"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/readmodel"
)

// TestShortNamesTellUnitsApart: labels at small scales give a unit's
// short name unless another unit would share it: 东营市 and 东营区 keep
// their whole names, 历下区 is 历下.
func TestShortNamesTellUnitsApart(t *testing.T) {
	snap, err := readmodel.Load(context.Background(), testdb.Seeded(t, "shandong-cities", "shandong-counties"))
	if err != nil {
		t.Fatal(err)
	}
	p, ok := snap.Plan("shandong-clusters")
	if !ok {
		t.Fatal("no shandong-clusters plan")
	}
	want := map[string]string{
		"370500": "东营市|Dongying City", "370502": "东营区|Dongying District",
		"370102": "历下|Lixia", "370103": "市中区|Shizhong District", "371722": "单县|Shan County",
	}
	for _, u := range snap.PlanUnits(p) {
		w, ok := want[u.Code]
		if !ok {
			continue
		}
		delete(want, u.Code)
		props := plan.Properties(plan.InLabels, u, nil)
		if got := props["short"].(string) + "|" + props["short_en"].(string); got != w {
			t.Errorf("%s %s: labels' short names %q, want %q", u.Code, u.Name, got, w)
		}
	}
	if len(want) > 0 {
		t.Errorf("units not in the plan: %v", want)
	}
}
