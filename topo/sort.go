package topo

import (
	"slices"
	"sync"
)

// sortFunc sorts s by cmp as slices.SortFunc does, on up to workers
// goroutines: one pass puts the elements below a pivot (the median of
// three) first, then both sides are sorted at once. An import sorts
// millions of edges a few times on one core otherwise. Equal elements
// may end in any order, as with slices.SortFunc.
func sortFunc[T any](s []T, workers int, cmp func(a, b T) int) {
	if workers < 2 || len(s) < 1<<16 {
		slices.SortFunc(s, cmp)
		return
	}
	a, b, c := s[0], s[len(s)/2], s[len(s)-1]
	if cmp(a, b) > 0 {
		a, b = b, a
	}
	if cmp(b, c) > 0 {
		b = c
		if cmp(a, b) > 0 {
			b = a
		}
	}
	pivot, below := b, 0
	for j := range s {
		if cmp(s[j], pivot) < 0 {
			s[below], s[j] = s[j], s[below]
			below++
		}
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sortFunc(s[:below], workers/2, cmp)
	}()
	sortFunc(s[below:], workers-workers/2, cmp)
	wg.Wait()
}
