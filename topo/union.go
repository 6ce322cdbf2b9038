package topo

import (
	"fmt"

	"github.com/paulmach/orb"
)

// Union returns the area covered by any of the lon/lat multipolygons,
// dissolved into valid polygons: all rings are noded together with snap
// rounding on the import grid (GridPerDegree), every face covered by at
// least one input is kept, and the kept faces' boundary is walked into
// polygons with holes, exteriors counter-clockwise and holes clockwise
// as RFC 7946 asks. An input's hole stays a hole unless another input
// covers it; inputs that only touch at a point stay separate polygons.
// Each input's rings are read by their role (the first of a polygon is
// its exterior), whatever their winding.
func Union(mps ...orb.MultiPolygon) (orb.MultiPolygon, error) {
	var segs []Seg
	for i, mp := range mps {
		for _, p := range mp {
			segs = polygonSegs(segs, p, int32(i))
		}
	}
	g, err := Build(segs)
	if err != nil {
		return nil, fmt.Errorf("union: %w", err)
	}
	for fi := range g.Faces {
		if len(g.Faces[fi].Cover.Positive()) > 0 {
			g.Faces[fi].Owner = 0
		}
	}
	return lonLat(g.Regions()[0]), nil
}

// Merged is a group of polygons that Merge dissolved: their positions in
// its input, ascending, and their union.
type Merged struct {
	Members []int
	Geom    orb.MultiPolygon
}

// Merge finds the lon/lat polygons that overlap or share a stretch of
// border, directly or through others, and dissolves each such group as
// Union does. Polygons that only touch at points, or lie in another's
// hole, are no group. Groups come by their least member; polygons in no
// group are left to the caller as they are.
func Merge(polys []orb.Polygon) ([]Merged, error) {
	var segs []Seg
	for i, p := range polys {
		segs = polygonSegs(segs, p, int32(i))
	}
	g, err := Build(segs)
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	parent := make([]int32, len(polys))
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(i int32) int32 {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	join := func(us []int32) {
		for _, u := range us[1:] {
			if a, b := find(us[0]), find(u); a != b {
				parent[max(a, b)] = min(a, b)
			}
		}
	}
	pos := make([][]int32, len(g.Faces))
	for fi := range g.Faces {
		// Polygons covering one face overlap.
		pos[fi] = g.Faces[fi].Cover.Positive()
		if len(pos[fi]) > 1 {
			join(pos[fi])
		}
	}
	for e := 0; e < len(g.he); e += 2 {
		// Polygons on the two sides of an edge share that border.
		l, r := pos[g.he[e].face], pos[g.he[e+1].face]
		if len(l) > 0 && len(r) > 0 {
			join(append(append([]int32{}, l...), r...))
		}
	}
	members := make([][]int, len(polys))
	for i := range polys {
		// A group's root is its least member.
		r := find(int32(i))
		members[r] = append(members[r], i)
	}
	for fi := range g.Faces {
		if len(pos[fi]) > 0 {
			if r := find(pos[fi][0]); len(members[r]) > 1 {
				g.Faces[fi].Owner = r
			}
		}
	}
	regions := g.Regions()
	var out []Merged
	for r, m := range members {
		if len(m) > 1 {
			out = append(out, Merged{Members: m, Geom: lonLat(regions[int32(r)])})
		}
	}
	return out, nil
}

// polygonSegs appends the segments of a lon/lat polygon's rings on the
// import grid, labelled with unit u on the left: exteriors
// counter-clockwise, holes clockwise.
func polygonSegs(segs []Seg, poly orb.Polygon, u int32) []Seg {
	for _, pts := range appendGridRings(nil, poly) {
		for k := range pts {
			segs = append(segs, Seg{pts[k], pts[(k+1)%len(pts)], u, -1})
		}
	}
	return segs
}

// appendGridRings appends a polygon's rings on the import grid, those of
// at least three points, exterior counter-clockwise and holes clockwise
// (the polygon lies left of every edge).
func appendGridRings(rings [][]P, poly orb.Polygon) [][]P {
	for ri, r := range poly {
		pts := gridRing(r)
		if len(pts) < 3 {
			continue
		}
		if (Area2(pts) > 0) != (ri == 0) {
			reverse(pts)
		}
		rings = append(rings, pts)
	}
	return rings
}

// lonLat turns polygons on the import grid into a lon/lat multipolygon
// with closed rings.
func lonLat(ps []Polygon) orb.MultiPolygon {
	var out orb.MultiPolygon
	for _, p := range ps {
		poly := make(orb.Polygon, len(p))
		for k, r := range p {
			ring := make(orb.Ring, 0, len(r)+1)
			for _, q := range r {
				ring = append(ring, orb.Point{float64(q.X) / GridPerDegree, float64(q.Y) / GridPerDegree})
			}
			poly[k] = append(ring, ring[0])
		}
		out = append(out, poly)
	}
	return out
}
