package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// WGS84 ellipsoid.
const (
	wgsA = 6378137.0
	wgsF = 1 / 298.257223563
)

var (
	wgsE2 = wgsF * (2 - wgsF)
	wgsE  = math.Sqrt(wgsE2)
	qPole = authalicQ(1)
	// authalicR is the radius of the sphere with the ellipsoid's surface area.
	authalicR = wgsA * math.Sqrt(qPole/2)
)

func authalicQ(sinPhi float64) float64 {
	es := wgsE * sinPhi
	return (1 - wgsE2) * (sinPhi/(1-es*es) - 1/(2*wgsE)*math.Log((1-es)/(1+es)))
}

// sinAuthalic is sin of the authalic latitude of a geodetic latitude in degrees.
func sinAuthalic(latDeg float64) float64 {
	return authalicQ(math.Sin(latDeg*math.Pi/180)) / qPole
}

// RingAreaM2 is the signed area of a lon/lat ring in m² on the WGS84
// ellipsoid (positive when counter-clockwise). It integrates in the Lambert
// cylindrical equal-area projection with authalic latitude, so it is exact
// for edges straight in that projection; boundary edges are short enough
// for that to be far below a survey's precision.
func RingAreaM2(r orb.Ring) float64 {
	n := len(r)
	if n < 3 {
		return 0
	}
	sum := 0.0
	prevLon, prevS := r[n-1][0], sinAuthalic(r[n-1][1])
	for _, p := range r {
		s := sinAuthalic(p[1])
		sum += (p[0] - prevLon) * math.Pi / 180 * (s + prevS) / 2
		prevLon, prevS = p[0], s
	}
	// Σ Δλ·(sin β) runs clockwise-positive; flip so CCW is positive.
	return -sum * authalicR * authalicR
}

// AreaKm2 is the area of a polygon or multipolygon in km², holes excluded.
func AreaKm2(g orb.Geometry) float64 {
	switch g := g.(type) {
	case orb.Polygon:
		return polygonAreaM2(g) / 1e6
	case orb.MultiPolygon:
		sum := 0.0
		for _, p := range g {
			sum += polygonAreaM2(p)
		}
		return sum / 1e6
	}
	return 0
}

func polygonAreaM2(p orb.Polygon) float64 {
	if len(p) == 0 {
		return 0
	}
	a := math.Abs(RingAreaM2(p[0]))
	for _, h := range p[1:] {
		a -= math.Abs(RingAreaM2(h))
	}
	return a
}
