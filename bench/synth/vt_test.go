package synth

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/indmap/indmap/internal/testdb"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/readmodel"
	"github.com/indmap/indmap/tiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/maptile/tilecover"
)

// vtSet is a tile set both tilers build: a plan's stored polygons and
// its tile list.
type vtSet struct {
	name  string
	plan  string
	snap  func(testing.TB) *readmodel.Snapshot
	tiles func(testing.TB, *readmodel.Snapshot) []maptile.Tile
}

var vtSets = []vtSet{
	{"chongqing-z0-10", plan.ChongqingID, func(tb testing.TB) *readmodel.Snapshot {
		return loaded(tb, testdb.Seeded(tb, "chongqing-districts"))
	}, func(testing.TB, *readmodel.Snapshot) []maptile.Tile {
		// The 319 tiles z0–10 over Chongqing's bounds (tiles' own benchmark).
		var out []maptile.Tile
		for z := maptile.Zoom(0); z <= 10; z++ {
			set, _ := tilecover.Geometry(orb.Bound{Min: orb.Point{105.28, 28.16}, Max: orb.Point{110.2, 32.21}}, z)
			for t := range set {
				out = append(out, t)
			}
		}
		slices.SortFunc(out, func(a, b maptile.Tile) int { return int(a.Z-b.Z)*1e9 + int(a.X-b.X)*1e4 + int(a.Y) - int(b.Y) })
		return out
	}},
	{"shandong-counties-z5-12", "shandong-counties", func(tb testing.TB) *readmodel.Snapshot {
		return loaded(tb, testdb.OnePlan(tb, "shandong-counties", "shandong-counties"))
	}, func(tb testing.TB, s *readmodel.Snapshot) []maptile.Tile {
		return testdb.PlanTiles(tb, s, "shandong-counties", 5, 12)
	}},
	{"synthetic-z0-8", "synthetic", nationwide, func(tb testing.TB, s *readmodel.Snapshot) []maptile.Tile {
		return testdb.PlanTiles(tb, s, "synthetic", 0, 8)
	}},
}

func loaded(tb testing.TB, st interface {
	readmodel.Source
}) *readmodel.Snapshot {
	tb.Helper()
	s, err := readmodel.Load(context.Background(), st)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// vtRound is what one round of a tiler did.
type vtRound struct {
	MS       float64 `json:"ms"`
	Tiles    int     `json:"tiles"`
	Layers   int     `json:"layers"`
	Bytes    int     `json:"bytes"`
	Features int     `json:"features"`
}

// BenchmarkVTRatio (make bench-vt) builds each set's tiles uncached, in
// process, with indmap (a fresh index: every zoom's geometry, clipping,
// noding, encoding, gzip) and with geojson-vt 3 + vt-pbf in Node (index,
// getTile, encoding, gzip) on the same polygons and tile list, 3 rounds
// alternating, and prints per set: vt-ratio SET INDMAP_MS GEOJSONVT_MS
// RATIO (medians; ratio = indmap / geojson-vt).
func BenchmarkVTRatio(b *testing.B) {
	dir, err := filepath.Abs("../vt")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "geojson-vt")); err != nil {
		b.Skip("geojson-vt is not installed: make bench-vt runs npm ci in bench/vt")
	}
	for _, set := range vtSets {
		b.Run(set.name, func(b *testing.B) {
			snap := set.snap(b)
			list := set.tiles(b, snap)
			work := b.TempDir()
			polygons, tileList := filepath.Join(work, "polygons.geojson"), filepath.Join(work, "tiles.txt")
			writeVTInput(b, snap, set.plan, list, polygons, tileList)
			var ours, theirs []vtRound
			for range 3 {
				ours = append(ours, indmapRound(b, snap, set.plan, list))
				out, err := exec.Command("node", filepath.Join(dir, "vt.mjs"), polygons, tileList).Output()
				if err != nil {
					b.Fatalf("geojson-vt: %v", err)
				}
				var r vtRound
				if err := json.Unmarshal(out, &r); err != nil {
					b.Fatalf("geojson-vt said %s: %v", out, err)
				}
				theirs = append(theirs, r)
			}
			a, g := median(ours), median(theirs)
			fmt.Printf("%s: %d tiles listed; indmap made %d tiles, %d layers, %d features, %d bytes gzipped; geojson-vt made %d tiles, %d layers, %d features, %d bytes gzipped\n",
				set.name, len(list), a.Tiles, a.Layers, a.Features, a.Bytes, g.Tiles, g.Layers, g.Features, g.Bytes)
			fmt.Printf("vt-ratio %s %.0f %.0f %.2f\n", set.name, a.MS, g.MS, a.MS/g.MS)
		})
	}
}

// indmapRound builds every tile of the list from a fresh index.
func indmapRound(b *testing.B, snap *readmodel.Snapshot, planID string, list []maptile.Tile) vtRound {
	var r vtRound
	start := time.Now()
	ix := tiles.NewIndex(snap)
	for _, t := range list {
		body, err := ix.Encode(tiles.Request{Plan: planID, Tile: t})
		if err != nil {
			b.Fatal(err)
		}
		if body != nil {
			r.Tiles++
			r.Bytes += len(body)
		}
	}
	r.MS = float64(time.Since(start).Microseconds()) / 1000
	// What was made, counted apart from the timed loop.
	for _, t := range list {
		ls, _ := ix.Layers(tiles.Request{Plan: planID, Tile: t})
		for _, l := range ls {
			if len(l.Features) > 0 {
				r.Layers++
				r.Features += len(l.Features)
			}
		}
	}
	return r
}

func median(rs []vtRound) vtRound {
	s := slices.Clone(rs)
	slices.SortFunc(s, func(a, b vtRound) int {
		switch {
		case a.MS < b.MS:
			return -1
		case a.MS > b.MS:
			return 1
		}
		return 0
	})
	return s[len(s)/2]
}

// writeVTInput writes the plan's stored polygons (longitude, latitude)
// as GeoJSON and the tile list, one z/x/y a line.
func writeVTInput(tb testing.TB, snap *readmodel.Snapshot, planID string, list []maptile.Tile, polygons, tileList string) {
	tb.Helper()
	p, _ := snap.Plan(planID)
	fc := geojson.NewFeatureCollection()
	for _, u := range snap.PlanUnits(p) {
		switch u.Geom.(type) {
		case orb.Polygon, orb.MultiPolygon:
			f := geojson.NewFeature(u.Geom)
			f.Properties = geojson.Properties{"code": u.Code, "name": u.Name}
			fc.Append(f)
		}
	}
	b, err := fc.MarshalJSON()
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(polygons, b, 0o644); err != nil {
		tb.Fatal(err)
	}
	f, err := os.Create(tileList)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for _, t := range list {
		fmt.Fprintf(w, "%d/%d/%d\n", t.Z, t.X, t.Y)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	f.Close()
}
