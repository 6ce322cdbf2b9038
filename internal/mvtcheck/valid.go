package mvtcheck

import (
	"errors"
	"fmt"

	sf "github.com/peterstace/simplefeatures/geom"
)

// Polygon is an exterior ring followed by its holes.
type Polygon [][]Pt

// shoelace is twice the signed area in tile coordinates (y down):
// positive for an MVT exterior ring.
func shoelace(r []Pt) int64 {
	var s int64
	for i := range r {
		j := (i + 1) % len(r)
		s += r[i][0]*r[j][1] - r[j][0]*r[i][1]
	}
	return s
}

// Polygons groups a polygon feature's rings as MVT 2.1 §4.3.4.4 says:
// a ring of positive area starts a polygon, negative ones are its holes.
// It fails on the spec's ring rules: a ring not closed by ClosePath, a
// zero-length segment (the closing one included), fewer than 3 distinct
// points, zero area, or a hole before any exterior.
func Polygons(f Feature) ([]Polygon, error) {
	if f.Type != 3 {
		return nil, fmt.Errorf("geometry type %d, want 3", f.Type)
	}
	var out []Polygon
	for i, r := range f.Paths {
		if !f.Closed[i] {
			return nil, fmt.Errorf("ring %d not closed by ClosePath", i)
		}
		if len(r) < 3 {
			return nil, fmt.Errorf("ring %d has %d points", i, len(r))
		}
		for k := range r {
			if r[k] == r[(k+1)%len(r)] {
				return nil, fmt.Errorf("ring %d: zero-length segment at %v", i, r[k])
			}
		}
		a := shoelace(r)
		switch {
		case a == 0:
			return nil, fmt.Errorf("ring %d has zero area", i)
		case a > 0:
			out = append(out, Polygon{r})
		case len(out) == 0:
			return nil, fmt.Errorf("ring %d is a hole before any exterior", i)
		default:
			out[len(out)-1] = append(out[len(out)-1], r)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no rings")
	}
	return out, nil
}

// Validate checks the polygons with simplefeatures: every ring simple (no
// self-intersection or self-tangency), holes inside their exterior and
// not crossing each other, each polygon's interior connected, and no two
// polygons' interiors overlapping.
func Validate(ps []Polygon) error {
	polys := make([]sf.Polygon, len(ps))
	for i, p := range ps {
		rings := make([]sf.LineString, len(p))
		for j, r := range p {
			coords := make([]float64, 0, 2*len(r)+2)
			for _, q := range r {
				coords = append(coords, float64(q[0]), float64(q[1]))
			}
			coords = append(coords, float64(r[0][0]), float64(r[0][1]))
			rings[j] = sf.NewLineString(sf.NewSequence(coords, sf.DimXY))
		}
		polys[i] = sf.NewPolygon(rings)
		if err := polys[i].Validate(); err != nil {
			return fmt.Errorf("polygon %d: %w", i, err)
		}
	}
	return sf.NewMultiPolygon(polys).Validate()
}
