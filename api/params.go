package api

import (
	"math"
	"strconv"
	"strings"

	"github.com/indmap/indmap/plan"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
)

// Strict parsing of query parameters: each failure is a 400 naming the
// parameter.

func intParam(c echo.Context, name string, def, lo, hi int) (int, error) {
	s := c.QueryParam(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, badParam(name, "want a whole number from %d to %d, got %q", lo, hi, s)
	}
	return n, nil
}

func floatParam(name, s string, lo, hi float64) (float64, error) {
	s = strings.TrimSpace(s)
	v, err := strconv.ParseFloat(s, 64)
	// Decimal numbers only: ParseFloat also takes 0x1p6 (64), 1_0 and
	// such, which no client means.
	if strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && !strings.ContainsRune("+-.eE", r) }) >= 0 {
		err = strconv.ErrSyntax
	}
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < lo || v > hi {
		return 0, badParam(name, "want a number from %g to %g, got %q", lo, hi, s)
	}
	return v, nil
}

// lonLat parses "lon,lat".
func lonLat(name, s string) (orb.Point, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 2 {
		return orb.Point{}, badParam(name, "want lon,lat, got %q", s)
	}
	lon, err := floatParam(name, parts[0], -180, 180)
	if err != nil {
		return orb.Point{}, err
	}
	lat, err := floatParam(name, parts[1], -90, 90)
	if err != nil {
		return orb.Point{}, err
	}
	return orb.Point{lon, lat}, nil
}

// bboxParam parses bbox=minLon,minLat,maxLon,maxLat (nil when absent).
func bboxParam(c echo.Context) (*orb.Bound, error) {
	return parseBBox(c.QueryParam("bbox"))
}

// parseBBox parses minLon,minLat,maxLon,maxLat ("" gives nil).
func parseBBox(s string) (*orb.Bound, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return nil, badParam("bbox", "want minLon,minLat,maxLon,maxLat, got %q", s)
	}
	var v [4]float64
	for i, p := range parts {
		lo, hi := -180.0, 180.0
		if i%2 == 1 {
			lo, hi = -90, 90
		}
		f, err := floatParam("bbox", p, lo, hi)
		if err != nil {
			return nil, err
		}
		v[i] = f
	}
	if v[0] > v[2] || v[1] > v[3] {
		return nil, badParam("bbox", "minimum above maximum in %q", s)
	}
	return &orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}, nil
}

// industryParam resolves an industry (code or exact name) in a plan.
func industryParam(c echo.Context, p *plan.Plan, required bool) (*plan.Industry, error) {
	s := c.QueryParam("industry")
	if s == "" {
		if required {
			return nil, badParam("industry", "required: a catalogue code or exact name of plan %s", p.ID)
		}
		return nil, nil
	}
	in, ok := p.Industry(s)
	if !ok {
		return nil, badParam("industry", "%q is not in the catalogue of plan %s", s, p.ID)
	}
	return &in, nil
}

func oneOf(c echo.Context, name, def string, allowed ...string) (string, error) {
	s := c.QueryParam(name)
	if s == "" {
		return def, nil
	}
	for _, a := range allowed {
		if s == a {
			return s, nil
		}
	}
	return "", badParam(name, "want one of %s, got %q", strings.Join(allowed, ", "), s)
}

// wantsCSV reports whether the client asked for CSV (?format=csv or
// Accept: text/csv).
func wantsCSV(c echo.Context) (bool, error) {
	f, err := oneOf(c, "format", "", "json", "csv")
	if err != nil {
		return false, err
	}
	if f != "" {
		return f == "csv", nil
	}
	c.Response().Header().Add(echo.HeaderVary, "Accept")
	return strings.Contains(c.Request().Header.Get("Accept"), "text/csv"), nil
}

// dateParam parses a date (YYYY-MM-DD, YYYY-MM or YYYY) into YYYY-MM-DD.
func dateParam(c echo.Context, name, def string) (string, error) {
	s := c.QueryParam(name)
	if s == "" {
		return def, nil
	}
	d, err := plan.ParseDate(s)
	if err != nil {
		return "", badParam(name, "want a date YYYY-MM-DD, got %q", s)
	}
	return d, nil
}
