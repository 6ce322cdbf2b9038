package topo

import "testing"

func square(x, y, s int32, u int32) []Seg {
	p := []P{{x, y}, {x + s, y}, {x + s, y + s}, {x, y + s}}
	var out []Seg
	for i := range p {
		out = append(out, Seg{p[i], p[(i+1)%4], u, -1})
	}
	return out
}

func TestGeneralise(t *testing.T) {
	tests := []struct {
		name              string
		minArea2, island2 int64
		want              map[int32]int64 // owner → twice its area
	}{
		{"nothing small", 2, 2, map[int32]int64{0: 2 * 100, 1: 2 * 100, 2: 2 * 400}},
		{"a small one joins its neighbour, the lesser on a tie", 2 * 150, 2 * 150, map[int32]int64{1: 2 * 200, 2: 2 * 400}},
		{"a merged region still small merges on", 2 * 450, 2 * 450, map[int32]int64{2: 2 * 600}},
		{"an island goes out", 2 * 1000, 2 * 1000, map[int32]int64{}},
		{"an island over islandArea2 stays", 2 * 1000, 2 * 500, map[int32]int64{2: 2 * 600}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// 0: 10×10 at the origin, 1: 10×10 beside it, 2: 20×20 below
			// both; 0 shares 10 with 1 and 10 with 2, 1 shares 10 with 2.
			var segs []Seg
			segs = append(segs, square(0, 20, 10, 0)...)
			segs = append(segs, square(10, 20, 10, 1)...)
			segs = append(segs, square(0, 0, 20, 2)...)
			g, err := Build(segs)
			if err != nil {
				t.Fatal(err)
			}
			for fi := range g.Faces {
				if pos := g.Faces[fi].Cover.Positive(); len(pos) == 1 {
					g.Faces[fi].Owner = pos[0]
				}
			}
			g.Generalise(tc.minArea2, tc.island2)
			got := map[int32]int64{}
			for _, f := range g.Faces {
				if f.Owner >= 0 {
					got[f.Owner] += f.Area2
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("owners %v, want %v", got, tc.want)
			}
			for u, a := range tc.want {
				if got[u] != a {
					t.Errorf("owner %d: %d, want %d (all %v)", u, got[u], a, got)
				}
			}
		})
	}
}
