package tiles

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/readmodel"
	"github.com/paulmach/orb/maptile"
)

type oneSnapshot struct{ s *readmodel.Snapshot }

func (o oneSnapshot) Snapshot(context.Context) (*readmodel.Snapshot, error) { return o.s, nil }

// TestRenderSlotsBound: with every render slot taken, a request waits
// the configured time and then gets ErrBusy instead of queueing.
func TestRenderSlotsBound(t *testing.T) {
	snap := readmodel.NewSnapshot(1, nil, []plan.Plan{{ID: "p", Kind: plan.DistrictPicks}}, nil)
	s := NewServerLimits(oneSnapshot{snap}, 1<<20, 1, 50*time.Millisecond, nil)
	s.renders <- struct{}{} // the only slot is taken
	start := time.Now()
	_, err := s.Tile(context.Background(), Request{Plan: "p", Tile: maptile.New(0, 0, 0)})
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("err = %v, want ErrBusy", err)
	}
	if waited := time.Since(start); waited < 50*time.Millisecond {
		t.Errorf("refused after %v, before the wait", waited)
	}
	<-s.renders
	if _, err := s.Tile(context.Background(), Request{Plan: "p", Tile: maptile.New(0, 0, 0)}); err != nil {
		t.Errorf("with a free slot: %v", err)
	}
}
