package readmodel_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/indmap/indmap/internal/testdb"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/readmodel"
	"github.com/indmap/indmap/store"
	"github.com/paulmach/orb"
)

func writePick(t *testing.T, st *store.Store, code string) {
	t.Helper()
	if _, err := readmodel.ImportPlanFile(context.Background(), st, plan.ChongqingID, strings.NewReader(
		"unit_code,unit_name,role,industry,detail,source\n"+code+",x,main,CQ-SIS,,t\n"), "t.csv", readmodel.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestLiveWatcher: snapshots come only from the watcher (a request never
// loads), each is prepared before it is published and announced; a
// failed or panicking preparation keeps the previous snapshot.
func TestLiveWatcher(t *testing.T) {
	st := testdb.Seeded(t, "chongqing-districts")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	live := readmodel.NewLive(st, time.Hour, nil)
	if _, err := live.Snapshot(ctx); !errors.Is(err, readmodel.ErrNotReady) || live.Ready() {
		t.Fatalf("before start: %v", err)
	}
	var prepared atomic.Int64
	var fail atomic.Int32 // 1: error, 2: panic
	live.Prepare(func(_ context.Context, s *readmodel.Snapshot) error {
		switch fail.Load() {
		case 1:
			return errors.New("boom")
		case 2:
			panic("index build blew up")
		}
		// Not yet published: readers still see the previous version.
		if cur, _ := live.Snapshot(ctx); cur != nil && cur.Version >= s.Version {
			t.Errorf("snapshot %d published before it was prepared", s.Version)
		}
		prepared.Store(s.Version)
		return nil
	})
	events, unsubscribe := live.Subscribe()
	defer unsubscribe()
	live.Start(ctx)
	if err := live.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	s1, _ := live.Snapshot(ctx)
	if prepared.Load() != s1.Version {
		t.Errorf("prepared %d, published %d", prepared.Load(), s1.Version)
	}
	if v := <-events; v != s1.Version {
		t.Errorf("announced %d, want %d", v, s1.Version)
	}

	// A change by someone else is not seen until the watcher looks (the
	// interval here is an hour), and no request makes it look.
	writePick(t, st, "500103")
	if s, _ := live.Snapshot(ctx); s != s1 {
		t.Error("a read loaded new data")
	}
	s2, err := live.Refresh(ctx)
	if err != nil || s2.Version != s1.Version+1 || prepared.Load() != s2.Version {
		t.Fatalf("refresh: %d → %d (prepared %d), %v", s1.Version, s2.Version, prepared.Load(), err)
	}
	if v := <-events; v != s2.Version {
		t.Errorf("announced %d, want %d", v, s2.Version)
	}

	for mode, what := range map[int32]string{1: "error", 2: "panic"} {
		fail.Store(mode)
		writePick(t, st, "500104")
		s3, err := live.Refresh(ctx)
		if err == nil || s3 != s2 || live.Err() == nil {
			t.Errorf("%s while preparing: serving %d, %v", what, s3.Version, err)
		}
	}
	fail.Store(0)
	s4, err := live.Refresh(ctx)
	if err != nil || s4.Version <= s2.Version || live.Err() != nil {
		t.Errorf("after recovery: %d, %v, %v", s4.Version, err, live.Err())
	}
}

// TestLiveFollowsOtherWriters: with a short interval the watcher picks up
// a change made behind its back, without any request.
func TestLiveFollowsOtherWriters(t *testing.T) {
	st := testdb.Seeded(t, "chongqing-districts")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	live := readmodel.NewLive(st, 20*time.Millisecond, nil)
	live.Start(ctx)
	if err := live.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	s1, _ := live.Snapshot(ctx)
	events, unsubscribe := live.Subscribe()
	defer unsubscribe()
	writePick(t, st, "500103")
	select {
	case v := <-events:
		if v != s1.Version+1 {
			t.Errorf("announced %d, want %d", v, s1.Version+1)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the watcher never announced the change")
	}
}

// TestGeometryKeptAcrossPlanWrites: a write of a plan's assignments
// reloads plans only (the next snapshot shares the units of the one
// before); a change of units reloads the geometry.
func TestGeometryKeptAcrossPlanWrites(t *testing.T) {
	st := testdb.Seeded(t, "chongqing-districts")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	live := readmodel.NewLive(st, time.Hour, nil)
	live.Start(ctx)
	if err := live.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	s1, _ := live.Snapshot(ctx)
	writePick(t, st, "500103")
	s2, err := live.Refresh(ctx)
	if err != nil || s2.Version == s1.Version {
		t.Fatalf("refresh: %v (version %d → %d)", err, s1.Version, s2.Version)
	}
	if &s2.Units[0] != &s1.Units[0] || s2.GeometryVersion != s1.GeometryVersion {
		t.Error("a plan write reloaded the units")
	}
	if v := s2.View(plan.ChongqingID, "500103"); v.Roles["CQ-SIS"] != plan.Main {
		t.Errorf("the new pick is not read: %+v", v.Roles)
	}
	if err := st.PutZones(ctx, []plan.Unit{{Code: "cq-test-zone", Name: "测试区", Kind: plan.KindZone, Geom: orb.Point{106.5, 29.5}, Label: orb.Point{106.5, 29.5}}}); err != nil {
		t.Fatal(err)
	}
	s3, err := live.Refresh(ctx)
	if err != nil || &s3.Units[0] == &s2.Units[0] || s3.GeometryVersion == s2.GeometryVersion {
		t.Errorf("a change of units kept the old geometry: %v", err)
	}
	if _, ok := s3.Unit("cq-test-zone"); !ok {
		t.Error("the new zone is not read")
	}
}

// TestLiveRefusesANewerSchema: when a newer indmap migrates the file, the
// watcher reads nothing of it: the last snapshot goes on being served
// and Err says why.
func TestLiveRefusesANewerSchema(t *testing.T) {
	st := testdb.Seeded(t, "chongqing-districts")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	live := readmodel.NewLive(st, time.Hour, nil)
	live.Start(ctx)
	if err := live.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	s1, _ := live.Snapshot(ctx)
	db, err := sql.Open("sqlite", st.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE indmap_meta SET value = CAST(value AS INTEGER) + 1 WHERE key IN ('schema_version', 'data_version')`); err != nil {
		t.Fatal(err)
	}
	s2, err := live.Refresh(ctx)
	if !errors.Is(err, store.ErrSchemaTooNew) || s2 != s1 || !errors.Is(live.Err(), store.ErrSchemaTooNew) {
		t.Errorf("refresh over a newer schema: %v, same snapshot %v, Err %v", err, s2 == s1, live.Err())
	}
}
