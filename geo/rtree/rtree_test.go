package rtree

import (
	"math/rand"
	"sort"
	"testing"

	"github.com/paulmach/orb"
)

func TestMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for _, n := range []int{0, 1, 15, 16, 17, 300, 3000} {
		bounds := make([]orb.Bound, n)
		for i := range bounds {
			x, y := r.Float64()*100, r.Float64()*100
			bounds[i] = orb.Bound{Min: orb.Point{x, y}, Max: orb.Point{x + r.Float64()*3, y + r.Float64()*3}}
		}
		ix := New(bounds)
		for q := 0; q < 50; q++ {
			x, y := r.Float64()*100, r.Float64()*100
			qb := orb.Bound{Min: orb.Point{x, y}, Max: orb.Point{x + 5, y + 5}}
			var got, want []int
			ix.Search(qb, func(i int) bool { got = append(got, i); return true })
			for i, b := range bounds {
				if b.Intersects(qb) {
					want = append(want, i)
				}
			}
			sort.Ints(got)
			if len(got) != len(want) {
				t.Fatalf("n=%d: got %d items, want %d", n, len(got), len(want))
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("n=%d: got %v, want %v", n, got, want)
				}
			}
		}
	}
}
