package topo

import (
	"cmp"
	"math/rand"
	"slices"
	"testing"
)

// TestSortFunc: the parallel sort orders as slices.SortFunc does, with
// few distinct values, many, sorted and reversed inputs.
func TestSortFunc(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for _, tc := range []struct {
		name string
		make func(i int) int
	}{
		{"random", func(int) int { return r.Intn(1 << 30) }},
		{"three values", func(int) int { return r.Intn(3) }},
		{"all equal", func(int) int { return 7 }},
		{"sorted", func(i int) int { return i }},
		{"reversed", func(i int) int { return -i }},
	} {
		for _, workers := range []int{1, 2, 3, 8} {
			s := make([]int, 200_000)
			for i := range s {
				s[i] = tc.make(i)
			}
			want := slices.Clone(s)
			slices.Sort(want)
			sortFunc(s, workers, cmp.Compare[int])
			if !slices.Equal(s, want) {
				t.Errorf("%s, %d workers: not sorted", tc.name, workers)
			}
		}
	}
}
