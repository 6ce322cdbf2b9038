package main

import (
	"context"
	"database/sql"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/indmap/indmap/internal/shareddata"
	"github.com/indmap/indmap/readmodel"
	"github.com/indmap/indmap/store"
)

// TestKillDuringWrites kills imports and plan writes with SIGKILL at
// random moments: the database must always open, pass integrity_check,
// and hold either the old or the new data, never a mix.
func TestKillDuringWrites(t *testing.T) {
	bin := binary(t)
	db := initDB(t)
	dir := t.TempDir()
	newPlan := filepath.Join(dir, "new.csv")
	os.WriteFile(newPlan, []byte("unit_code,unit_name,role,industry,detail,source\n"+
		"500120,璧山区,main,CQ-ICV,,k\n500118,永川区,main,CQ-ADM,,k\n500117,合川区,special,CQ-TCM,,k\n"), 0o644)
	r := rand.New(rand.NewSource(time.Now().UnixNano()))
	ctx := context.Background()
	boundaries := shareddata.Boundary(t, "shandong-counties")
	killed, runs := 0, 8
	if testing.Short() {
		runs = 4 // two kills of each kind
	}
	for run := 0; run < runs; run++ {
		var cmd *exec.Cmd
		if run%2 == 0 {
			cmd = exec.Command(bin, "import", "boundaries", boundaries, "--db", db)
		} else {
			cmd = exec.Command(bin, "import", "plan", newPlan, "--plan", "chongqing-2023", "--db", db)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		delay := time.Duration(r.Intn(900)) * time.Millisecond
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(delay):
			cmd.Process.Signal(syscall.SIGKILL)
			<-done
			killed++
		}
		check(t, ctx, db, run)
	}
	t.Logf("%d of %d runs killed mid-way", killed, runs)
}

func check(t *testing.T, ctx context.Context, db string, run int) {
	t.Helper()
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	var ok string
	if err := raw.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("run %d: integrity_check %q, %v", run, ok, err)
	}
	var units, rtree int
	raw.QueryRow(`SELECT count(*) FROM units`).Scan(&units)
	raw.QueryRow(`SELECT count(*) FROM rtree_units_geom`).Scan(&rtree)
	raw.Close()
	// Re-importing the counties replaces 137 units at once: the count
	// stays (Chongqing, zones, Shandong, Henan, the derived 两江新区).
	if units != 370 || rtree != units {
		t.Fatalf("run %d: %d units, %d in the R-tree", run, units, rtree)
	}
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatalf("run %d: open: %v", run, err)
	}
	defer st.Close()
	snap, err := readmodel.Load(ctx, st)
	if err != nil {
		t.Fatalf("run %d: load: %v", run, err)
	}
	p, _ := snap.Plan("chongqing-2023")
	switch n := len(p.Assignments); {
	case n == 36: // the default plan
	case n == 3 && p.Assignments[0].Source == "k": // the new one, whole
	default:
		t.Fatalf("run %d: %d assignments: a mix of old and new", run, n)
	}
}
