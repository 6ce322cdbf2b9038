package glyphs

import "math"

// SDF parameters of MapLibre's glyphs (those of fontnik and tiny-sdf):
// glyphs drawn at 24 px with 3 px of border, distances to 8 px, the edge
// at 0.25 of the range (value 191), which MapLibre's shader expects.
const (
	Size   = 24
	Buffer = 3
	radius = 8
	cutoff = 0.25
)

const inf = 1e20

// sdf turns an alpha coverage image (w×h, 0–255) into a signed distance
// field as tiny-sdf does: squared distances to the outside and to the
// inside by the Felzenszwalb–Huttenlocher transform, with partly covered
// pixels placed at sub-pixel distances from the edge.
func sdf(alpha []byte, w, h int) []byte {
	n := w * h
	outer := make([]float64, n)
	inner := make([]float64, n)
	for i, a8 := range alpha {
		switch a := float64(a8) / 255; {
		case a == 0:
			outer[i], inner[i] = inf, 0
		case a == 1:
			outer[i], inner[i] = 0, inf
		default:
			d := 0.5 - a
			outer[i], inner[i] = max(d, 0)*max(d, 0), min(d, 0)*min(d, 0)
		}
	}
	size := max(w, h)
	f := make([]float64, size)
	v := make([]int, size)
	z := make([]float64, size+1)
	edt(outer, w, h, f, v, z)
	edt(inner, w, h, f, v, z)
	out := make([]byte, n)
	for i := range out {
		d := math.Sqrt(outer[i]) - math.Sqrt(inner[i])
		out[i] = byte(max(0, min(255, math.Round(255-255*(d/radius+cutoff)))))
	}
	return out
}

// edt replaces each squared distance in grid (w×h) by the squared
// Euclidean distance to the nearest zero, columns then rows.
func edt(grid []float64, w, h int, f []float64, v []int, z []float64) {
	for x := range w {
		edt1d(grid, x, w, h, f, v, z)
	}
	for y := range h {
		edt1d(grid, y*w, 1, w, f, v, z)
	}
}

// edt1d is the one-dimensional transform of length values of grid from
// offset with the given stride: the lower envelope of the parabolas
// rooted at each sample (Felzenszwalb and Huttenlocher, 2012).
func edt1d(grid []float64, offset, stride, length int, f []float64, v []int, z []float64) {
	v[0] = 0
	z[0], z[1] = -inf, inf
	f[0] = grid[offset]
	for q, k := 1, 0; q < length; q++ {
		f[q] = grid[offset+q*stride]
		q2 := float64(q * q)
		var s float64
		for {
			r := v[k]
			s = (f[q] - f[r] + q2 - float64(r*r)) / float64(q-r) / 2
			if s > z[k] {
				break
			}
			if k--; k < 0 {
				break
			}
		}
		k++
		v[k] = q
		z[k] = s
		z[k+1] = inf
	}
	for q, k := 0, 0; q < length; q++ {
		for z[k+1] < float64(q) {
			k++
		}
		r := v[k]
		grid[offset+q*stride] = f[r] + float64((q-r)*(q-r))
	}
}
