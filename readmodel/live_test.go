package readmodel_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/indmap/indmap/internal/testdb"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/readmodel"
	"github.com/indmap/indmap/store"
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
