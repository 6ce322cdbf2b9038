package store_test

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/indmap/indmap/geo/rtree"
	"github.com/indmap/indmap/internal/testdb"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/readmodel"
	"github.com/paulmach/orb"
	sf "github.com/peterstace/simplefeatures/geom"
)

// toSF converts a lon/lat multipolygon to simplefeatures in metres of a
// local equirectangular frame around lat0 (areas within a fraction of a
// percent at these sizes).
func toSF(mp orb.MultiPolygon, lat0 float64) (sf.MultiPolygon, error) {
	k := math.Cos(lat0*math.Pi/180) * 111320
	polys := make([]sf.Polygon, len(mp))
	for i, p := range mp {
		rings := make([]sf.LineString, len(p))
		for j, r := range p {
			coords := make([]float64, 0, 2*len(r))
			for _, q := range r {
				coords = append(coords, q[0]*k, q[1]*111320)
			}
			rings[j] = sf.NewLineString(sf.NewSequence(coords, sf.DimXY))
		}
		polys[i] = sf.NewPolygon(rings)
	}
	m := sf.NewMultiPolygon(polys)
	return m, m.Validate()
}

// TestStoredUnitsDoNotOverlap checks the stored geometry with
// simplefeatures, not with the code that partitioned it: every unit is a
// valid multipolygon and no two units of one kind overlap by more than
// 1 m². Derived (approximate) successor polygons are left out: they are
// drawn over their predecessors on purpose and never coexist with them
// in a plan.
func TestStoredUnitsDoNotOverlap(t *testing.T) {
	st := testdb.Seeded(t, "chongqing-districts", "shandong-cities", "shandong-counties")
	snap, err := readmodel.Load(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	var units []plan.Unit
	var bounds []orb.Bound
	for _, u := range snap.Units {
		if _, ok := u.Geom.(orb.MultiPolygon); ok && !u.Approximate {
			units = append(units, u)
			bounds = append(bounds, u.Geom.Bound())
		}
	}
	ix := rtree.New(bounds)
	conv := map[string]sf.MultiPolygon{}
	get := func(u plan.Unit, lat0 float64) sf.MultiPolygon {
		key := fmt.Sprintf("%s@%.0f", u.Code, lat0)
		if g, ok := conv[key]; ok {
			return g
		}
		g, err := toSF(u.Geom.(orb.MultiPolygon), lat0)
		if err != nil {
			t.Errorf("%s %s: invalid: %v", u.Code, u.Name, err)
		}
		conv[key] = g
		return g
	}
	type overlap struct {
		a, b string
		m2   float64
	}
	var found []overlap
	pairs := 0
	for i, u := range units {
		ix.Search(bounds[i], func(j int) bool {
			v := units[j]
			if j <= i || v.Kind != u.Kind {
				return true
			}
			pairs++
			lat0 := math.Round(bounds[i].Center()[1])
			g, err := sf.Intersection(get(u, lat0).AsGeometry(), get(v, lat0).AsGeometry())
			if err != nil {
				t.Errorf("%s ∩ %s: %v", u.Code, v.Code, err)
				return true
			}
			if a := g.Area(); a > 1 {
				found = append(found, overlap{u.Code, v.Code, a})
			}
			return true
		})
	}
	sort.Slice(found, func(i, j int) bool { return found[i].m2 > found[j].m2 })
	t.Logf("%d units, %d pairs with touching bounds, %d overlapping by more than 1 m²", len(units), pairs, len(found))
	for i, o := range found {
		if i < 15 {
			t.Errorf("%s and %s overlap by %.0f m²", o.a, o.b, o.m2)
		}
	}
}

// TestCountyLevelCityIsACounty: 济源 (419001) is a city in DataV's Henan
// file with no county inside it, a county on the map: it is partitioned
// with the counties around it (no overlap, checked with simplefeatures)
// and borders them, while it still borders the cities around it.
func TestCountyLevelCityIsACounty(t *testing.T) {
	st := testdb.Seeded(t, "henan/henan-cities", "henan/henan-counties")
	snap, err := readmodel.Load(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	// Every Henan city but 济源 has its counties and is drawn from them.
	nested := 0
	for _, u := range snap.Units {
		if u.Kind == plan.KindCity && strings.Contains(strings.Join(u.Repairs, "; "), "outline drawn from its") {
			nested++
		}
	}
	if nested != 17 {
		t.Errorf("%d Henan cities drawn from their counties, want 17", nested)
	}
	jiyuan, ok := snap.Unit("419001")
	if !ok || jiyuan.Kind != plan.KindCity {
		t.Fatalf("济源: %+v", jiyuan)
	}
	ns := map[string]bool{}
	for _, c := range snap.NeighboursOf("419001") {
		ns[c] = true
	}
	// 孟州 and 沁阳 (焦作), 孟津 and 新安 (洛阳) lie along its southern
	// and eastern borders.
	// It is still a city beside 洛阳 and 焦作.
	for _, c := range []string{"410883", "410882", "410322", "410323", "410300", "410800"} {
		if !ns[c] {
			t.Errorf("济源 does not border %s; its neighbours: %v", c, snap.NeighboursOf("419001"))
		}
	}
	lat0 := math.Round(jiyuan.Geom.Bound().Center()[1])
	a, err := toSF(jiyuan.Geom.(orb.MultiPolygon), lat0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"410883", "410882", "410322", "410323"} {
		u, _ := snap.Unit(c)
		mp, ok := u.Geom.(orb.MultiPolygon)
		if !ok {
			t.Fatalf("%s has no polygon", c)
		}
		b, err := toSF(mp, lat0)
		if err != nil {
			t.Fatal(err)
		}
		g, err := sf.Intersection(a.AsGeometry(), b.AsGeometry())
		if err != nil {
			t.Fatal(err)
		}
		if g.Area() > 1 {
			t.Errorf("济源 and %s %s overlap by %.0f m²", c, u.Name, g.Area())
		}
	}
}
