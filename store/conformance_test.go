package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/indmap/indmap/internal/testdb"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/store"
)

// The conformance suite: every backend keeps the same contract. Each test
// runs on a GeoPackage and, where testpg has a server (always in CI), on
// PostgreSQL; results are compared with the GeoPackage's.

// seededOn fills a new database of each backend as indmap init does and
// loads it.
func seededOn(t *testing.T, names ...string) map[string]*store.Data {
	out := map[string]*store.Data{}
	for _, b := range testdb.Backends(t) {
		st := b.New(t)
		testdb.Seed(t, st, names...)
		d, err := st.Load(context.Background(), 0)
		if err != nil {
			t.Fatalf("%s: load: %v", b.Name, err)
		}
		out[b.Name] = d
	}
	return out
}

// TestConformanceSameData: the same import gives the same units (with
// every vertex of every geometry, names, repairs, successors drawn from
// division changes), adjacency, plans and revisions on every backend.
func TestConformanceSameData(t *testing.T) {
	got := seededOn(t, "chongqing-districts", "shandong-cities")
	want := got["geopackage"]
	if len(want.Geometry.Units) < 50 || len(want.Plans) < 3 {
		t.Fatalf("seeded %d units, %d plans", len(want.Geometry.Units), len(want.Plans))
	}
	for name, d := range got {
		if name == "geopackage" {
			continue
		}
		if len(d.Geometry.Units) != len(want.Geometry.Units) {
			t.Fatalf("%s: %d units, the GeoPackage has %d", name, len(d.Geometry.Units), len(want.Geometry.Units))
		}
		for i, u := range d.Geometry.Units {
			if w := want.Geometry.Units[i]; !reflect.DeepEqual(u, w) {
				t.Errorf("%s: unit %s differs from the GeoPackage's:\n%s", name, u.Code, unitDiff(w, u))
			}
		}
		if !reflect.DeepEqual(d.Geometry.Neighbours, want.Geometry.Neighbours) {
			t.Errorf("%s: %d neighbour pairs, the GeoPackage has %d (or they differ)", name, len(d.Geometry.Neighbours), len(want.Geometry.Neighbours))
		}
		if !reflect.DeepEqual(d.Plans, want.Plans) {
			t.Errorf("%s: plans differ from the GeoPackage's", name)
		}
		if !reflect.DeepEqual(d.Revisions, want.Revisions) || d.Version != want.Version || d.Geometry.Version != want.Geometry.Version {
			t.Errorf("%s: revisions %v, versions %d/%d; the GeoPackage: %v, %d/%d", name, d.Revisions, d.Version, d.Geometry.Version,
				want.Revisions, want.Version, want.Geometry.Version)
		}
	}
}

func unitDiff(a, b plan.Unit) string {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	out := ""
	for i := range va.NumField() {
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			f := va.Type().Field(i).Name
			if f == "Geom" {
				out += "  Geom differs\n"
				continue
			}
			out += fmt.Sprintf("  %s: %v ≠ %v\n", f, va.Field(i).Interface(), vb.Field(i).Interface())
		}
	}
	return out
}

// TestConformanceRevisions: writes make numbered revisions with ETags; a
// stale If-Match is refused inside the transaction; a failed write
// changes nothing; a plan's write moves the data version and not the
// geometry's; the token key survives a reopen.
func TestConformanceRevisions(t *testing.T) {
	ctx := context.Background()
	for _, b := range testdb.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db := b.DB(t)
			st, err := store.Open(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { st.Close() }()
			testdb.Seed(t, st, "chongqing-districts")
			before, _ := st.Versions(ctx)
			cur, err := st.CurrentRevision(ctx, "chongqing-2023")
			if err != nil || cur != 1 {
				t.Fatalf("current revision %d, %v", cur, err)
			}
			as, cs, err := st.RevisionContent(ctx, "chongqing-2023", 1)
			if err != nil || len(as) == 0 {
				t.Fatalf("revision 1: %d assignments, %v", len(as), err)
			}
			r, err := st.WriteAssignments(ctx, "chongqing-2023", as[1:], cs, store.WriteMeta{Author: "t", Expect: &cur, Warnings: 2})
			if err != nil || r.N != 2 || r.ETag != `"r2"` {
				t.Fatalf("write: %+v, %v", r, err)
			}
			after, _ := st.Versions(ctx)
			if after.Data != before.Data+1 || after.Geometry != before.Geometry || r.DataVersion != after.Data {
				t.Errorf("versions %+v → %+v (write said %d)", before, after, r.DataVersion)
			}
			_, err = st.WriteAssignments(ctx, "chongqing-2023", as, cs, store.WriteMeta{Author: "t", Expect: &cur})
			var ce *store.ConflictError
			if !errors.As(err, &ce) || ce.Current != 2 || ce.Expected != 1 {
				t.Fatalf("stale If-Match: %v", err)
			}
			if _, err := st.WriteAssignments(ctx, "no-such-plan", as, cs, store.WriteMeta{}); err == nil {
				t.Fatal("a write to a missing plan succeeded")
			}
			if v, _ := st.Versions(ctx); v != after {
				t.Errorf("failed writes moved the versions: %+v → %+v", after, v)
			}
			rs, err := st.Revisions(ctx, "chongqing-2023")
			if err != nil || len(rs) != 2 || rs[0].N != 2 || rs[0].Warnings != 2 || rs[0].Author != "t" || rs[0].Assignments != len(as)-1 {
				t.Fatalf("revisions %+v, %v", rs, err)
			}
			got, _, err := st.RevisionContent(ctx, "chongqing-2023", 2)
			if err != nil || !reflect.DeepEqual(got, as[1:]) {
				t.Errorf("revision 2 holds %d assignments, %v", len(got), err)
			}
			if _, _, err := st.RevisionContent(ctx, "chongqing-2023", 9); !errors.Is(err, store.ErrNoRevision) {
				t.Errorf("revision 9: %v", err)
			}
			key, err := st.TokenKey(ctx)
			if err != nil || len(key) != 32 {
				t.Fatalf("token key %x, %v", key, err)
			}
			st.Close()
			if st, err = store.Open(ctx, db); err != nil {
				t.Fatal(err)
			}
			if again, _ := st.TokenKey(ctx); !reflect.DeepEqual(again, key) {
				t.Error("the token key changed on reopening")
			}
			ro, err := store.OpenReadOnly(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			defer ro.Close()
			if n, _ := ro.CurrentRevision(ctx, "chongqing-2023"); n != 2 {
				t.Errorf("read-only: revision %d", n)
			}
			if _, err := ro.WriteAssignments(ctx, "chongqing-2023", as, cs, store.WriteMeta{}); !errors.Is(err, store.ErrReadOnly) {
				t.Errorf("read-only write: %v", err)
			}
		})
	}
}

// TestConformanceIfMatchAcrossServers: 20 writers with the same If-Match,
// spread over 3 stores open on one database (3 servers), all at once:
// exactly one is accepted, and revision numbers have no gaps.
func TestConformanceIfMatchAcrossServers(t *testing.T) {
	ctx := context.Background()
	for _, b := range testdb.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db := b.DB(t)
			var servers []*store.Store
			for range 3 {
				st, err := store.Open(ctx, db)
				if err != nil {
					t.Fatal(err)
				}
				defer st.Close()
				servers = append(servers, st)
			}
			testdb.Seed(t, servers[0], "chongqing-districts")
			as, cs, err := servers[1].RevisionContent(ctx, "chongqing-2023", 1)
			if err != nil {
				t.Fatal(err)
			}
			for round := range 3 {
				cur, _ := servers[2].CurrentRevision(ctx, "chongqing-2023")
				var wg sync.WaitGroup
				var mu sync.Mutex
				ok, conflicts := 0, 0
				for i := range 20 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						_, err := servers[i%3].WriteAssignments(ctx, "chongqing-2023", as[:len(as)-1-i%2], cs,
							store.WriteMeta{Author: fmt.Sprint("writer ", i), Expect: &cur})
						mu.Lock()
						defer mu.Unlock()
						switch {
						case err == nil:
							ok++
						case errors.Is(err, store.ErrConflict):
							conflicts++
						default:
							t.Errorf("writer %d: %v", i, err)
						}
					}()
				}
				wg.Wait()
				if ok != 1 || conflicts != 19 {
					t.Errorf("round %d: %d accepted, %d conflicts; want 1 and 19", round, ok, conflicts)
				}
			}
			rs, err := servers[0].Revisions(ctx, "chongqing-2023")
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range rs {
				if want := len(rs) - i; r.N != want {
					t.Fatalf("revisions %d…: the %dth is %d, want %d (a gap)", rs[0].N, i, r.N, want)
				}
			}
			if len(rs) != 4 {
				t.Errorf("%d revisions, want 4", len(rs))
			}
		})
	}
}

// TestCopyBothWays: a GeoPackage copied into PostgreSQL and back is the
// same data: units with every vertex, plans, every revision with its
// content, division changes, adjacency and the token key. A database
// that holds data is not overwritten without replace.
func TestCopyBothWays(t *testing.T) {
	ctx := context.Background()
	backends := testdb.Backends(t)
	if len(backends) < 2 {
		t.Skip("no PostgreSQL")
	}
	gpkg := testdb.Seeded(t, "chongqing-districts", "shandong-cities")
	as, cs, err := gpkg.RevisionContent(ctx, "chongqing-2023", 1)
	if err != nil {
		t.Fatal(err)
	}
	one := 1
	if _, err := gpkg.WriteAssignments(ctx, "chongqing-2023", as[2:], cs, store.WriteMeta{Author: "planner", Forced: true, Errors: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := gpkg.WriteAssignments(ctx, "chongqing-2023", as, cs, store.WriteMeta{Author: "restore", RestoredFrom: &one}); err != nil {
		t.Fatal(err)
	}
	key, _ := gpkg.TokenKey(ctx)
	pg := backends[1].New(t)
	res, err := store.Copy(ctx, gpkg, pg, false)
	if err != nil {
		t.Fatal(err)
	}
	if res["units"] < 50 || res["revisions"] < 5 || res["cluster_hosts"] == 0 || res["division_changes"] == 0 {
		t.Errorf("copied %v", res)
	}
	back := backends[0].New(t)
	if _, err := store.Copy(ctx, pg, back, false); err != nil {
		t.Fatal(err)
	}
	for name, st := range map[string]*store.Store{"postgres": pg, "back": back} {
		want, err := gpkg.Load(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		got, err := st.Load(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Geometry.Units, want.Geometry.Units) || !reflect.DeepEqual(got.Geometry.Neighbours, want.Geometry.Neighbours) ||
			!reflect.DeepEqual(got.Plans, want.Plans) || !reflect.DeepEqual(got.Revisions, want.Revisions) {
			t.Errorf("%s: the copy's data differs from the original's", name)
		}
		if got.Version <= want.Version {
			t.Errorf("%s: data version %d, the original's %d: a server of either would not see the copy as new", name, got.Version, want.Version)
		}
		for _, p := range want.Plans {
			wr, _ := gpkg.Revisions(ctx, p.ID)
			gr, _ := st.Revisions(ctx, p.ID)
			if !reflect.DeepEqual(wr, gr) {
				t.Errorf("%s: plan %s revisions %+v, want %+v", name, p.ID, gr, wr)
			}
			for _, r := range wr {
				wa, wc, _ := gpkg.RevisionContent(ctx, p.ID, r.N)
				ga, gc, err := st.RevisionContent(ctx, p.ID, r.N)
				if err != nil || !reflect.DeepEqual(wa, ga) || !reflect.DeepEqual(wc, gc) {
					t.Errorf("%s: plan %s revision %d content differs, %v", name, p.ID, r.N, err)
				}
			}
		}
		if k, _ := st.TokenKey(ctx); !reflect.DeepEqual(k, key) {
			t.Errorf("%s: token key not copied", name)
		}
	}
	// A new write after the copy gets the next numbers.
	if r, err := pg.WriteAssignments(ctx, "chongqing-2023", as, cs, store.WriteMeta{Author: "after"}); err != nil || r.N != 4 {
		t.Errorf("write after copy: %+v, %v", r, err)
	}
	if _, err := store.Copy(ctx, gpkg, pg, false); err == nil {
		t.Error("a copy over a database with data succeeded without replace")
	}
	if _, err := store.Copy(ctx, gpkg, pg, true); err != nil {
		t.Errorf("copy with replace: %v", err)
	}
	if n, _ := pg.CurrentRevision(ctx, "chongqing-2023"); n != 3 {
		t.Errorf("after a replacing copy the plan is at revision %d, want 3", n)
	}
}
