// Package testdb builds stores from the shared data for tests.
package testdb

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/internal/shareddata"
	"github.com/indmap/indmap/internal/testpg"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/readmodel"
	"github.com/indmap/indmap/store"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/maptile/tilecover"
)

// Boundaries reads shared boundary files by short name.
func Boundaries(t testing.TB, names ...string) []geo.Boundary {
	t.Helper()
	var out []geo.Boundary
	for _, n := range names {
		bs, err := geo.ReadDataVFile(shareddata.Boundary(t, n), geo.ReadOptions{CRS: geo.GCJ02})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, bs...)
	}
	return out
}

// Seeded opens a new store in a temporary folder with the named shared
// boundary files, the zones, the default plans and the division changes,
// as indmap init does. The first call for a set of names builds the file;
// later ones in the same test binary start from a copy of its bytes (a
// build is about half a second, and a package's tests ask for dozens).
func Seeded(t testing.TB, names ...string) *store.Store {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.gpkg")
	if err := os.WriteFile(path, seededFile(t, names), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// seeded holds the bytes of each seeded file built so far, by names.
var seeded struct {
	sync.Mutex
	files map[string][]byte
}

func seededFile(t testing.TB, names []string) []byte {
	t.Helper()
	key := strings.Join(names, "\x00")
	seeded.Lock()
	defer seeded.Unlock()
	if b, ok := seeded.files[key]; ok {
		return b
	}
	path := filepath.Join(t.TempDir(), "template.gpkg")
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	Seed(t, st, names...)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		t.Fatalf("%s-wal left after close: the template would miss its last writes", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if seeded.files == nil {
		seeded.files = map[string][]byte{}
	}
	seeded.files[key] = b
	return b
}

// Seed fills an open store as indmap init does: the named shared
// boundary files, the zones, the default plans and the division changes.
func Seed(t testing.TB, st *store.Store, names ...string) {
	t.Helper()
	ctx := context.Background()
	if _, err := st.ImportBoundaries(ctx, Boundaries(t, names...), geo.DefaultAdjacency); err != nil {
		t.Fatal(err)
	}
	d, err := plan.LoadDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutZones(ctx, d.Zones); err != nil {
		t.Fatal(err)
	}
	for _, p := range d.Plans {
		if err := st.PutPlan(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.PutDivisionChanges(ctx, d.Changes); err != nil {
		t.Fatal(err)
	}
}

// A Backend is a kind of database a store can be opened on.
type Backend struct {
	Name string
	// New opens a new, empty database of this kind, closed when the
	// test ends.
	New func(t testing.TB) *store.Store
	// DB names a new, empty database of this kind (a file path or a
	// URL) for a test that opens it itself.
	DB func(t testing.TB) string
}

// Backends are the databases a store conformance test runs on: a
// GeoPackage always; PostgreSQL where testpg finds or starts a server
// (always in CI, which sets INDMAP_REQUIRE_PG).
func Backends(t testing.TB) []Backend {
	gpkg := func(t testing.TB) string { return filepath.Join(t.TempDir(), "t.gpkg") }
	out := []Backend{{Name: "geopackage", DB: gpkg}}
	if testpg.Available(t) {
		out = append(out, Backend{Name: "postgres", DB: func(t testing.TB) string { return testpg.DB(t) }})
	}
	for i := range out {
		db := out[i].DB
		out[i].New = func(t testing.TB) *store.Store {
			t.Helper()
			st, err := store.Open(context.Background(), db(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		}
	}
	return out
}

// OnePlan opens a new store holding the named boundary files as the units
// of one district-picks plan with the given id (every unit re-parented to
// the id), so that a whole file renders as one tiled layer.
func OnePlan(t testing.TB, id string, names ...string) *store.Store {
	t.Helper()
	return OnePlanOf(t, id, Boundaries(t, names...))
}

// OnePlanOf is OnePlan for boundaries read elsewhere (a file outside the
// shared data).
func OnePlanOf(t testing.TB, id string, bs []geo.Boundary) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "one.gpkg"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for i := range bs {
		bs[i].Parent = id
	}
	if _, err := st.ImportBoundaries(ctx, bs, geo.DefaultAdjacency); err != nil {
		t.Fatal(err)
	}
	p := plan.Plan{ID: id, Title: id, Kind: plan.DistrictPicks, Region: id, UnitKinds: []string{plan.KindDistrict, plan.KindCity}}
	if err := st.PutPlan(ctx, p); err != nil {
		t.Fatal(err)
	}
	return st
}

// PlanTiles lists, sorted, every tile minZ–maxZ that touches a polygon of
// the plan: the tile sets that tests and benchmarks walk.
func PlanTiles(t testing.TB, snap *readmodel.Snapshot, planID string, minZ, maxZ maptile.Zoom) []maptile.Tile {
	t.Helper()
	p, ok := snap.Plan(planID)
	if !ok {
		t.Fatalf("no plan %s", planID)
	}
	set := maptile.Set{}
	for _, u := range snap.PlanUnits(p) {
		mp, ok := u.Geom.(orb.MultiPolygon)
		if !ok {
			continue
		}
		for z := minZ; z <= maxZ; z++ {
			s, err := tilecover.Geometry(mp, z)
			if err != nil {
				t.Fatal(err)
			}
			for tile := range s {
				set[tile] = true
			}
		}
	}
	out := make([]maptile.Tile, 0, len(set))
	for tile := range set {
		out = append(out, tile)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Z != b.Z {
			return a.Z < b.Z
		}
		if a.X != b.X {
			return a.X < b.X
		}
		return a.Y < b.Y
	})
	return out
}
