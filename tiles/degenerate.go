package tiles

import (
	"errors"
	"slices"
	"sync"

	"github.com/indmap/indmap/topo"
)

// maxDrops bounds how many times a build drops units and tries again.
const maxDrops = 8

// buildDropping builds a graph from segments; where the topology finds
// a degenerate boundary (topo.DegenerateError), the units with a
// segment within a few grid units of it are dropped (their sides become
// the outside, so their neighbours' outlines stay closed) and it tries
// again. A tile or a zoom thus loses a broken unit, never fails for it;
// dropped lists the units left out. settled is as for topo.BuildNoded.
func buildDropping(segs []topo.Seg, settled []bool) (g *topo.Graph, dropped []int32, err error) {
	for range maxDrops {
		// BuildNoded reuses its input: keep the segments for a retry,
		// building on a copy in a scratch buffer (the graph keeps none of
		// it).
		sc := scratchPool.Get().(*scratch)
		try := append(sc.segs[:0], segs...)
		var st []bool
		if settled != nil {
			st = append(sc.settled[:0], settled...)
		}
		g, err = topo.BuildNoded(try, st)
		sc.segs, sc.settled = try[:0], st[:0]
		scratchPool.Put(sc)
		var de *topo.DegenerateError
		if err == nil || !errors.As(err, &de) {
			return g, dropped, err
		}
		near := unitsNear(segs, de.At, 2)
		if len(near) == 0 {
			return nil, dropped, err
		}
		dropped = append(dropped, near...)
		segs, settled = without(segs, settled, near)
	}
	return nil, dropped, err
}

// scratch is a build's copy of its segments.
type scratch struct {
	segs    []topo.Seg
	settled []bool
}

// scratchPool holds scratch buffers between builds: a tile's build
// otherwise allocates its segments twice.
var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// unitsNear lists the units on either side of a segment whose bounds
// come within d of p.
func unitsNear(segs []topo.Seg, p topo.P, d int32) []int32 {
	var out []int32
	for _, s := range segs {
		if min(s.A.X, s.B.X)-d > p.X || max(s.A.X, s.B.X)+d < p.X || min(s.A.Y, s.B.Y)-d > p.Y || max(s.A.Y, s.B.Y)+d < p.Y {
			continue
		}
		for _, u := range []int32{s.Left, s.Right} {
			if u >= 0 && !slices.Contains(out, u) {
				out = append(out, u)
			}
		}
	}
	slices.Sort(out)
	return out
}

// without relabels the dropped units' sides as the outside and leaves
// out segments with no unit left on either side. Settled segments stay
// settled: relabelling moves no point.
func without(segs []topo.Seg, settled []bool, drop []int32) ([]topo.Seg, []bool) {
	var out []topo.Seg
	var st []bool
	for i, s := range segs {
		if slices.Contains(drop, s.Left) {
			s.Left = -1
		}
		if slices.Contains(drop, s.Right) {
			s.Right = -1
		}
		if s.Left < 0 && s.Right < 0 {
			continue
		}
		out = append(out, s)
		if settled != nil {
			st = append(st, settled[i])
		}
	}
	return out, st
}
