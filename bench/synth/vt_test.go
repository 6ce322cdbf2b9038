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

	"github.com/indmap/indmap/geo"
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
// getTile, encoding, gzip) on the same polygons and tile list, geojson-vt
// making the same layers (and, apart, the units alone), 3 rounds
// alternating, and prints per set: vt-ratio SET INDMAP_MS GEOJSONVT_MS
// RATIO (medians; ratio = indmap / geojson-vt) and the same for the units
// alone (vt-ratio-units-only).
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
			// geojson-vt makes the layers indmap makes (units, borders,
			// labels, places, rivers) and, apart, the units layer alone.
			var ours, theirs, unitsOnly []vtRound
			node := func(args ...string) vtRound {
				out, err := exec.Command("node", append([]string{filepath.Join(dir, "vt.mjs"), polygons, tileList}, args...)...).Output()
				if err != nil {
					b.Fatalf("geojson-vt: %v", err)
				}
				var r vtRound
				if err := json.Unmarshal(out, &r); err != nil {
					b.Fatalf("geojson-vt said %s: %v", out, err)
				}
				return r
			}
			for range 3 {
				ours = append(ours, indmapRound(b, snap, set.plan, list))
				theirs = append(theirs, node())
				unitsOnly = append(unitsOnly, node("units"))
			}
			a, g, gu := median(ours), median(theirs), median(unitsOnly)
			fmt.Printf("%s: %d tiles listed; indmap made %d tiles, %d layers, %d features, %d bytes gzipped; geojson-vt made %d tiles, %d layers, %d features, %d bytes gzipped (units alone: %d tiles, %d features, %d bytes)\n",
				set.name, len(list), a.Tiles, a.Layers, a.Features, a.Bytes, g.Tiles, g.Layers, g.Features, g.Bytes, gu.Tiles, gu.Features, gu.Bytes)
			fmt.Printf("vt-ratio-units-only %s %.0f %.0f %.2f\n", set.name, a.MS, gu.MS, a.MS/gu.MS)
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

// vtInput is what geojson-vt tiles: the layers indmap's tiles hold, in
// longitude and latitude, each feature with the properties indmap gives
// it; the places and rivers by the zoom they show from.
type vtInput struct {
	Layers map[string]*geojson.FeatureCollection `json:"layers"`
	ByZoom []vtByZoom                            `json:"byzoom"`
}

// vtByZoom are a layer's features shown from a zoom on.
type vtByZoom struct {
	Layer   string                     `json:"layer"`
	MinZoom int                        `json:"minzoom"`
	Data    *geojson.FeatureCollection `json:"data"`
}

// byZoom collects a layer's features by the zoom they show from.
type byZoom struct {
	in   *vtInput
	sets map[[2]any]*geojson.FeatureCollection
}

func (z *byZoom) add(layer string, minZoom int, f *geojson.Feature) {
	k := [2]any{layer, minZoom}
	if z.sets[k] == nil {
		z.sets[k] = geojson.NewFeatureCollection()
		z.in.ByZoom = append(z.in.ByZoom, vtByZoom{layer, minZoom, z.sets[k]})
	}
	z.sets[k].Append(f)
}

// writeVTInput writes what geojson-vt is to tile (see vtInput) and the
// tile list, one z/x/y a line. The borders are the stored units' shared
// arcs, each once with its two sides (geo.BuildTopology, as indmap's
// borders layer), the labels the units' label points.
func writeVTInput(tb testing.TB, snap *readmodel.Snapshot, planID string, list []maptile.Tile, polygons, tileList string) {
	tb.Helper()
	p, _ := snap.Plan(planID)
	in := vtInput{Layers: map[string]*geojson.FeatureCollection{
		tiles.LayerUnits: geojson.NewFeatureCollection(), tiles.LayerBorders: geojson.NewFeatureCollection(),
		tiles.LayerLabels: geojson.NewFeatureCollection()}}
	var shapes []orb.MultiPolygon
	var codes []string
	for _, u := range snap.PlanUnits(p) {
		if mp, ok := u.Geom.(orb.MultiPolygon); ok {
			f := geojson.NewFeature(mp)
			f.Properties = plan.Properties(plan.InUnits, u, nil)
			in.Layers[tiles.LayerUnits].Append(f)
			shapes, codes = append(shapes, mp), append(codes, u.Code)
		}
		if u.Geom != nil {
			f := geojson.NewFeature(u.Label)
			f.Properties = plan.Properties(plan.InLabels, u, nil)
			in.Layers[tiles.LayerLabels].Append(f)
		}
	}
	for _, a := range geo.BuildTopology(shapes).Arcs {
		f := geojson.NewFeature(orb.LineString(a.Points))
		right := ""
		if a.Right >= 0 {
			right = codes[a.Right]
		}
		f.Properties = geojson.Properties{"left": codes[a.Left], "right": right, "outer": right == ""}
		in.Layers[tiles.LayerBorders].Append(f)
	}
	z := byZoom{in: &in, sets: map[[2]any]*geojson.FeatureCollection{}}
	var extent orb.Bound
	for i, mp := range shapes {
		if i == 0 {
			extent = mp.Bound()
		}
		extent = extent.Union(mp.Bound())
	}
	for _, r := range snap.PlanPlaces(p) {
		mz, ok := tiles.PlaceMinZoom(r.Kind)
		if !ok || r.Label == nil {
			continue
		}
		f := geojson.NewFeature(orb.Point{r.Label[0], r.Label[1]})
		f.Properties = geojson.Properties{"name": r.Name, "name_en": r.NameEn, "kind": r.Kind}
		z.add(tiles.LayerPlaces, mz, f)
	}
	// The rivers reaching into the plan's extent, as the tiles take them.
	for _, r := range snap.Rivers() {
		if r.Line.Bound().Intersects(extent) {
			f := geojson.NewFeature(r.Line)
			f.Properties = geojson.Properties{"level": r.Level}
			z.add(tiles.LayerRivers, tiles.RiverMinZoom(r.Level), f)
		}
	}
	b, err := json.Marshal(in)
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
