package tiles_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/geo/rtree"
	"github.com/indmap/indmap/internal/mvtcheck"
	"github.com/indmap/indmap/internal/testdb"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/readmodel"
	"github.com/indmap/indmap/tiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

const countiesID = "shandong-counties"

var (
	countiesOnce sync.Once
	countiesSnap *readmodel.Snapshot
)

// countiesIndex builds a tile index over Shandong's 137 counties as one
// plan, once.
func countiesIndex(t testing.TB) (*tiles.Index, *readmodel.Snapshot) {
	t.Helper()
	countiesOnce.Do(func() {
		st := testdb.OnePlan(t, countiesID, "shandong-counties")
		var err error
		if countiesSnap, err = readmodel.Load(context.Background(), st); err != nil {
			t.Fatal(err)
		}
	})
	if countiesSnap == nil {
		t.Fatal("no snapshot")
	}
	return tiles.NewIndex(countiesSnap), countiesSnap
}

// refIndex holds a plan's stored polygons in world coordinates, the
// reference that gaps are measured against, with each edge marked when
// it lies on the boundary of their union (not between two units).
type refIndex struct {
	rings [][][]orb.Point // unit → rings, world coordinates
	outer [][][]bool      // unit → ring → edge on the union's boundary
	tree  *rtree.Tree
}

func newRefIndex(snap *readmodel.Snapshot, planID string) *refIndex {
	p, _ := snap.Plan(planID)
	var mps []orb.MultiPolygon
	for _, u := range snap.PlanUnits(p) {
		if mp, ok := u.Geom.(orb.MultiPolygon); ok {
			mps = append(mps, mp)
		}
	}
	lonlat := make([]orb.Bound, len(mps))
	edges := map[[2]orb.Point]int{}
	for i, mp := range mps {
		lonlat[i] = mp.Bound()
		for _, poly := range mp {
			for _, r := range poly {
				for k := 0; k+1 < len(r); k++ {
					edges[[2]orb.Point{r[k], r[k+1]}] = i
				}
			}
		}
	}
	byLonLat := rtree.New(lonlat)
	// An edge is a border between units when another unit has it the
	// other way round, or covers the point a millimetre outside it
	// (drawings that overlap); else it is on the union's boundary, where
	// the stored geometry is not covered (the outside, a true hole, or a
	// notch of the outside however thin).
	onBoundary := func(i int, a, b orb.Point) bool {
		if j, ok := edges[[2]orb.Point{b, a}]; ok && j != i {
			return false
		}
		dx, dy := b[0]-a[0], b[1]-a[1]
		l := math.Hypot(dx, dy)
		if l == 0 {
			return true
		}
		// Rings wind counter-clockwise (holes clockwise): outside is right.
		q := orb.Point{(a[0]+b[0])/2 + dy/l*1e-8, (a[1]+b[1])/2 - dx/l*1e-8}
		covered := false
		byLonLat.Search(orb.Bound{Min: q, Max: q}, func(j int) bool {
			if j != i && geo.Contains(mps[j], q) {
				covered = true
				return false
			}
			return true
		})
		return !covered
	}
	ri := &refIndex{}
	var bounds []orb.Bound
	for i, mp := range mps {
		var rings [][]orb.Point
		var outer [][]bool
		var b orb.Bound
		for pi, poly := range mp {
			for k, r := range poly {
				w := make([]orb.Point, len(r))
				o := make([]bool, len(r))
				for n, q := range r {
					w[n] = tiles.World(q)
					if n+1 < len(r) {
						o[n] = onBoundary(i, q, r[n+1])
					}
				}
				if pi == 0 && k == 0 {
					b = orb.LineString(w).Bound()
				} else {
					b = b.Union(orb.LineString(w).Bound())
				}
				rings = append(rings, w)
				outer = append(outer, o)
			}
		}
		ri.rings = append(ri.rings, rings)
		ri.outer = append(ri.outer, outer)
		bounds = append(bounds, b)
	}
	ri.tree = rtree.New(bounds)
	return ri
}

// refs returns the stored polygons near a tile in its coordinates.
func (ri *refIndex) refs(tile maptile.Tile) []mvtcheck.Ref {
	n := float64(uint64(1) << tile.Z)
	b := float64(tiles.Buffer+16) / (n * tiles.Extent)
	q := orb.Bound{Min: orb.Point{float64(tile.X)/n - b, float64(tile.Y)/n - b}, Max: orb.Point{float64(tile.X+1)/n + b, float64(tile.Y+1)/n + b}}
	var out []mvtcheck.Ref
	ri.tree.Search(q, func(i int) bool {
		ref := mvtcheck.Ref{Edge: ri.outer[i]}
		for _, r := range ri.rings[i] {
			tr := make([][2]float64, len(r))
			for k, p := range r {
				tr[k] = [2]float64{p[0]*n*tiles.Extent - float64(tile.X)*tiles.Extent, p[1]*n*tiles.Extent - float64(tile.Y)*tiles.Extent}
			}
			ref.Rings = append(ref.Rings, tr)
		}
		out = append(out, ref)
		return true
	})
	return out
}

// walkStats is what a walk over a tile set found.
type walkStats struct {
	tiles, polygons            int
	invalid, overlaps, gaps    int
	borderOff                  int // border vertices that are no vertex of a unit polygon
	largest                    map[maptile.Zoom]int
	largestAt                  map[maptile.Zoom]maptile.Tile
	examples                   []string
	maxOverlap, maxGap         float64
	maxOverlapAt, maxGapAt     string
	unitsPerZoom, labelsByZoom map[maptile.Zoom]int
	cracks                     []string // set by sweepFile: see refIndex.cracks
}

// gapMargin is how far (tile units) the stored outer border and true
// holes may move at a zoom: half a pixel of simplification plus rounding.
const gapMargin = 10

// walk renders every tile of the list, decodes it with mvtcheck (not
// with the code that wrote it) and checks every unit polygon, overlaps
// and gaps between units, and that borders run on the fills' vertices.
func walk(t *testing.T, ix *tiles.Index, ref *refIndex, planID string, list []maptile.Tile) walkStats {
	st := walkStats{largest: map[maptile.Zoom]int{}, largestAt: map[maptile.Zoom]maptile.Tile{},
		unitsPerZoom: map[maptile.Zoom]int{}, labelsByZoom: map[maptile.Zoom]int{}}
	var mu sync.Mutex
	note := func(format string, args ...any) {
		if len(st.examples) < 12 {
			st.examples = append(st.examples, fmt.Sprintf(format, args...))
		}
	}
	box := mvtcheck.Box{Min: mvtcheck.Pt{-tiles.Buffer, -tiles.Buffer}, Max: mvtcheck.Pt{tiles.Extent + tiles.Buffer, tiles.Extent + tiles.Buffer}}
	jobs := make(chan maptile.Tile)
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for tile := range jobs {
				gz, err := ix.Encode(tiles.Request{Plan: planID, Tile: tile})
				if err != nil {
					t.Error(err)
					continue
				}
				if gz == nil {
					continue
				}
				zr, err := gzip.NewReader(bytes.NewReader(gz))
				if err != nil {
					t.Error(err)
					continue
				}
				raw, err := io.ReadAll(zr)
				if err != nil {
					t.Error(err)
					continue
				}
				layers, err := mvtcheck.Decode(raw)
				if err != nil {
					t.Errorf("%v: %v", tile, err)
					continue
				}
				polys := map[uint64][]mvtcheck.Polygon{}
				verts := map[mvtcheck.Pt]bool{}
				invalid, borderOff, labels := 0, 0, 0
				var bad []string
				for _, l := range layers {
					// The spec: a layer SHOULD contain at least one feature
					// (GDAL reads an empty one as a layer without fields).
					if len(l.Features) == 0 {
						t.Errorf("%v: layer %s has no features", tile, l.Name)
					}
					switch l.Name {
					case tiles.LayerUnits:
						for _, f := range l.Features {
							ps, err := mvtcheck.Polygons(f)
							if err == nil {
								err = mvtcheck.Validate(ps)
							}
							if err == nil {
								err = passesTwice(f)
							}
							if err != nil {
								invalid++
								bad = append(bad, fmt.Sprintf("%d/%d/%d unit %d: %v", tile.Z, tile.X, tile.Y, f.ID, err))
							}
							polys[f.ID] = ps
							for _, path := range f.Paths {
								for _, p := range path {
									verts[p] = true
								}
							}
						}
					case tiles.LayerLabels:
						labels += len(l.Features)
					}
				}
				for _, l := range layers {
					if l.Name != tiles.LayerBorders {
						continue
					}
					for _, f := range l.Features {
						for _, path := range f.Paths {
							for _, p := range path {
								if !verts[p] {
									borderOff++
								}
							}
						}
					}
				}
				cov := mvtcheck.Measure(polys, box, ref.refs(tile), gapMargin)
				mu.Lock()
				st.tiles++
				st.polygons += len(polys)
				st.invalid += invalid
				st.borderOff += borderOff
				st.unitsPerZoom[tile.Z] += len(polys)
				st.labelsByZoom[tile.Z] += labels
				for _, b := range bad {
					note("%s", b)
				}
				if len(raw) > st.largest[tile.Z] {
					st.largest[tile.Z], st.largestAt[tile.Z] = len(raw), tile
				}
				for pair, a := range cov.Overlaps {
					if a > st.maxOverlap {
						st.maxOverlap, st.maxOverlapAt = a, fmt.Sprintf("%d/%d/%d %d|%d", tile.Z, tile.X, tile.Y, pair[0], pair[1])
					}
					if a > 1 {
						st.overlaps++
						note("%d/%d/%d: units %d and %d overlap by %.1f units²", tile.Z, tile.X, tile.Y, pair[0], pair[1], a)
					}
				}
				if cov.Gap > st.maxGap {
					st.maxGap, st.maxGapAt = cov.Gap, fmt.Sprintf("%d/%d/%d at %.0f,%.0f", tile.Z, tile.X, tile.Y, cov.GapAt[0], cov.GapAt[1])
				}
				if cov.Gap > 1 {
					st.gaps++
					note("%d/%d/%d: gap of %.1f units² between units at %.0f,%.0f", tile.Z, tile.X, tile.Y, cov.Gap, cov.GapAt[0], cov.GapAt[1])
				}
				mu.Unlock()
			}
		}()
	}
	for _, tile := range list {
		jobs <- tile
	}
	close(jobs)
	wg.Wait()
	return st
}

// passesTwice finds a ring that passes a point twice: OGC validity
// forbids it, simplefeatures lets an inverted hole through.
func passesTwice(f mvtcheck.Feature) error {
	for i, r := range f.Paths {
		seen := map[mvtcheck.Pt]bool{}
		for _, q := range r {
			if seen[q] {
				return fmt.Errorf("ring %d passes %v twice", i, q)
			}
			seen[q] = true
		}
	}
	return nil
}

// TestTilesValidEveryZoom walks every tile z0–14 of Chongqing and z0–12
// of the Shandong counties: each unit polygon must be valid (MVT 2.1
// ring rules, OGC validity by simplefeatures), no two units may overlap
// and no gap may open between units (over 1 square tile unit each,
// true holes and the outer border excepted), and border lines must run
// on the fills' vertices.
func TestTilesValidEveryZoom(t *testing.T) {
	cq := index(t)
	sd, sdSnap := countiesIndex(t)
	for _, tc := range []struct {
		name   string
		ix     *tiles.Index
		snap   *readmodel.Snapshot
		planID string
		maxZ   maptile.Zoom
	}{
		{"chongqing", cq, seedSnap, plan.ChongqingID, 14},
		{"shandong-counties", sd, sdSnap, countiesID, 12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list := testdb.PlanTiles(t, tc.snap, tc.planID, 0, tc.maxZ)
			if testing.Short() {
				list = sampleTiles(list, 8, 32)
			}
			st := walk(t, tc.ix, newRefIndex(tc.snap, tc.planID), tc.planID, list)
			t.Logf("%d tiles, %d unit polygons: %d invalid, %d overlaps, %d gaps, %d border vertices off the fills",
				st.tiles, st.polygons, st.invalid, st.overlaps, st.gaps, st.borderOff)
			t.Logf("largest overlap %.1f units² (%s), largest gap %.1f units² (%s)", st.maxOverlap, st.maxOverlapAt, st.maxGap, st.maxGapAt)
			for z := maptile.Zoom(0); z <= tc.maxZ; z++ {
				at := st.largestAt[z]
				t.Logf("z%d: largest tile %d bytes raw (%d/%d/%d); %d unit polygons, %d labels", z, st.largest[z], at.Z, at.X, at.Y, st.unitsPerZoom[z], st.labelsByZoom[z])
			}
			for _, e := range st.examples {
				t.Log(e)
			}
			if st.invalid+st.overlaps+st.gaps+st.borderOff > 0 {
				t.Errorf("%d invalid polygons, %d overlaps, %d gaps, %d border vertices off the fills", st.invalid, st.overlaps, st.gaps, st.borderOff)
			}
		})
	}
}

// sampleTiles keeps every tile up to zoom full and one in every of the
// deeper ones, spread evenly over the sorted list (so every zoom and
// every part of the region is still visited): the -short sweep.
func sampleTiles(list []maptile.Tile, full maptile.Zoom, every int) []maptile.Tile {
	var out []maptile.Tile
	deep := 0
	for _, tile := range list {
		if tile.Z <= full {
			out = append(out, tile)
			continue
		}
		if deep%every == 0 {
			out = append(out, tile)
		}
		deep++
	}
	return out
}

// BenchmarkShandongCountiesZ5to12 renders every tile z5–12 touching a
// Shandong county, single-threaded, from a fresh index (simplification
// included).
func BenchmarkShandongCountiesZ5to12(b *testing.B) {
	_, snap := countiesIndex(b)
	list := testdb.PlanTiles(b, snap, countiesID, 5, 12)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ix := tiles.NewIndex(snap)
		for _, tile := range list {
			if _, err := ix.Encode(tiles.Request{Plan: countiesID, Tile: tile}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(list)), "tiles")
}

// TestPinchedRingSplit: 原阳县 (410725) in Henan's tile 8/208/101 has a
// hole touching its exterior at one point; its walk passed that point
// twice, a ring touching itself. Decoded by mvtcheck, every unit of the
// tile is valid (simplefeatures: no self-tangency), the hole a ring of
// its own.
func TestPinchedRingSplit(t *testing.T) {
	st := testdb.Seeded(t, "henan/henan-cities", "henan/henan-counties")
	snap, err := readmodel.Load(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	ix := tiles.NewIndex(snap)
	gz, err := ix.Encode(tiles.Request{Plan: "henan-clusters", Tile: maptile.New(208, 101, 8)})
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	ls, err := mvtcheck.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range ls {
		if l.Name != tiles.LayerUnits {
			continue
		}
		for _, f := range l.Features {
			ps, err := mvtcheck.Polygons(f)
			if err == nil {
				err = mvtcheck.Validate(ps)
			}
			if err != nil {
				t.Errorf("unit %d: %v", f.ID, err)
			}
			// OGC: a ring passes a point once (simplefeatures lets an
			// inverted hole through).
			for i, r := range f.Paths {
				seen := map[mvtcheck.Pt]bool{}
				for _, q := range r {
					if seen[q] {
						t.Errorf("unit %d ring %d passes %v twice", f.ID, i, q)
					}
					seen[q] = true
				}
			}
			if f.ID == 410725 {
				found = true
				holes := 0
				for _, p := range ps {
					holes += len(p) - 1
				}
				if holes == 0 {
					t.Errorf("原阳县 has no hole in 8/208/101: %d polygons", len(ps))
				}
			}
		}
	}
	if !found {
		t.Error("原阳县 is not in tile 8/208/101")
	}
}

// TestNationwideTiles walks every tile z0–8 of a real nationwide county
// file named by $INDMAP_NATION (a DataV-derived GeoJSON of every county,
// GCJ-02; not in the repository, skipped without it): no tile fails, no
// unit is dropped, every unit polygon is valid and no two overlap, the
// county-level cities DataV marks as cities (省直辖县级市, 兵团 cities)
// tiled with the counties (tileKinds). Gaps are logged.
func TestNationwideTiles(t *testing.T) {
	path := os.Getenv("INDMAP_NATION")
	if path == "" {
		t.Skip("INDMAP_NATION names no nationwide county file (a DataV-derived GeoJSON of every county, e.g. merged from DataV's <adcode>_full.json files)")
	}
	if testing.Short() {
		t.Skip("a nationwide sweep: not in -short")
	}
	bs, _, st, dropped := sweepFile(t, path, "china", 8)
	t.Logf("%d units; %d tiles, %d unit polygons: %d invalid, %d overlaps, %d gaps, %d border vertices off the fills; units dropped: %v; cracks: %v",
		len(bs), st.tiles, st.polygons, st.invalid, st.overlaps, st.gaps, st.borderOff, dropped, st.cracks)
	t.Logf("largest overlap %.1f units² (%s), largest gap %.1f units² (%s)", st.maxOverlap, st.maxOverlapAt, st.maxGap, st.maxGapAt)
	for _, e := range st.examples {
		t.Log(e)
	}
	if st.tiles == 0 || st.invalid > 0 || st.overlaps > 0 || st.gaps > 0 || st.borderOff > 0 || len(dropped) > 0 || len(st.cracks) > 0 {
		t.Errorf("%d tiles, %d invalid polygons, %d overlaps, %d gaps, %d border vertices off the fills, dropped %v, cracks %v", st.tiles, st.invalid, st.overlaps, st.gaps, st.borderOff, dropped, st.cracks)
	}
}

// sweepFile tiles a DataV file's units as one plan (id) and walks every
// tile z0–maxZ of it, saying which units the builds dropped.
func sweepFile(t *testing.T, path, id string, maxZ maptile.Zoom) ([]geo.Boundary, *tiles.Index, walkStats, []string) {
	t.Helper()
	bs, err := geo.ReadDataVFile(path, geo.ReadOptions{CRS: geo.GCJ02})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := readmodel.Load(context.Background(), testdb.OnePlanOf(t, id, bs))
	if err != nil {
		t.Fatal(err)
	}
	ix := tiles.NewIndex(snap)
	var dropped []string
	ix.OnDrop(func(where string, codes []string) { dropped = append(dropped, fmt.Sprint(where, codes)) })
	ref := newRefIndex(snap, id)
	st := walk(t, ix, ref, id, testdb.PlanTiles(t, snap, id, 0, maxZ))
	st.cracks = ref.cracks(0.5, 10)
	return bs, ix, st, dropped
}

// TestNationExtractTiles: eighteen counties from a nationwide DataV
// county file (testdata/nation-extract.gcj02.geojson) whose tiles once
// failed or broke: 定海区 (330902) failed every z3 tile (a face boundary
// of no area, 3/6/3); 原阳县 (410725), 140311, 530724, 511724, 610802,
// 421002, 130581, 440881, 420683, 440608 and 340104 had a ring passing a
// point twice; 尼玛/双湖, 鄂伦春旗/呼玛 and 尉犁/若羌 share borders drawn
// apart, cracks open to the outside (鄂伦春旗/呼玛 under 0.5 m without the
// weld). Every tile z0–10 of them renders, no unit is dropped, every
// polygon is valid, no ring passes a point twice, no crack is left.
func TestNationExtractTiles(t *testing.T) {
	maxZ := maptile.Zoom(10)
	if testing.Short() {
		maxZ = 8
	}
	bs, ix, st, dropped := sweepFile(t, "testdata/nation-extract.gcj02.geojson", "extract", maxZ)
	if len(bs) != 18 {
		t.Errorf("%d units in the extract", len(bs))
	}
	t.Logf("%d tiles, %d unit polygons: %d invalid, %d overlaps, %d gaps; dropped %v", st.tiles, st.polygons, st.invalid, st.overlaps, st.gaps, dropped)
	for _, e := range st.examples {
		t.Log(e)
	}
	if st.tiles < 100 || st.invalid+st.overlaps+st.gaps+st.borderOff > 0 || len(dropped) > 0 || len(st.cracks) > 0 {
		t.Errorf("%d tiles: %d invalid, %d overlaps, %d gaps, %d border vertices off; dropped %v; cracks %v", st.tiles, st.invalid, st.overlaps, st.gaps, st.borderOff, dropped, st.cracks)
	}
	// 定海区 is in 3/6/3.
	ls := renderSnap(t, ix, tiles.Request{Plan: "extract", Tile: maptile.New(6, 3, 3)})
	if feature(ls[0], "330902") == nil {
		t.Error("定海区 is not in 3/6/3")
	}
}

// cracks finds the stored outer borders (edges on the union's boundary)
// that run within tolM metres of another unit's outer border without
// meeting it: the two walls of a crack between neighbours drawn apart,
// which the tiles would simplify into a visible gap. A vertex near an
// edge that ends where one of the vertex's own edges ends is the mouth of
// two borders leaving one point (a province's edge), no crack; nor is
// anything under two steps of the import grid (2e-7°), nor a single
// vertex (a crack is two walls: at least two vertices of one within tolM
// of the other). It returns one line per unit pair, at most max.
func (ri *refIndex) cracks(tolM float64, max int) []string {
	type edge struct {
		u          int
		prev, a, b orb.Point
	}
	var edges []edge
	var bounds []orb.Bound
	// Metres per world unit at world y: Mercator's scale, 1/cos φ.
	perM := func(y float64) float64 { return 1 / (40075016.686 / math.Cosh(math.Pi*(1-2*y))) }
	for u, rs := range ri.rings {
		for r, ring := range rs {
			n := len(ring) - 1 // closed
			for k := 0; k < n; k++ {
				if ri.outer[u][r][k] {
					a, b := ring[k], ring[k+1]
					tol := tolM * perM(a[1])
					edges = append(edges, edge{u, ring[(k+n-1)%n], a, b})
					bounds = append(bounds, orb.Bound{Min: orb.Point{math.Min(a[0], b[0]) - tol, math.Min(a[1], b[1]) - tol},
						Max: orb.Point{math.Max(a[0], b[0]) + tol, math.Max(a[1], b[1]) + tol}})
				}
			}
		}
	}
	tree := rtree.New(bounds)
	seen := map[[2]int]bool{}
	hits := map[[2]int]int{}
	var out []string
	for _, e := range edges {
		p := e.a
		tree.Search(orb.Bound{Min: p, Max: p}, func(i int) bool {
			o := edges[i]
			if o.u == e.u || seen[[2]int{e.u, o.u}] {
				return true
			}
			for _, q := range []orb.Point{e.prev, e.a, e.b} {
				if o.a == q || o.b == q {
					return true
				}
			}
			d := segDist(p, o.a, o.b) / perM(p[1])
			if d >= 0.02 && d < tolM {
				if hits[[2]int{e.u, o.u}]++; hits[[2]int{e.u, o.u}] < 2 {
					return true
				}
				seen[[2]int{e.u, o.u}], seen[[2]int{o.u, e.u}] = true, true
				if len(out) < max {
					out = append(out, fmt.Sprintf("units %d and %d: outer borders %.2f m apart near world %.6f,%.6f", e.u, o.u, d, p[0], p[1]))
				}
			}
			return true
		})
	}
	return out
}

// segDist is the distance from p to the segment ab.
func segDist(p, a, b orb.Point) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	t := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		t = math.Max(0, math.Min(1, ((p[0]-a[0])*dx+(p[1]-a[1])*dy)/l))
	}
	return math.Hypot(p[0]-a[0]-t*dx, p[1]-a[1]-t*dy)
}

// TestStoredNoCracks: no two neighbours' stored outer borders run within
// half a metre of each other without being one border (Partition's weld,
// topo.DefaultWeldM). In Shandong's DataV file 金乡县 and 单县 were drawn
// 15-20 cm apart along a border whose crack opens outward, so no sliver
// closed it, and 10/843/406 lost a 4 ha wedge between them.
func TestStoredNoCracks(t *testing.T) {
	index(t)
	_, sdSnap := countiesIndex(t)
	henan, err := readmodel.Load(context.Background(), testdb.OnePlan(t, "henan-counties", "henan/henan-counties"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		snap   *readmodel.Snapshot
		planID string
	}{
		{"chongqing", seedSnap, plan.ChongqingID},
		{"shandong-counties", sdSnap, countiesID},
		{"henan-counties", henan, "henan-counties"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if c := newRefIndex(tc.snap, tc.planID).cracks(0.5, 10); len(c) > 0 {
				t.Errorf("%d unit pairs with cracks: %v", len(c), c)
			}
		})
	}
}

// TestCitiesNestCounties: Shandong's cluster plan shows cities at every
// zoom and counties from z8 over them. DataV's city outlines and county
// outlines are drawn apart by tens of metres, so a county overlapped the
// neighbouring city (up to 216k units² at z12); cities are now drawn
// from their counties at import. Every tile z8–12: no unit overlaps
// another unit but its own parent (a county in its city) by more than 1
// square tile unit.
func TestCitiesNestCounties(t *testing.T) {
	snap, err := readmodel.Load(context.Background(), testdb.Seeded(t, "shandong-cities", "shandong-counties"))
	if err != nil {
		t.Fatal(err)
	}
	ix := tiles.NewIndex(snap)
	p, _ := snap.Plan(plan.ShandongID)
	byID := map[uint64]plan.Unit{}
	cities := 0
	for _, u := range snap.PlanUnits(p) {
		byID[tiles.FeatureID(u.Code)] = u
		if u.Kind == plan.KindCity {
			if cities++; !strings.Contains(strings.Join(u.Repairs, "; "), "outline drawn from its") {
				t.Errorf("%s %s is not drawn from its counties: %v", u.Code, u.Name, u.Repairs)
			}
		}
	}
	if cities != 16 {
		t.Errorf("%d cities in the plan, want 16", cities)
	}
	list := testdb.PlanTiles(t, snap, plan.ShandongID, 8, 12)
	if testing.Short() {
		list = sampleTiles(list, 8, 16)
	}
	box := mvtcheck.Box{Min: mvtcheck.Pt{-tiles.Buffer, -tiles.Buffer}, Max: mvtcheck.Pt{tiles.Extent + tiles.Buffer, tiles.Extent + tiles.Buffer}}
	nested, bad := 0.0, 0
	for _, tile := range list {
		gz, err := ix.Encode(tiles.Request{Plan: plan.ShandongID, Tile: tile})
		if err != nil || gz == nil {
			t.Fatalf("%v: %v", tile, err)
		}
		zr, _ := gzip.NewReader(bytes.NewReader(gz))
		raw, _ := io.ReadAll(zr)
		layers, err := mvtcheck.Decode(raw)
		if err != nil {
			t.Fatal(err)
		}
		polys := map[uint64][]mvtcheck.Polygon{}
		for _, l := range layers {
			if l.Name == tiles.LayerUnits {
				for _, f := range l.Features {
					polys[f.ID], _ = mvtcheck.Polygons(f)
				}
			}
		}
		for pair, a := range mvtcheck.Measure(polys, box, nil, 0).Overlaps {
			u, v := byID[pair[0]], byID[pair[1]]
			if u.Parent == v.Code || v.Parent == u.Code {
				nested = math.Max(nested, a)
				continue
			}
			if a > 1 {
				if bad++; bad <= 10 {
					t.Errorf("%d/%d/%d: %s %s and %s %s overlap by %.0f units²", tile.Z, tile.X, tile.Y, u.Code, u.Name, v.Code, v.Name, a)
				}
			}
		}
	}
	t.Logf("%d tiles z8-12: %d overlaps between units not nested; a county in its city by up to %.0f units²", len(list), bad, nested)
	if nested == 0 {
		t.Error("no county drawn over its city: the test saw no nesting")
	}
}
