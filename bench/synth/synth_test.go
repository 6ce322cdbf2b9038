package synth

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/internal/testdb"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/readmodel"
	"github.com/indmap/indmap/store"
	"github.com/indmap/indmap/tiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

func TestNationwideSize(t *testing.T) {
	a, st := Generate(Nationwide)
	b, _ := Generate(Nationwide)
	if !bytes.Equal(a, b) {
		t.Error("the same options gave different bytes")
	}
	if st.Cells != 2900 || st.Vertices < 1_850_000 || st.Vertices > 1_950_000 {
		t.Errorf("%d cells, %d vertices; want 2,900 and about 1.9 million", st.Cells, st.Vertices)
	}
}

// BenchmarkImport reads and stores the nationwide synthetic partition
// (GCJ-02 conversion, repair, partition, adjacency, GeoPackage writes),
// as `indmap import boundaries` does.
func BenchmarkImport(b *testing.B) {
	data, st := Generate(Nationwide)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		bs, err := geo.ReadDataV(bytes.NewReader(data), "synth.geojson", geo.ReadOptions{CRS: geo.GCJ02})
		if err != nil {
			b.Fatal(err)
		}
		s, err := store.Open(ctx, filepath.Join(b.TempDir(), "s.gpkg"))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.ImportBoundaries(ctx, bs, geo.DefaultAdjacency); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
	b.ReportMetric(float64(st.Vertices), "vertices")
}

var (
	nationOnce sync.Once
	nationSnap *readmodel.Snapshot
)

// nationwide imports the synthetic partition once, with a plan over all
// its cells.
func nationwide(tb testing.TB) *readmodel.Snapshot {
	tb.Helper()
	nationOnce.Do(func() {
		data, _ := Generate(Nationwide)
		bs, err := geo.ReadDataV(bytes.NewReader(data), "synth.geojson", geo.ReadOptions{CRS: geo.GCJ02})
		if err != nil {
			tb.Fatal(err)
		}
		ctx := context.Background()
		dir, err := os.MkdirTemp("", "synth")
		if err != nil {
			tb.Fatal(err)
		}
		defer os.RemoveAll(dir)
		s, err := store.Open(ctx, filepath.Join(dir, "s.gpkg"))
		if err != nil {
			tb.Fatal(err)
		}
		defer s.Close()
		if _, err := s.ImportBoundaries(ctx, bs, geo.DefaultAdjacency); err != nil {
			tb.Fatal(err)
		}
		p := plan.Plan{ID: "synthetic", Title: "synthetic", Kind: plan.DistrictPicks, Region: "900000", UnitKinds: []string{plan.KindDistrict}}
		if err := s.PutPlan(ctx, p); err != nil {
			tb.Fatal(err)
		}
		if nationSnap, err = readmodel.Load(ctx, s); err != nil {
			tb.Fatal(err)
		}
	})
	if nationSnap == nil {
		tb.Fatal("no snapshot")
	}
	return nationSnap
}

func rawSize(tb testing.TB, gz []byte) int {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		tb.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatal(err)
	}
	return len(raw)
}

// TestNationwideTileSizes renders every tile z0–8 of the synthetic
// nationwide partition: none may exceed 500 KB raw (tippecanoe's cap),
// and z0–4 tiles must stay under 200 KB.
func TestNationwideTileSizes(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 1.9 million vertices")
	}
	snap := nationwide(t)
	ix := tiles.NewIndex(snap)
	largest := map[maptile.Zoom]int{}
	at := map[maptile.Zoom]maptile.Tile{}
	for _, tile := range testdb.PlanTiles(t, snap, "synthetic", 0, 8) {
		gz, err := ix.Encode(tiles.Request{Plan: "synthetic", Tile: tile})
		if err != nil {
			t.Fatal(err)
		}
		if gz == nil {
			continue
		}
		n := rawSize(t, gz)
		if n > largest[tile.Z] {
			largest[tile.Z], at[tile.Z] = n, tile
		}
		limit := 500_000
		if tile.Z <= 4 {
			limit = 200_000
		}
		if n > limit {
			t.Errorf("tile %d/%d/%d: %d bytes raw, over %d", tile.Z, tile.X, tile.Y, n, limit)
		}
	}
	for z := maptile.Zoom(0); z <= 8; z++ {
		t.Logf("z%d: largest tile %d bytes raw (%d/%d/%d)", z, largest[z], at[z].Z, at[z].X, at[z].Y)
	}
}

// BenchmarkSweepZ0to8 renders every tile z0–8 of the synthetic
// nationwide partition from a fresh index (each zoom's geometry
// included), single-threaded.
func BenchmarkSweepZ0to8(b *testing.B) {
	snap := nationwide(b)
	list := testdb.PlanTiles(b, snap, "synthetic", 0, 8)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ix := tiles.NewIndex(snap)
		for _, tile := range list {
			if _, err := ix.Encode(tiles.Request{Plan: "synthetic", Tile: tile}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(list)), "tiles")
}

// BenchmarkBuildTopology cuts the synthetic nationwide partition's
// polygons into shared arcs, as an index build does per plan.
func BenchmarkBuildTopology(b *testing.B) {
	snap := nationwide(b)
	p, _ := snap.Plan("synthetic")
	var shapes []orb.MultiPolygon
	edges := 0
	for _, u := range snap.PlanUnits(p) {
		var mp orb.MultiPolygon
		switch g := u.Geom.(type) {
		case orb.Polygon:
			mp = orb.MultiPolygon{g}
		case orb.MultiPolygon:
			mp = g
		}
		for _, poly := range mp {
			for _, r := range poly {
				edges += len(r) - 1
			}
		}
		shapes = append(shapes, mp)
	}
	b.ResetTimer()
	for range b.N {
		geo.BuildTopology(shapes)
	}
	b.ReportMetric(float64(edges), "edges")
}
