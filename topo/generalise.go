package topo

import "container/heap"

// Resolve gives every face one owner where the coverage is not plain (a
// snap-rounded or simplified copy of a partition can cover a sliver
// twice or not at all): by the rules of Partition, with grid lengths, an
// uncovered bounded face being a sliver when sliver says so.
func (g *Graph) Resolve(sliver func(fi int32) bool) {
	g.decide(sliver, func(e int32) float64 { return g.Length(e, 1) })
}

// Generalise removes what is smaller than minArea2 (twice the area, grid
// units²): every connected region of one owner (the uncovered ones too,
// except the unbounded face) below it goes to the unit it shares the
// longest border with (ties to the lesser unit), or to the outside when
// no unit touches it; smallest regions first. A tiny island so joins the
// outside, a tiny hole or exclave the unit around it, and a unit smaller
// than minArea2 its main neighbour, so the faces stay a partition
// without gaps. An island goes out only under islandArea2: a caller that
// raises minArea2 to merge units (fewer features per tile) does not so
// sink land that no neighbour could take.
func (g *Graph) Generalise(minArea2, islandArea2 int64) {
	n := len(g.Faces)
	parent := make([]int32, n)
	members := make([][]int32, n)
	area := make([]int64, n)
	for i := range parent {
		parent[i] = int32(i)
		members[i] = []int32{int32(i)}
		area[i] = g.Faces[i].Area2
	}
	area[g.Unbounded] = 1 << 62
	find := func(i int32) int32 {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int32) {
		a, b = find(a), find(b)
		if a == b {
			return
		}
		if len(members[a]) < len(members[b]) {
			a, b = b, a
		}
		parent[b] = a
		members[a] = append(members[a], members[b]...)
		members[b] = nil
		area[a] += area[b]
		if area[a] > 1<<62 {
			area[a] = 1 << 62
		}
	}
	for e := 0; e < len(g.he); e += 2 {
		a, b := g.he[e].face, g.he[e+1].face
		if g.Faces[a].Owner == g.Faces[b].Owner {
			union(a, b)
		}
	}
	// Smallest region first; a region that grew by a merge and is still
	// small comes back with its new area.
	h := &regionHeap{}
	for i := range parent {
		if r := find(int32(i)); r == int32(i) && area[r] < minArea2 {
			heap.Push(h, regionItem{area[r], r})
		}
	}
	for h.Len() > 0 {
		it := heap.Pop(h).(regionItem)
		r := it.r
		if find(r) != r || area[r] != it.area {
			continue
		}
		own := g.Faces[r].Owner
		shared := map[int32]float64{}
		adj := map[int32][]int32{}
		for _, f := range members[r] {
			for _, start := range g.Faces[f].Cycles {
				for e := start; ; {
					t := g.he[e^1].face
					if o := g.Faces[t].Owner; o != own {
						shared[o] += g.Length(e, 1)
						adj[o] = append(adj[o], t)
					}
					if e = g.he[e].next; e == start {
						break
					}
				}
			}
		}
		// A unit around wins over the outside: only an island goes out.
		best, bestLen := int32(-1), -1.0
		for o, l := range shared {
			if better := (o >= 0) != (best >= 0); (better && o >= 0) || (!better && (l > bestLen || (l == bestLen && o < best))) {
				best, bestLen = o, l
			}
		}
		if bestLen < 0 || best < 0 && area[r] >= islandArea2 {
			continue
		}
		for _, f := range members[r] {
			g.Faces[f].Owner = best
		}
		for _, t := range adj[best] {
			union(r, t)
		}
		if nr := find(r); area[nr] < minArea2 {
			heap.Push(h, regionItem{area[nr], nr})
		}
	}
}

type regionItem struct {
	area int64
	r    int32
}

// regionHeap orders regions by area, then by face number.
type regionHeap []regionItem

func (h regionHeap) Len() int { return len(h) }
func (h regionHeap) Less(i, j int) bool {
	return h[i].area < h[j].area || (h[i].area == h[j].area && h[i].r < h[j].r)
}
func (h regionHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *regionHeap) Push(x any)   { *h = append(*h, x.(regionItem)) }
func (h *regionHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
