package geo

import (
	"math"
	"sort"

	"github.com/indmap/indmap/geo/rtree"
	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

// A Shape is a polygon to test for adjacency. Only shapes of the same
// Group (an administrative level) are compared: a county is inside its
// city, not its neighbour.
type Shape struct {
	ID    string
	Group string
	// Also is a second group the shape is compared in, if any: a
	// county-level city is a county on the map and still a city among
	// the cities around it.
	Also string
	Geom orb.MultiPolygon
}

// compared says whether two shapes lie on one level.
func compared(a, b Shape) bool {
	return a.Group == b.Group || a.Also != "" && a.Also == b.Group || b.Also != "" && b.Also == a.Group
}

// A Neighbour pair shares a border; A < B.
type Neighbour struct {
	A, B string
	// SharedKm is the length of border along which the two lie within the
	// tolerance of each other (the shorter of the two sides' measures).
	SharedKm float64
}

// AdjacencyOptions tune what counts as a shared border.
type AdjacencyOptions struct {
	// ToleranceM is how far apart two borders may be and still be one
	// border: the shared data's neighbours were simplified separately.
	ToleranceM float64
	// MinSharedM is the border length below which a contact is a corner,
	// not a shared border.
	MinSharedM float64
}

// DefaultAdjacency is tuned on the DataV exports: borders of neighbours
// lie within metres of each other. Two borders that only meet at a corner
// stay within the tolerance for at most about twice its length, so a
// shared border must be longer than that. The shortest real shared border
// in the shared data is 588 m (台儿庄区–微山县).
var DefaultAdjacency = AdjacencyOptions{ToleranceM: 100, MinSharedM: 250}

const metresPerDegree = 111320.0

// Neighbours returns the pairs of shapes that share a border, sorted. An
// R-tree over the shapes' bounds keeps it from comparing all pairs.
func Neighbours(shapes []Shape, opt AdjacencyOptions) []Neighbour {
	return NeighboursKnown(shapes, opt, nil)
}

// NeighboursKnown is Neighbours where known(a, b) gives the length in
// metres of the border two shapes are known to share exactly (a
// partition's): a pair sharing at least MinSharedM is a neighbour
// without measuring, with that length; the others are measured.
func NeighboursKnown(shapes []Shape, opt AdjacencyOptions, known func(a, b string) float64) []Neighbour {
	tolDeg := opt.ToleranceM / metresPerDegree
	bounds := make([]orb.Bound, len(shapes))
	for i, s := range shapes {
		bounds[i] = s.Geom.Bound()
	}
	ix := rtree.New(bounds)
	found := make([][]Neighbour, len(shapes))
	eachIndex(len(shapes), func(i int) {
		s := shapes[i]
		q := grow(bounds[i], tolDeg)
		ix.Search(q, func(j int) bool {
			if j <= i || !compared(s, shapes[j]) {
				return true
			}
			if known != nil {
				if l := known(s.ID, shapes[j].ID); l >= opt.MinSharedM {
					a, b := s.ID, shapes[j].ID
					if a > b {
						a, b = b, a
					}
					found[i] = append(found[i], Neighbour{A: a, B: b, SharedKm: l / 1000})
					return true
				}
			}
			region := grow(intersection(q, grow(bounds[j], tolDeg)), tolDeg)
			ab := sharedLength(s.Geom, shapes[j].Geom, region, opt.ToleranceM)
			if ab < opt.MinSharedM {
				return true
			}
			ba := sharedLength(shapes[j].Geom, s.Geom, region, opt.ToleranceM)
			if shared := math.Min(ab, ba); shared >= opt.MinSharedM {
				a, b := s.ID, shapes[j].ID
				if a > b {
					a, b = b, a
				}
				found[i] = append(found[i], Neighbour{A: a, B: b, SharedKm: shared / 1000})
			}
			return true
		})
	})
	var out []Neighbour
	for _, f := range found {
		out = append(out, f...)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].A != out[j].A {
			return out[i].A < out[j].A
		}
		return out[i].B < out[j].B
	})
	return out
}

func grow(b orb.Bound, d float64) orb.Bound {
	k := math.Cos(math.Max(math.Abs(b.Min[1]), math.Abs(b.Max[1])) * math.Pi / 180)
	dx := d / math.Max(k, 0.01)
	return orb.Bound{Min: orb.Point{b.Min[0] - dx, b.Min[1] - d}, Max: orb.Point{b.Max[0] + dx, b.Max[1] + d}}
}

func intersection(a, b orb.Bound) orb.Bound {
	return orb.Bound{
		Min: orb.Point{math.Max(a.Min[0], b.Min[0]), math.Max(a.Min[1], b.Min[1])},
		Max: orb.Point{math.Min(a.Max[0], b.Max[0]), math.Min(a.Max[1], b.Max[1])},
	}
}

// segmentGrid buckets segments by cell for distance queries near a point.
type segmentGrid struct {
	cell  float64
	k     float64 // cos(latitude): x scale to make cells square in metres
	cells map[[2]int][][2]orb.Point
}

func newSegmentGrid(cellDeg, lat float64) *segmentGrid {
	return &segmentGrid{cell: cellDeg, k: math.Cos(lat * math.Pi / 180), cells: map[[2]int][][2]orb.Point{}}
}

func (g *segmentGrid) key(p orb.Point) [2]int {
	return [2]int{int(math.Floor(p[0] * g.k / g.cell)), int(math.Floor(p[1] / g.cell))}
}

func (g *segmentGrid) add(a, b orb.Point) {
	ka, kb := g.key(a), g.key(b)
	for x := min(ka[0], kb[0]); x <= max(ka[0], kb[0]); x++ {
		for y := min(ka[1], kb[1]); y <= max(ka[1], kb[1]); y++ {
			g.cells[[2]int{x, y}] = append(g.cells[[2]int{x, y}], [2]orb.Point{a, b})
		}
	}
}

// near reports whether some segment lies within tolDeg (in scaled
// degrees) of p; the cell must be at least tolDeg wide.
func (g *segmentGrid) near(p orb.Point, tolDeg float64) bool {
	k := g.key(p)
	lp := orb.Point{p[0] * g.k, p[1]}
	tol2 := tolDeg * tolDeg
	for x := k[0] - 1; x <= k[0]+1; x++ {
		for y := k[1] - 1; y <= k[1]+1; y++ {
			for _, s := range g.cells[[2]int{x, y}] {
				a := orb.Point{s[0][0] * g.k, s[0][1]}
				b := orb.Point{s[1][0] * g.k, s[1][1]}
				if segDistSq(lp, a, b) <= tol2 {
					return true
				}
			}
		}
	}
	return false
}

// sharedLength is the length in metres of a's border, within region,
// that lies within tolM of b's border.
func sharedLength(a, b orb.MultiPolygon, region orb.Bound, tolM float64) float64 {
	tolDeg := tolM / metresPerDegree
	grid := newSegmentGrid(math.Max(tolDeg*2, 0.002), region.Center()[1])
	for _, poly := range b {
		for _, r := range poly {
			for i := 0; i+1 < len(r); i++ {
				if segBound(r[i], r[i+1]).Intersects(region) {
					grid.add(r[i], r[i+1])
				}
			}
		}
	}
	if len(grid.cells) == 0 {
		return 0
	}
	// Long segments are walked in steps of the tolerance, so that a border
	// shared along part of one long edge still counts.
	total := 0.0
	for _, poly := range a {
		for _, r := range poly {
			for i := 0; i+1 < len(r); i++ {
				p, q := r[i], r[i+1]
				if !region.Contains(p) && !region.Contains(q) {
					continue
				}
				l := orbgeo.Distance(p, q)
				steps := max(1, int(math.Ceil(l/tolM)))
				prevNear := grid.near(p, tolDeg)
				for k := 1; k <= steps; k++ {
					t := float64(k) / float64(steps)
					s := orb.Point{p[0] + t*(q[0]-p[0]), p[1] + t*(q[1]-p[1])}
					n := grid.near(s, tolDeg)
					if n && prevNear {
						total += l / float64(steps)
					}
					prevNear = n
				}
			}
		}
	}
	return total
}

func segBound(a, b orb.Point) orb.Bound {
	return orb.Bound{Min: orb.Point{min(a[0], b[0]), min(a[1], b[1])}, Max: orb.Point{max(a[0], b[0]), max(a[1], b[1])}}
}
