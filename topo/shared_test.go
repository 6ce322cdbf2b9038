package topo_test

import (
	"math"
	"testing"

	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/internal/shareddata"
	"github.com/indmap/indmap/topo"
	"github.com/paulmach/orb"
)

// TestPartitionSharedData partitions the shared boundary files: areas
// stay within 0.1 %, the adjacency graph is what it was (83 Chongqing
// pairs, 29 Shandong city pairs, 渝中区 with exactly 4 neighbours), and
// every pair of neighbours shares at least one arc of the topology.
func TestPartitionSharedData(t *testing.T) {
	for _, tc := range []struct {
		file  string
		pairs int
	}{
		{"chongqing-districts", 83},
		{"shandong-cities", 29},
		{"shandong-counties", 0},
	} {
		t.Run(tc.file, func(t *testing.T) {
			bs, err := geo.ReadDataVFile(shareddata.Boundary(t, tc.file), geo.ReadOptions{CRS: geo.GCJ02})
			if err != nil {
				t.Fatal(err)
			}
			in := make([]topo.Unit, len(bs))
			var before []geo.Shape
			for i, b := range bs {
				in[i] = topo.Unit{Code: b.Code, Geom: b.Geom}
				before = append(before, geo.Shape{ID: b.Code, Group: "x", Geom: b.Geom})
			}
			res, err := topo.Partition(in, topo.DefaultSliverM, topo.DefaultWeldM)
			if err != nil {
				t.Fatal(err)
			}
			var after []geo.Shape
			var mps []orb.MultiPolygon
			for i, r := range res {
				after = append(after, geo.Shape{ID: r.Code, Group: "x", Geom: r.Geom})
				mps = append(mps, r.Geom)
				if d := math.Abs(geo.AreaKm2(r.Geom)-bs[i].AreaKm2) / bs[i].AreaKm2; d > 0.001 {
					t.Errorf("%s %s: area %.3f → %.3f km²", r.Code, bs[i].Name, bs[i].AreaKm2, geo.AreaKm2(r.Geom))
				}
				for pi, p := range r.Geom {
					for _, c := range geo.Crossings(p) {
						t.Errorf("%s polygon %d: rings meet at %v", r.Code, pi, c.At)
						break
					}
				}
			}
			nb, na := geo.Neighbours(before, geo.DefaultAdjacency), geo.Neighbours(after, geo.DefaultAdjacency)
			if len(na) != len(nb) || (tc.pairs > 0 && len(na) != tc.pairs) {
				t.Errorf("%d neighbour pairs after, %d before, want %d", len(na), len(nb), tc.pairs)
			}
			for i := range na {
				if i < len(nb) && (na[i].A != nb[i].A || na[i].B != nb[i].B) {
					t.Errorf("pair %d: %s–%s after, %s–%s before", i, na[i].A, na[i].B, nb[i].A, nb[i].B)
					break
				}
			}
			tp := geo.BuildTopology(mps)
			shared := map[[2]int]int{}
			for _, a := range tp.Arcs {
				if a.Right >= 0 {
					shared[[2]int{min(a.Left, a.Right), max(a.Left, a.Right)}]++
				}
			}
			idx := map[string]int{}
			for i, r := range res {
				idx[r.Code] = i
			}
			for _, n := range na {
				if k := shared[[2]int{min(idx[n.A], idx[n.B]), max(idx[n.A], idx[n.B])}]; k == 0 {
					t.Errorf("%s and %s share no arc", n.A, n.B)
				}
			}
			t.Logf("%d units, %d neighbour pairs, %d arcs, %d pairs share an arc", len(res), len(na), len(tp.Arcs), len(shared))
		})
	}
}
