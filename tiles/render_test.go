package tiles_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/internal/testdb"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/readmodel"
	"github.com/indmap/indmap/tiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/maptile/tilecover"
	"github.com/paulmach/orb/planar"
)

var (
	seedOnce sync.Once
	seedSnap *readmodel.Snapshot
)

// index builds a tile index over Chongqing and Shandong's cities, once.
func index(t testing.TB) *tiles.Index {
	t.Helper()
	seedOnce.Do(func() {
		st := testdb.Seeded(t, "chongqing-districts", "shandong-cities")
		var err error
		if seedSnap, err = readmodel.Load(context.Background(), st); err != nil {
			t.Fatal(err)
		}
	})
	if seedSnap == nil {
		t.Fatal("no snapshot")
	}
	return tiles.NewIndex(seedSnap)
}

// 解放碑, in 渝中区.
var jiefangbei = orb.Point{106.5775, 29.5574}

func render(t *testing.T, ix *tiles.Index, req tiles.Request) mvt.Layers {
	t.Helper()
	b, err := ix.Encode(req)
	if err != nil {
		t.Fatal(err)
	}
	if b == nil {
		return nil
	}
	ls, err := mvt.UnmarshalGzipped(b)
	if err != nil {
		t.Fatalf("decode %v: %v", req.Tile, err)
	}
	return ls
}

// idOf reads a decoded feature id (orb decodes ids as float64).
func idOf(f *geojson.Feature) uint64 {
	switch id := f.ID.(type) {
	case uint64:
		return id
	case float64:
		return uint64(id)
	}
	return 0
}

func feature(l *mvt.Layer, code string) *geojson.Feature {
	for _, f := range l.Features {
		if f.Properties["code"] == code {
			return f
		}
	}
	return nil
}

func TestTileLayersAndProperties(t *testing.T) {
	ix := index(t)
	tile := maptile.At(jiefangbei, 10)
	ls := render(t, ix, tiles.Request{Plan: plan.ChongqingID, Tile: tile})
	// Central Chongqing at z10 has named places (GeoNames) and rivers
	// (GSHHG) too.
	names := []string{}
	for _, l := range ls {
		names = append(names, l.Name)
	}
	wantLayers := "units,borders,labels,places"
	if len(geo.DefaultRiversFile()) > 0 {
		wantLayers += ",rivers"
	}
	if strings.Join(names, ",") != wantLayers {
		t.Fatalf("layers %v, want %s", names, wantLayers)
	}
	if len(ls) == 5 {
		for _, f := range ls[4].Features {
			lv, ok := f.Properties["level"].(float64) // decoded numbers are float64
			if _, line := f.Geometry.(orb.LineString); !line {
				_, line = f.Geometry.(orb.MultiLineString)
				ok = ok && line
			}
			if !ok || lv < 0 || lv > 4 {
				t.Errorf("river %v: %T %v", f.ID, f.Geometry, f.Properties)
			}
		}
	}
	// Labels carry the short names small scales show: 渝中区's is 渝中,
	// Yuzhong; a zone's is its whole name.
	short := map[string]string{}
	for _, f := range ls[2].Features {
		short[fmt.Sprint(f.Properties["code"])] = fmt.Sprint(f.Properties["short"], "|", f.Properties["short_en"])
	}
	if short["500103"] != "渝中|Yuzhong" || short["cq-liangjiang"] != "两江新区|Liangjiang New Area" {
		t.Errorf("short names in the labels: %v", short)
	}
	airports := 0
	for _, f := range ls[3].Features {
		if _, ok := f.Geometry.(orb.Point); !ok || f.Properties["name"] == "" || f.Properties["kind"] == "" || f.Properties["name_en"] == "" {
			t.Errorf("place %v %v", f.Geometry, f.Properties)
		}
		// Airports, cities, county and township seats, at z10.
		if k := f.Properties["kind"]; k != "airport" && k != "city" && k != "county_seat" && k != "town" {
			t.Errorf("a %v at z10: %v", k, f.Properties)
		}
		// 江北机场, with OurAirports' id (27228) and bit 50 set.
		if f.Properties["kind"] == "airport" {
			airports++
			if f.Properties["name"] != "重庆江北国际机场" || idOf(f) != 27228|1<<50 {
				t.Errorf("airport %v %v", f.ID, f.Properties)
			}
		}
	}
	if airports != 1 {
		t.Errorf("%d airports in %v, want 江北机场", airports, tile)
	}
	for _, l := range ls {
		if l.Extent != tiles.Extent || l.Version != 2 {
			t.Errorf("%s: extent %d version %d", l.Name, l.Extent, l.Version)
		}
		for _, f := range l.Features {
			if f.ID == nil {
				t.Errorf("%s: feature without id: %v", l.Name, f.Properties)
			}
			for k, v := range f.Properties {
				if v == nil {
					t.Errorf("%s: %s is null", l.Name, k)
				}
			}
		}
	}
	yz := feature(ls[0], "500103")
	if yz == nil {
		t.Fatal("渝中区 missing from its tile")
	}
	// A geometry tile holds who a unit is, not what a plan says of it.
	want := map[string]any{"name": "渝中区", "name_en": "Yuzhong District", "kind": "district", "approximate": false, "valid_to": "", "successors": ""}
	for k, v := range want {
		if yz.Properties[k] != v {
			t.Errorf("渝中区 %s = %v, want %v", k, yz.Properties[k], v)
		}
	}
	for _, k := range []string{"main", "main_count", "violations", "role"} {
		if _, ok := yz.Properties[k]; ok {
			t.Errorf("a geometry tile has %s", k)
		}
	}
	// Thematic tiles (an industry asked for) add what the plan says.
	th := feature(render(t, ix, tiles.Request{Plan: plan.ChongqingID, Tile: tile, Industry: "CQ-SIS"})[0], "500103")
	for _, k := range []string{"main", "special", "main_count", "special_count", "violations", "errors", "warnings", "tier", "role"} {
		if _, ok := th.Properties[k]; !ok {
			t.Errorf("渝中区 lacks %s in a thematic tile", k)
		}
	}
	// 江北区 was abolished on 2026-01-25: the 2023 map still draws it, and
	// says so.
	if jb := feature(ls[0], "500105"); jb == nil || jb.Properties["valid_to"] != "2026-01-25" || jb.Properties["successors"] != "两江新区" {
		t.Errorf("江北区: %v", jb)
	}
	if id := idOf(yz); id != 500103 {
		t.Errorf("渝中区 id %v", yz.ID)
	}
	if _, ok := yz.Geometry.(orb.Polygon); !ok {
		if _, ok := yz.Geometry.(orb.MultiPolygon); !ok {
			t.Errorf("渝中区 geometry %T", yz.Geometry)
		}
	}
	// Borders: shared ones name both sides.
	shared := 0
	for _, f := range ls[1].Features {
		if f.Properties["right"] != "" {
			shared++
		}
	}
	if shared == 0 {
		t.Error("no shared borders in a tile of central Chongqing")
	}
	// The zone 两江新区 has no polygon: it is a label point only.
	if feature(ls[0], "cq-liangjiang") != nil || feature(ls[2], "cq-liangjiang") == nil {
		t.Error("两江新区 should be a label point, not a polygon")
	}
}

func TestTileRoleFilter(t *testing.T) {
	ix := index(t)
	// 璧山区 holds 智能网联新能源汽车 as main; 合川区 too; 渝中区 none.
	// A z8 tile holds all four; at z0 units under a pixel are reduced
	// into their neighbours and labels thinned.
	tile := maptile.At(jiefangbei, 8)
	for _, industry := range []string{"CQ-ICV", "智能网联新能源汽车"} {
		ls := render(t, ix, tiles.Request{Plan: plan.ChongqingID, Tile: tile, Industry: industry})
		got := map[string]any{}
		for _, l := range []*mvt.Layer{ls[0], ls[2]} {
			for _, f := range l.Features {
				got[f.Properties["code"].(string)] = f.Properties["role"]
			}
		}
		if got["500120"] != "main" || got["500117"] != "main" || got["500103"] != "none" || got["500111"] != "main" {
			t.Errorf("%s: roles %v", industry, got)
		}
		for _, f := range ls[0].Features {
			if f.Properties["role"] == nil {
				t.Errorf("unit without role: %v", f.Properties)
			}
		}
	}
	ls := render(t, ix, tiles.Request{Plan: plan.ChongqingID, Tile: tile, Industry: "CQ-TCM"})
	if f := feature(ls[0], "500117"); f == nil || f.Properties["role"] != "special" {
		t.Errorf("合川区 现代中药 role %v", f.Properties["role"])
	}
	if _, err := ix.Encode(tiles.Request{Plan: plan.ChongqingID, Tile: maptile.New(0, 0, 0), Industry: "造船"}); err == nil {
		t.Error("unknown industry accepted")
	}
	if _, err := ix.Encode(tiles.Request{Plan: "nope", Tile: maptile.New(0, 0, 0)}); err == nil {
		t.Error("unknown plan accepted")
	}
}

// chongqingTiles lists the tiles z0–maxZ covering Chongqing's bounds.
func chongqingTiles(maxZ maptile.Zoom) []maptile.Tile {
	b := orb.Bound{Min: orb.Point{105.28, 28.16}, Max: orb.Point{110.2, 32.21}}
	var out []maptile.Tile
	for z := maptile.Zoom(0); z <= maxZ; z++ {
		set, _ := tilecover.Geometry(b, z)
		for t := range set {
			out = append(out, t)
		}
	}
	return out
}

func TestTileGeometry(t *testing.T) {
	ix := index(t)
	ids := map[string]uint64{}
	riverLevels := map[string]any{}
	for _, tile := range chongqingTiles(10) {
		ls := render(t, ix, tiles.Request{Plan: plan.ChongqingID, Tile: tile})
		for _, l := range ls {
			for _, f := range l.Features {
				if l.Name == tiles.LayerRivers {
					// A river's piece keeps its id in every tile, with
					// its level.
					code := fmt.Sprint("river:", f.ID)
					if prev, ok := riverLevels[code]; ok && prev != f.Properties["level"] {
						t.Errorf("%s: level %v in %v, %v elsewhere", code, f.Properties["level"], tile, prev)
					}
					riverLevels[code] = f.Properties["level"]
				} else if l.Name == tiles.LayerPlaces {
					// A place keeps its GeoNames id in every tile.
					code := "place:" + f.Properties["name_en"].(string) + fmt.Sprint(f.ID)
					if prev, ok := ids[code]; ok && prev != idOf(f) {
						t.Errorf("%s: id %v in %v, %v elsewhere", code, f.ID, tile, prev)
					}
					ids[code] = idOf(f)
				} else if l.Name != "borders" {
					code := f.Properties["code"].(string)
					if prev, ok := ids[code]; ok && prev != idOf(f) {
						t.Errorf("%s: id %v in %v, %v elsewhere", code, f.ID, tile, prev)
					}
					ids[code] = idOf(f)
				}
				checkGeometry(t, tile, l.Name, f.Geometry)
			}
		}
	}
	units := 0
	for code := range ids {
		if !strings.HasPrefix(code, "place:") {
			units++
		}
	}
	if units != 41 || len(ids) == units {
		t.Errorf("%d units seen in the tiles, want 41, and %d places", units, len(ids)-units)
	}
}

func checkGeometry(t *testing.T, tile maptile.Tile, layer string, g orb.Geometry) {
	lo, hi := float64(-tiles.Buffer), float64(tiles.Extent+tiles.Buffer)
	b := g.Bound()
	if b.Min[0] < lo || b.Min[1] < lo || b.Max[0] > hi || b.Max[1] > hi {
		t.Errorf("%v %s: coordinates %v outside extent + buffer", tile, layer, b)
	}
	var polys []orb.Polygon
	switch g := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{g}
	case orb.MultiPolygon:
		polys = g
	}
	for _, p := range polys {
		for i, r := range p {
			// Decoded rings in tile coordinates (y down): exteriors have
			// positive area, holes negative.
			if a := shoelace(r); (i == 0) != (a > 0) {
				t.Errorf("%v %s: ring %d winds wrong (area %v)", tile, layer, i, a)
			}
			distinct := map[orb.Point]bool{}
			for k := 0; k+1 < len(r); k++ {
				distinct[r[k]] = true
				if r[k] == r[k+1] {
					t.Errorf("%v %s: zero-length segment", tile, layer)
				}
			}
			if len(distinct) < 3 {
				t.Errorf("%v %s: ring with %d distinct points", tile, layer, len(distinct))
			}
		}
	}
}

// shoelace is the signed area of a ring in its own coordinates.
func shoelace(r orb.Ring) float64 {
	s := 0.0
	for i := 0; i+1 < len(r); i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return s / 2
}

func TestTileAreaReassembled(t *testing.T) {
	ix := index(t)
	const z = 12
	u, _ := seedSnap.Unit("500103")
	set, _ := tilecover.Geometry(u.Geom, z)
	total := 0.0
	inner := orb.Bound{Max: orb.Point{tiles.Extent, tiles.Extent}}
	for tile := range set {
		ls := render(t, ix, tiles.Request{Plan: plan.ChongqingID, Tile: tile})
		if ls == nil {
			continue
		}
		f := feature(ls[0], "500103")
		if f == nil {
			continue
		}
		// Area inside the tile proper (the buffer belongs to neighbours).
		g := clipToTile(f.Geometry, inner)
		// Square metres per tile unit at the tile's latitude.
		lat := tile.Center()[1] * math.Pi / 180
		m := 2 * math.Pi * 6378137 / float64(uint64(1)<<z) / tiles.Extent * math.Cos(lat)
		total += planar.Area(g) * m * m
	}
	t.Logf("渝中区 from %d z12 tiles: %.3f km², true %.3f km²", len(set), total/1e6, u.AreaKm2)
	if d := math.Abs(total/1e6-u.AreaKm2) / u.AreaKm2; d > 0.01 {
		t.Errorf("渝中区 from its z12 tiles: %.3f km², true %.3f km² (%.2f%% off)", total/1e6, u.AreaKm2, d*100)
	}
}

func clipToTile(g orb.Geometry, b orb.Bound) orb.Geometry {
	switch g := g.(type) {
	case orb.Polygon:
		return clipPolygon(g, b)
	case orb.MultiPolygon:
		var out orb.MultiPolygon
		for _, p := range g {
			out = append(out, clipPolygon(p, b))
		}
		return out
	}
	return g
}

func clipPolygon(p orb.Polygon, b orb.Bound) orb.Polygon {
	var out orb.Polygon
	for _, r := range p {
		var c orb.Ring
		for _, q := range r {
			c = append(c, orb.Point{math.Max(b.Min[0], math.Min(b.Max[0], q[0])), math.Max(b.Min[1], math.Min(b.Max[1], q[1]))})
		}
		out = append(out, c)
	}
	return out
}

// TestSharedBorderIdentical: neighbours carry the same vertices along
// their common border at every zoom, so no gap or overlap shows.
func TestSharedBorderIdentical(t *testing.T) {
	ix := index(t)
	for _, z := range []maptile.Zoom{6, 9, 12} {
		tile := maptile.At(jiefangbei, z)
		ls := render(t, ix, tiles.Request{Plan: plan.ChongqingID, Tile: tile})
		a, b := feature(ls[0], "500103"), feature(ls[0], "500105")
		if a == nil || b == nil {
			t.Fatalf("z%d: 渝中区 or 江北区 missing", z)
		}
		va, vb := vertices(a.Geometry), vertices(b.Geometry)
		segs := segments(b.Geometry)
		shared, near := 0, 0
		for v := range va {
			if distToSegments(v, segs) <= 1.5 {
				near++
				if vb[v] {
					shared++
				}
			}
		}
		if near < 2 || shared != near {
			t.Errorf("z%d: %d of 渝中区's %d vertices on 江北区's border are 江北区's vertices too", z, shared, near)
		}
	}
}

func vertices(g orb.Geometry) map[orb.Point]bool {
	out := map[orb.Point]bool{}
	for _, s := range segments(g) {
		out[s[0]] = true
	}
	return out
}

func segments(g orb.Geometry) [][2]orb.Point {
	var polys []orb.Polygon
	switch g := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{g}
	case orb.MultiPolygon:
		polys = g
	}
	var out [][2]orb.Point
	for _, p := range polys {
		for _, r := range p {
			for i := 0; i+1 < len(r); i++ {
				out = append(out, [2]orb.Point{r[i], r[i+1]})
			}
		}
	}
	return out
}

func distToSegments(p orb.Point, segs [][2]orb.Point) float64 {
	best := math.Inf(1)
	for _, s := range segs {
		best = math.Min(best, planar.DistanceFromSegment(s[0], s[1], p))
	}
	return best
}

func TestTilesDeterministicAndEmpty(t *testing.T) {
	ix := index(t)
	req := tiles.Request{Plan: plan.ChongqingID, Tile: maptile.At(jiefangbei, 8)}
	a, _ := ix.Encode(req)
	b, _ := tiles.NewIndex(seedSnap).Encode(req)
	if !bytes.Equal(a, b) || len(a) == 0 {
		t.Error("the same data gave different tile bytes")
	}
	if b, err := ix.Encode(tiles.Request{Plan: plan.ChongqingID, Tile: maptile.At(orb.Point{2.35, 48.85}, 8)}); b != nil || err != nil {
		t.Errorf("tile over Paris: %d bytes, %v", len(b), err)
	}
}

// BenchmarkChongqingZ0to10 renders the 319 tiles z0–10 over Chongqing,
// single-threaded, from a fresh index (simplification included).
func BenchmarkChongqingZ0to10(b *testing.B) {
	list := chongqingTiles(10)
	index(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ix := tiles.NewIndex(seedSnap)
		for _, tile := range list {
			if _, err := ix.Encode(tiles.Request{Plan: plan.ChongqingID, Tile: tile}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(list)), "tiles")
}

// BenchmarkEncodeZ10 renders one z10 tile of central Chongqing from a
// warm index.
func BenchmarkEncodeZ10(b *testing.B) {
	ix := index(b)
	req := tiles.Request{Plan: plan.ChongqingID, Tile: maptile.At(jiefangbei, 10)}
	ix.Encode(req)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ix.Encode(req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkZoom renders every tile over Chongqing at one zoom from a
// warm index (simplification done).
func BenchmarkZoom(b *testing.B) {
	ix := index(b)
	for _, z := range []maptile.Zoom{4, 7, 10, 12} {
		var list []maptile.Tile
		for _, t := range chongqingTiles(z) {
			if t.Z == z {
				list = append(list, t)
			}
		}
		for _, t := range list {
			ix.Encode(tiles.Request{Plan: plan.ChongqingID, Tile: t})
		}
		b.Run(fmt.Sprintf("z%d", z), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				for _, t := range list {
					if _, err := ix.Encode(tiles.Request{Plan: plan.ChongqingID, Tile: t}); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(len(list)), "tiles/op")
		})
	}
}

// TestOutlineBeforeInTiles: 北碚区, which gave and took part of an area
// on 2026-01-25 and stays in force, says in the tiles that its outline
// is from before; 渝中区 says nothing.
func TestOutlineBeforeInTiles(t *testing.T) {
	ix := index(t)
	ls := render(t, ix, tiles.Request{Plan: plan.ChongqingID, Tile: maptile.At(jiefangbei, 8)})
	for code, want := range map[string]string{"500109": "2026-01-25", "500103": ""} {
		f := feature(ls[0], code)
		if f == nil || f.Properties["outline_before"] != want {
			t.Errorf("%s: %v", code, f)
		}
	}
}
