package geo

import (
	"slices"

	"github.com/paulmach/orb"
)

// Index is a static R-tree over bounding boxes, packed with the
// Sort-Tile-Recursive method: built once per data version, then read by
// any number of goroutines without locks.
type Index struct {
	levels [][]indexNode // levels[0] are leaves; the last level is the root
}

type indexNode struct {
	b     orb.Bound
	first int // leaves: item id; inner: first child in the level below
	n     int // inner: number of children
}

const indexFanout = 16

// NewIndex indexes bounds; Search reports an item by its position here.
func NewIndex(bounds []orb.Bound) *Index {
	leaves := make([]indexNode, len(bounds))
	for i, b := range bounds {
		leaves[i] = indexNode{b: b, first: i}
	}
	strSort(leaves)
	ix := &Index{levels: [][]indexNode{leaves}}
	for cur := leaves; len(cur) > 1; {
		var up []indexNode
		for i := 0; i < len(cur); i += indexFanout {
			j := min(i+indexFanout, len(cur))
			b := cur[i].b
			for _, c := range cur[i+1 : j] {
				b = b.Union(c.b)
			}
			up = append(up, indexNode{b: b, first: i, n: j - i})
		}
		ix.levels = append(ix.levels, up)
		cur = up
	}
	return ix
}

// strSort orders nodes into vertical slices by x, then by y within each.
func strSort(nodes []indexNode) {
	cx := func(a, b indexNode) int { return cmpF(a.b.Min[0]+a.b.Max[0], b.b.Min[0]+b.b.Max[0]) }
	cy := func(a, b indexNode) int { return cmpF(a.b.Min[1]+a.b.Max[1], b.b.Min[1]+b.b.Max[1]) }
	slices.SortFunc(nodes, cx)
	pages := (len(nodes) + indexFanout - 1) / indexFanout
	columns := 1
	for columns*columns < pages {
		columns++
	}
	per := columns * indexFanout
	for i := 0; i < len(nodes); i += per {
		slices.SortFunc(nodes[i:min(i+per, len(nodes))], cy)
	}
}

// Search calls fn with every item whose bounds intersect b, until fn
// returns false.
func (ix *Index) Search(b orb.Bound, fn func(item int) bool) {
	if len(ix.levels) == 0 || len(ix.levels[0]) == 0 {
		return
	}
	top := len(ix.levels) - 1
	ix.search(top, 0, len(ix.levels[top]), b, fn)
}

func (ix *Index) search(level, first, n int, b orb.Bound, fn func(int) bool) bool {
	for _, node := range ix.levels[level][first : first+n] {
		if !node.b.Intersects(b) {
			continue
		}
		if level == 0 {
			if !fn(node.first) {
				return false
			}
		} else if !ix.search(level-1, node.first, node.n, b, fn) {
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
