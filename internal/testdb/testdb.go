// Package testdb builds stores from the shared data for tests.
package testdb

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/internal/shareddata"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/store"
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
// as indmap init does.
func Seeded(t testing.TB, names ...string) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "t.gpkg"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
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
	return st
}
