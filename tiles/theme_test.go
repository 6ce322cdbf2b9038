package tiles_test

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"

	"github.com/indmap/indmap/internal/testdb"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/readmodel"
	"github.com/indmap/indmap/tiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/planar"
)

// TestGeometryKeptAcrossWrites: a write to a plan's assignments moves its
// content tag, not its geometry tag; the next index reuses the geometry
// and every geometry tile comes out the same, byte for byte.
func TestGeometryKeptAcrossWrites(t *testing.T) {
	st := testdb.Seeded(t, "chongqing-districts")
	ctx := context.Background()
	s1, _ := readmodel.Load(ctx, st)
	ix1 := tiles.NewIndex(s1)
	if _, err := readmodel.ImportPlanFile(ctx, st, plan.ChongqingID, strings.NewReader(
		"unit_code,unit_name,role,industry,detail,source\n500103,渝中区,main,CQ-SIS,,t\n"), "t.csv", readmodel.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	s2, _ := readmodel.Load(ctx, st)
	ix2 := tiles.NewIndexFrom(s2, ix1)
	if ix2.Tag(plan.ChongqingID, "") != ix1.Tag(plan.ChongqingID, "") {
		t.Error("a write moved the geometry tag")
	}
	if ix2.Tag(plan.ChongqingID, "CQ-SIS") == ix1.Tag(plan.ChongqingID, "CQ-SIS") {
		t.Error("a write left the content tag")
	}
	if !ix2.SharesGeometry(ix1, plan.ChongqingID) {
		t.Error("the geometry was built again")
	}
	for _, tile := range chongqingTiles(8) {
		a, _ := ix1.Encode(tiles.Request{Plan: plan.ChongqingID, Tile: tile})
		b, _ := ix2.Encode(tiles.Request{Plan: plan.ChongqingID, Tile: tile})
		if !bytes.Equal(a, b) {
			t.Fatalf("geometry tile %v changed with the assignments", tile)
		}
	}
	ls := render(t, ix2, tiles.Request{Plan: plan.ChongqingID, Tile: maptile.At(jiefangbei, 10), Industry: "CQ-SIS"})
	if f := feature(ls[0], "500103"); f == nil || f.Properties["role"] != "main" {
		t.Errorf("渝中区 after the write: %v", f)
	}
}

// TestKindsTiledApart: Shandong's plan holds its cities and, from z8,
// its counties; each kind is tiled as its own partition, so the cities
// of a tile cover it as fully as its counties do (to 1 %: DataV draws
// the coast of each kind apart).
func TestKindsTiledApart(t *testing.T) {
	st := testdb.Seeded(t, "shandong-cities", "shandong-counties")
	snap, _ := readmodel.Load(context.Background(), st)
	ix := tiles.NewIndex(snap)
	qingdao := orb.Point{120.38, 36.07}
	for _, z := range []maptile.Zoom{6, 7, 8, 10} {
		ls := renderSnap(t, ix, tiles.Request{Plan: plan.ShandongID, Tile: maptile.At(qingdao, z)})
		area := map[string]float64{}
		for _, f := range ls[0].Features {
			area[f.Properties["kind"].(string)] += planar.Area(f.Geometry)
		}
		if z < 8 && area["district"] > 0 || z >= 8 && area["district"] == 0 || area["city"] == 0 {
			t.Errorf("z%d: areas by kind %v", z, area)
		}
		if z >= 8 && math.Abs(area["city"]-area["district"]) > 0.01*area["city"] {
			t.Errorf("z%d: cities cover %.0f, counties %.0f", z, area["city"], area["district"])
		}
	}
}

// TestRegionsLayer: Shandong's economic circles are drawn from their
// cities' faces within each tile: each circle covers exactly its cities.
func TestRegionsLayer(t *testing.T) {
	st := testdb.Seeded(t, "shandong-cities")
	snap, _ := readmodel.Load(context.Background(), st)
	ix := tiles.NewIndex(snap)
	p, _ := snap.Plan(plan.ShandongID)
	names := map[string]bool{}
	for _, tile := range []maptile.Tile{maptile.New(52, 24, 6), maptile.New(53, 24, 6), maptile.New(52, 25, 6), maptile.New(105, 49, 7)} {
		ls := renderSnap(t, ix, tiles.Request{Plan: plan.ShandongID, Tile: tile})
		if len(ls) < 4 || ls[3].Name != "regions" || len(ls) == 5 && ls[4].Name != tiles.LayerPlaces {
			t.Fatalf("%v: layers %d", tile, len(ls))
		}
		byRegion := map[string]float64{}
		for _, f := range ls[0].Features {
			byRegion[p.Groups[f.Properties["code"].(string)]] += planar.Area(f.Geometry)
		}
		for _, f := range ls[3].Features {
			name := f.Properties["name"].(string)
			names[name] = true
			if a := planar.Area(f.Geometry); math.Abs(a-byRegion[name]) > 1 {
				t.Errorf("%v: %s covers %.0f, its cities %.0f", tile, name, a, byRegion[name])
			}
		}
	}
	if len(names) != 3 {
		t.Errorf("regions seen: %v", names)
	}
	if _, err := ix.TileJSON(plan.ChongqingID, "x", nil); err != nil {
		t.Fatal(err)
	}
}

// renderSnap renders and decodes a tile that must not be empty.
func renderSnap(t *testing.T, ix *tiles.Index, req tiles.Request) mvt.Layers {
	t.Helper()
	ls := render(t, ix, req)
	if ls == nil {
		t.Fatalf("%v is empty", req.Tile)
	}
	return ls
}
