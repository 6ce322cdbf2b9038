package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/internal/shareddata"
	"github.com/indmap/indmap/plan"
	"github.com/paulmach/orb"
)

func readShared(t *testing.T, name string) []geo.Boundary {
	t.Helper()
	bs, err := geo.ReadDataVFile(shareddata.Boundary(t, name), geo.ReadOptions{CRS: geo.GCJ02})
	if err != nil {
		t.Fatal(err)
	}
	return bs
}

// TestImportOutsideTheWriteLock: an import is computed without the
// write lock; a planner's write made meanwhile goes through at once and
// the import still lands; a change of the units made meanwhile makes
// the import fail with ErrMoved, storing nothing.
func TestImportOutsideTheWriteLock(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "t.gpkg"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.ImportBoundaries(ctx, readShared(t, "chongqing-districts"), geo.DefaultAdjacency); err != nil {
		t.Fatal(err)
	}
	p := plan.Plan{ID: "p", Title: "p", Kind: plan.DistrictPicks, Region: "500000", UnitKinds: []string{plan.KindDistrict}}
	if err := s.PutPlan(ctx, p); err != nil {
		t.Fatal(err)
	}

	// A plan write while the import computes: the write lock is free.
	var wrote error
	s.computed = func() {
		_, wrote = s.WriteAssignments(ctx, "p", []plan.Assignment{{Unit: "500103", Role: plan.Main, Industry: "x", Source: "t"}}, nil, WriteMeta{Author: "t"})
	}
	res, err := s.ImportBoundaries(ctx, readShared(t, "chongqing-districts"), geo.DefaultAdjacency)
	if err != nil || wrote != nil {
		t.Fatalf("import %v; plan write during it %v", err, wrote)
	}
	if res.Replaced != 38 || res.Unchanged != 38 {
		t.Errorf("re-import of the same file: %+v", res)
	}
	if n, _ := s.CurrentRevision(ctx, "p"); n != 2 {
		t.Errorf("plan revision %d after the write during the import", n)
	}

	// A change of the units while the import computes: refused.
	before, _ := s.Versions(ctx)
	s.computed = func() {
		wrote = s.PutZones(ctx, []plan.Unit{{Code: "z1", Name: "z", Kind: plan.KindZone, Geom: orb.Point{106.5, 29.5}}})
	}
	_, err = s.ImportBoundaries(ctx, readShared(t, "shandong-cities"), geo.DefaultAdjacency)
	if !errors.Is(err, ErrMoved) {
		t.Fatalf("import while the units changed: %v (zones %v)", err, wrote)
	}
	after, _ := s.Versions(ctx)
	if after.Geometry != before.Geometry+1 {
		t.Errorf("geometry version %d → %d: the refused import wrote", before.Geometry, after.Geometry)
	}
	var n int
	s.reader.QueryRowContext(ctx, `SELECT count(*) FROM units WHERE code LIKE '37%'`).Scan(&n)
	if n != 0 {
		t.Errorf("%d Shandong units stored by a refused import", n)
	}
}
