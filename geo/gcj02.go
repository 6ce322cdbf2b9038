// Package geo holds the geometry work of indmap's import: datum conversion
// (GCJ-02 to WGS84), ring repair, area, label points, the in-memory spatial
// index and the adjacency graph of boundary polygons.
package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// Krasovsky 1940 ellipsoid, as used by the GCJ-02 obfuscation.
const (
	gcjA  = 6378245.0
	gcjEE = 0.00669342162296594323
)

// InChina reports whether GCJ-02 offsets apply at p; outside this box the
// datum is WGS84 unchanged.
func InChina(p orb.Point) bool {
	return p[0] >= 72.004 && p[0] <= 137.8347 && p[1] >= 0.8293 && p[1] <= 55.8271
}

func gcjOffset(lon, lat float64) (dLon, dLat float64) {
	x, y := lon-105.0, lat-35.0
	// Both offsets add this term: computed once, the same bits (sines
	// are most of reading a nationwide file).
	wave := (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	dLat = -100.0 + 2.0*x + 3.0*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	dLat += wave
	dLat += (20.0*math.Sin(y*math.Pi) + 40.0*math.Sin(y/3.0*math.Pi)) * 2.0 / 3.0
	dLat += (160.0*math.Sin(y/12.0*math.Pi) + 320*math.Sin(y*math.Pi/30.0)) * 2.0 / 3.0

	dLon = 300.0 + x + 2.0*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	dLon += wave
	dLon += (20.0*math.Sin(x*math.Pi) + 40.0*math.Sin(x/3.0*math.Pi)) * 2.0 / 3.0
	dLon += (150.0*math.Sin(x/12.0*math.Pi) + 300.0*math.Sin(x/30.0*math.Pi)) * 2.0 / 3.0

	radLat := lat / 180.0 * math.Pi
	magic := math.Sin(radLat)
	magic = 1 - gcjEE*magic*magic
	sqrtMagic := math.Sqrt(magic)
	dLat = (dLat * 180.0) / ((gcjA * (1 - gcjEE)) / (magic * sqrtMagic) * math.Pi)
	dLon = (dLon * 180.0) / (gcjA / sqrtMagic * math.Cos(radLat) * math.Pi)
	return dLon, dLat
}

// WGS84ToGCJ02 applies the GCJ-02 offset to a WGS84 point.
func WGS84ToGCJ02(p orb.Point) orb.Point {
	if !InChina(p) {
		return p
	}
	dLon, dLat := gcjOffset(p[0], p[1])
	return orb.Point{p[0] + dLon, p[1] + dLat}
}

// GCJ02ToWGS84 inverts the GCJ-02 offset. The one-step inverse (subtract the
// offset computed at the GCJ point) is 1–2 m off; iterating the fixed point
// w = g - offset(w) converges to well under a millimetre in a few steps.
func GCJ02ToWGS84(g orb.Point) orb.Point {
	if !InChina(g) {
		return g
	}
	w := g
	for i := 0; i < 30; i++ {
		f := WGS84ToGCJ02(w)
		dx, dy := g[0]-f[0], g[1]-f[1]
		w = orb.Point{w[0] + dx, w[1] + dy}
		if math.Abs(dx) < 1e-9 && math.Abs(dy) < 1e-9 {
			break
		}
	}
	return w
}
