// Package synth makes a synthetic nationwide partition for benchmarks:
// jittered Voronoi cells whose borders wiggle like surveyed ones (about
// a hundred vertices per border) and, like DataV's exports, are drawn
// separately on each side, a few metres apart, so that neighbours
// overlap and leave slivers as the real files do. The same options give
// the same bytes.
package synth

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand"
	"strconv"
)

// Options size the partition.
type Options struct {
	// Columns and Rows of seeds: Columns×Rows cells.
	Columns, Rows int
	// West, South, East, North bound the area, in degrees.
	West, South, East, North float64
	// Seed makes the partition reproducible.
	Seed int64
	// JitterM is how far apart the two drawings of a border lie.
	JitterM float64
	// Detail halves every border's segments this many more times: 2^Detail
	// times the vertices over the same cells (the cost's slope).
	Detail int
}

// Nationwide is about the size of China's counties: 2,900 cells and some
// 1.9 million vertices.
var Nationwide = Options{Columns: 58, Rows: 50, West: 100, South: 22, East: 124, North: 42, Seed: 1, JitterM: 15}

// Stats says what Generate made.
type Stats struct {
	Cells, Vertices int
}

type pt struct{ x, y float64 }

// cellEdge is one side of a cell's convex Voronoi polygon: the neighbour
// across it (-1 on the outline) and its end vertices, counter-clockwise.
type cellEdge struct {
	other int
	a, b  pt
}

// Generate writes the partition as a DataV-style GeoJSON
// FeatureCollection (adcodes 9xxxxx under parent 900000, level
// district).
func Generate(opt Options) ([]byte, Stats) {
	r := rand.New(rand.NewSource(opt.Seed))
	n := opt.Columns * opt.Rows
	dx := (opt.East - opt.West) / float64(opt.Columns)
	dy := (opt.North - opt.South) / float64(opt.Rows)
	seeds := make([]pt, n)
	for j := 0; j < opt.Rows; j++ {
		for i := 0; i < opt.Columns; i++ {
			seeds[j*opt.Columns+i] = pt{opt.West + (float64(i)+0.15+0.7*r.Float64())*dx, opt.South + (float64(j)+0.15+0.7*r.Float64())*dy}
		}
	}
	var buf bytes.Buffer
	buf.WriteString(`{"type":"FeatureCollection","features":[`)
	st := Stats{Cells: n}
	jitter := opt.JitterM / 111320
	for c := 0; c < n; c++ {
		ci, cj := c%opt.Columns, c/opt.Columns
		var near []int
		for j := max(cj-2, 0); j <= min(cj+2, opt.Rows-1); j++ {
			for i := max(ci-2, 0); i <= min(ci+2, opt.Columns-1); i++ {
				if k := j*opt.Columns + i; k != c {
					near = append(near, k)
				}
			}
		}
		edges := voronoiCell(seeds, c, near, opt)
		var ring []pt
		for _, e := range edges {
			pts := border(e, c, opt.Seed, opt.Detail)
			// This side's own drawing: interior vertices moved a little.
			jr := rand.New(rand.NewSource(opt.Seed ^ int64(c)*7919 ^ int64(e.other+2)*104729))
			for k := 1; k+1 < len(pts); k++ {
				// At most a fifth of the spacing, so the line never folds.
				j := math.Min(jitter, 0.2*math.Min(dist(pts[k-1], pts[k]), dist(pts[k], pts[k+1])))
				pts[k].x += (jr.Float64()*2 - 1) * j
				pts[k].y += (jr.Float64()*2 - 1) * j
			}
			ring = append(ring, pts[:len(pts)-1]...)
		}
		ring = append(ring, ring[0])
		st.Vertices += len(ring)
		if c > 0 {
			buf.WriteByte(',')
		}
		code := 900001 + c
		fmt.Fprintf(&buf, `{"type":"Feature","properties":{"adcode":"%d","name":"格%d","level":"district","parent":"900000","center":[%s,%s]},"geometry":{"type":"MultiPolygon","coordinates":[[[`,
			code, c+1, num(seeds[c].x), num(seeds[c].y))
		for k, p := range ring {
			if k > 0 {
				buf.WriteByte(',')
			}
			buf.WriteByte('[')
			buf.WriteString(num(p.x))
			buf.WriteByte(',')
			buf.WriteString(num(p.y))
			buf.WriteByte(']')
		}
		buf.WriteString(`]]]}}`)
	}
	buf.WriteString("]}\n")
	return buf.Bytes(), st
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }

// voronoiCell clips the area's rectangle by the bisectors with the
// nearby seeds and returns the cell's sides counter-clockwise.
func voronoiCell(seeds []pt, c int, near []int, opt Options) []cellEdge {
	s := seeds[c]
	poly := []cellEdge{
		{-1, pt{opt.West, opt.South}, pt{opt.East, opt.South}},
		{-1, pt{opt.East, opt.South}, pt{opt.East, opt.North}},
		{-1, pt{opt.East, opt.North}, pt{opt.West, opt.North}},
		{-1, pt{opt.West, opt.North}, pt{opt.West, opt.South}},
	}
	for _, k := range near {
		o := seeds[k]
		// Keep points p with (p - m)·(o - s) <= 0, m the midpoint.
		m := pt{(s.x + o.x) / 2, (s.y + o.y) / 2}
		nx, ny := o.x-s.x, o.y-s.y
		side := func(p pt) float64 { return (p.x-m.x)*nx + (p.y-m.y)*ny }
		var out []cellEdge
		var exit, entry pt // where the outline leaves and re-enters the half-plane
		cuts := 0
		for _, e := range poly {
			da, db := side(e.a), side(e.b)
			switch {
			case da <= 0 && db <= 0:
				out = append(out, e)
			case da <= 0 && db > 0:
				x := lerp(e.a, e.b, da/(da-db))
				out = append(out, cellEdge{e.other, e.a, x})
				exit = x
				cuts++
			case da > 0 && db <= 0:
				x := lerp(e.a, e.b, da/(da-db))
				entry = x
				cuts++
				out = append(out, cellEdge{-2, x, x}) // placeholder for the bisector side
				out = append(out, cellEdge{e.other, x, e.b})
			}
		}
		if cuts == 2 {
			for i := range out {
				if out[i].other == -2 {
					out[i] = cellEdge{k, exit, entry}
				}
			}
		}
		poly = poly[:0]
		for _, e := range out {
			if e.other != -2 && e.a != e.b {
				poly = append(poly, e)
			}
		}
	}
	for i := range poly {
		poly[i].a, poly[i].b = canon(poly[i].a), canon(poly[i].b)
	}
	return poly
}

func dist(a, b pt) float64 { return math.Hypot(a.x-b.x, a.y-b.y) }

func lerp(a, b pt, t float64) pt { return pt{a.x + t*(b.x-a.x), a.y + t*(b.y-a.y)} }

// canon rounds a Voronoi vertex so that the cells meeting there, which
// compute it separately, agree on it.
func canon(p pt) pt { return pt{math.Round(p.x*1e9) / 1e9, math.Round(p.y*1e9) / 1e9} }

// border is the wiggling line of a side, the same for both cells that
// share it (walked in opposite directions): midpoint displacement to 64
// or 128 segments, seeded by the pair of cells.
func border(e cellEdge, c int, seed int64, detail int) []pt {
	a, b := e.a, e.b
	rev := false
	if b.x < a.x || (b.x == a.x && b.y < a.y) {
		a, b, rev = b, a, true
	}
	h := fnv.New64a()
	lo, hi := c, e.other
	if e.other < 0 {
		hi = -1 - c // the outline: one line per cell
	} else if hi < lo {
		lo, hi = hi, lo
	}
	fmt.Fprintf(h, "%d/%d/%d", seed, lo, hi)
	r := rand.New(rand.NewSource(int64(h.Sum64())))
	depth := 7
	if r.Float64() < 0.25 {
		depth = 6
	}
	depth += detail
	pts := []pt{a, b}
	amp := 0.05
	for d := 0; d < depth; d++ {
		next := make([]pt, 0, 2*len(pts))
		for i := 0; i+1 < len(pts); i++ {
			p, q := pts[i], pts[i+1]
			dx, dy := q.x-p.x, q.y-p.y
			off := (r.Float64()*2 - 1) * amp
			next = append(next, p, pt{(p.x+q.x)/2 - dy*off, (p.y+q.y)/2 + dx*off})
		}
		pts = append(next, pts[len(pts)-1])
		amp *= 0.6
	}
	if rev {
		for i, j := 0, len(pts)-1; i < j; i, j = i+1, j-1 {
			pts[i], pts[j] = pts[j], pts[i]
		}
	}
	return pts
}
