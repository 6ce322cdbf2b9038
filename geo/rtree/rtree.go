// Package rtree is a static R-tree over bounding boxes, packed with the
// Sort-Tile-Recursive method: built once (per data version, per zoom,
// per subdivision), then read by any number of goroutines without locks.
package rtree

import (
	"slices"

	"github.com/paulmach/orb"
)

// Tree is a packed R-tree over the bounds it was built from.
type Tree struct {
	levels [][]node // levels[0] are leaves; the last level is the root
}

type node struct {
	b     orb.Bound
	first int // leaves: item id; inner: first child in the level below
	n     int // inner: number of children
}

const fanout = 16

// New indexes bounds; Search reports an item by its position here.
func New(bounds []orb.Bound) *Tree {
	leaves := make([]node, len(bounds))
	for i, b := range bounds {
		leaves[i] = node{b: b, first: i}
	}
	strSort(leaves)
	t := &Tree{levels: [][]node{leaves}}
	for cur := leaves; len(cur) > 1; {
		var up []node
		for i := 0; i < len(cur); i += fanout {
			j := min(i+fanout, len(cur))
			b := cur[i].b
			for _, c := range cur[i+1 : j] {
				b = b.Union(c.b)
			}
			up = append(up, node{b: b, first: i, n: j - i})
		}
		t.levels = append(t.levels, up)
		cur = up
	}
	return t
}

// strSort orders nodes into vertical slices by x, then by y within each.
func strSort(nodes []node) {
	cx := func(a, b node) int { return cmpF(a.b.Min[0]+a.b.Max[0], b.b.Min[0]+b.b.Max[0]) }
	cy := func(a, b node) int { return cmpF(a.b.Min[1]+a.b.Max[1], b.b.Min[1]+b.b.Max[1]) }
	slices.SortFunc(nodes, cx)
	pages := (len(nodes) + fanout - 1) / fanout
	columns := 1
	for columns*columns < pages {
		columns++
	}
	per := columns * fanout
	for i := 0; i < len(nodes); i += per {
		slices.SortFunc(nodes[i:min(i+per, len(nodes))], cy)
	}
}

// Search calls fn with every item whose bounds intersect b, until fn
// returns false.
func (t *Tree) Search(b orb.Bound, fn func(item int) bool) {
	if len(t.levels) == 0 || len(t.levels[0]) == 0 {
		return
	}
	top := len(t.levels) - 1
	t.search(top, 0, len(t.levels[top]), b, fn)
}

func (t *Tree) search(level, first, n int, b orb.Bound, fn func(int) bool) bool {
	for _, nd := range t.levels[level][first : first+n] {
		if !nd.b.Intersects(b) {
			continue
		}
		if level == 0 {
			if !fn(nd.first) {
				return false
			}
		} else if !t.search(level-1, nd.first, nd.n, b, fn) {
			return false
		}
	}
	return true
}

// cmpF compares coordinates (never NaN here) without cmp.Compare's NaN
// handling.
func cmpF(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
