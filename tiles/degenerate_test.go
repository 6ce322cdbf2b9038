package tiles

import (
	"errors"
	"reflect"
	"testing"

	"github.com/indmap/indmap/topo"
)

// TestBuildDropping: a unit whose outline does not close (a broken ring:
// its boundary has no area) is left out, its neighbour's outline kept
// whole; the build without it succeeds.
func TestBuildDropping(t *testing.T) {
	ring := func(r []topo.P, left, right int32) (out []topo.Seg) {
		for i := range r {
			out = append(out, topo.Seg{A: r[i], B: r[(i+1)%len(r)], Left: left, Right: right})
		}
		return out
	}
	// Unit 0: a square; unit 1: an open chain beside it, not a ring.
	segs := ring([]topo.P{{X: 0, Y: 0}, {X: 100, Y: 0}, {X: 100, Y: 100}, {X: 0, Y: 100}}, 0, -1)
	segs = append(segs, topo.Seg{A: topo.P{X: 200, Y: 0}, B: topo.P{X: 300, Y: 0}, Left: 1, Right: -1},
		topo.Seg{A: topo.P{X: 300, Y: 0}, B: topo.P{X: 300, Y: 100}, Left: 1, Right: -1})
	if _, err := topo.Build(append([]topo.Seg(nil), segs...)); !errors.As(err, new(*topo.DegenerateError)) {
		t.Fatalf("the broken unit builds: %v", err)
	}
	g, dropped, err := buildDropping(segs, nil)
	if err != nil || !reflect.DeepEqual(dropped, []int32{1}) {
		t.Fatalf("dropped %v, %v", dropped, err)
	}
	for fi := range g.Faces {
		if pos := g.Faces[fi].Cover.Positive(); len(pos) == 1 {
			g.Faces[fi].Owner = pos[0]
		}
	}
	regions := g.Regions()
	if len(regions[0]) != 1 || topo.Area2(regions[0][0][0]) != 2*100*100 || len(regions[1]) != 0 {
		t.Errorf("regions %v", regions)
	}
}
