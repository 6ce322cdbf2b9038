package geo

import (
	"math"
	"reflect"
	"testing"

	"github.com/indmap/indmap/internal/shareddata"
	"github.com/paulmach/orb"
)

// mapEdgeOwners is edgeOwners done the plain way, a map keyed by the
// edge's ends in ring order: what the bucketed version must equal.
func mapEdgeOwners(shapes []orb.MultiPolygon) ([]owners, []int32) {
	type key [2]orb.Point
	index := map[key]int32{}
	var own []owners
	var at []int32
	for si, mp := range shapes {
		for _, poly := range mp {
			for _, r := range poly {
				for i := 0; i+1 < len(r); i++ {
					p, q := r[i], r[i+1]
					if q[0] < p[0] || (q[0] == p[0] && q[1] < p[1]) {
						p, q = q, p
					}
					e, ok := index[key{p, q}]
					if !ok {
						e = int32(len(own))
						index[key{p, q}] = e
						own = append(own, owners{a: int32(si), b: -1})
						at = append(at, e)
						continue
					}
					at = append(at, e)
					switch o := &own[e]; {
					case o.a == int32(si) || o.b == int32(si) || (len(o.more) > 0 && o.more[len(o.more)-1] == si):
					case o.b < 0:
						o.b = int32(si)
					default:
						o.more = append(o.more, si)
					}
				}
			}
		}
	}
	return own, at
}

func TestEdgeOwners(t *testing.T) {
	sq := func(x0, y0, x1, y1 float64) orb.Polygon {
		return orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}
	}
	negZero := math.Copysign(0, -1)
	cases := map[string][]orb.MultiPolygon{
		"empty":      nil,
		"one square": {{sq(0, 0, 1, 1)}},
		"neighbours": {{sq(0, 0, 1, 1)}, {sq(1, 0, 2, 1)}},
		// One edge shared by three shapes, one of them twice.
		"three owners": {{sq(0, 0, 1, 1)}, {sq(1, 0, 2, 1)}, {sq(0, 0, 1, 2), sq(0, 0, 1, 1)}},
		"negative zero": {{orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}},
			{orb.Polygon{{{negZero, 0}, {1, 1}, {0, 1}, {negZero, 0}}}}},
	}
	for _, name := range []string{"chongqing-districts", "shandong-counties"} {
		bs, err := ReadDataVFile(shareddata.Boundary(t, name), ReadOptions{CRS: GCJ02})
		if err != nil {
			t.Fatal(err)
		}
		var shapes []orb.MultiPolygon
		for _, b := range bs {
			shapes = append(shapes, b.Geom)
		}
		cases[name] = shapes
	}
	for name, shapes := range cases {
		own, at := edgeOwners(shapes)
		wantOwn, wantAt := mapEdgeOwners(shapes)
		if len(own) != len(wantOwn) || len(at) != len(wantAt) {
			t.Fatalf("%s: %d distinct edges in %d, want %d in %d", name, len(own), len(at), len(wantOwn), len(wantAt))
		}
		// The same owners for every edge, and the same edges shared
		// (entries may be numbered differently).
		entry := map[int32]int32{}
		for k := range at {
			if !reflect.DeepEqual(own[at[k]], wantOwn[wantAt[k]]) {
				t.Fatalf("%s: edge %d: owners %+v, want %+v", name, k, own[at[k]], wantOwn[wantAt[k]])
			}
			if e, ok := entry[wantAt[k]]; ok && e != at[k] {
				t.Fatalf("%s: edge %d: entry %d, where its first occurrence has %d", name, k, at[k], e)
			}
			entry[wantAt[k]] = at[k]
		}
		shared := 0
		for _, o := range own {
			if o.b >= 0 {
				shared++
			}
		}
		t.Logf("%s: %d edges, %d distinct, %d shared", name, len(at), len(own), shared)
	}
}
