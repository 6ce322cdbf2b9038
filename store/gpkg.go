package store

import (
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/paulmach/orb"
	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/wkb"
	"modernc.org/sqlite"
)

// GeoPackage constants (OGC 12-128r18, GeoPackage 1.3).
const (
	gpkgApplicationID = 0x47504B47 // "GPKG"
	gpkgUserVersion   = 10300
	srsWGS84          = 4326
)

// EncodeGeometry returns a GeoPackage binary geometry: the "GP" header
// with SRS id and envelope, then the geometry as little-endian WKB
// (written by go-geom). Points carry no envelope, as the spec allows.
func EncodeGeometry(g orb.Geometry) ([]byte, error) {
	gg, err := toGeom(g)
	if err != nil {
		return nil, err
	}
	body, err := wkb.Marshal(gg, binary.LittleEndian)
	if err != nil {
		return nil, err
	}
	flags := byte(1) // little-endian header
	var env []float64
	if _, isPoint := g.(orb.Point); !isPoint {
		b := g.Bound()
		env = []float64{b.Min[0], b.Max[0], b.Min[1], b.Max[1]}
		flags |= 1 << 1 // envelope [minx, maxx, miny, maxy]
	}
	out := make([]byte, 8, 8+8*len(env)+len(body))
	copy(out, "GP")
	out[3] = flags
	binary.LittleEndian.PutUint32(out[4:], srsWGS84)
	for _, v := range env {
		out = binary.LittleEndian.AppendUint64(out, math.Float64bits(v))
	}
	return append(out, body...), nil
}

// gpHeader parses a GeoPackage binary header: the envelope (nil when
// absent), whether the geometry is empty, and the WKB offset.
func gpHeader(b []byte) (env []float64, empty bool, wkbAt int, err error) {
	if len(b) < 8 || b[0] != 'G' || b[1] != 'P' {
		return nil, false, 0, errors.New("not a GeoPackage geometry")
	}
	flags := b[3]
	var order binary.ByteOrder = binary.BigEndian
	if flags&1 == 1 {
		order = binary.LittleEndian
	}
	n := map[byte]int{0: 0, 1: 4, 2: 6, 3: 6, 4: 8}[(flags>>1)&7]
	if len(b) < 8+8*n {
		return nil, false, 0, errors.New("short GeoPackage header")
	}
	for i := 0; i < n; i++ {
		env = append(env, math.Float64frombits(order.Uint64(b[8+8*i:])))
	}
	return env, flags&(1<<4) != 0, 8 + 8*n, nil
}

// DecodeGeometry parses a GeoPackage binary geometry.
func DecodeGeometry(b []byte) (orb.Geometry, error) {
	_, _, at, err := gpHeader(b)
	if err != nil {
		return nil, err
	}
	gg, err := wkb.Unmarshal(b[at:])
	if err != nil {
		return nil, fmt.Errorf("geometry WKB: %w", err)
	}
	return fromGeom(gg)
}

func toGeom(g orb.Geometry) (geom.T, error) {
	switch g := g.(type) {
	case orb.Point:
		return geom.NewPointFlat(geom.XY, []float64{g[0], g[1]}), nil
	case orb.Polygon:
		return toGeom(orb.MultiPolygon{g})
	case orb.MultiPolygon:
		coords := make([][][]geom.Coord, len(g))
		for i, p := range g {
			coords[i] = make([][]geom.Coord, len(p))
			for j, r := range p {
				cs := make([]geom.Coord, len(r))
				for k, pt := range r {
					cs[k] = geom.Coord{pt[0], pt[1]}
				}
				coords[i][j] = cs
			}
		}
		return geom.NewMultiPolygon(geom.XY).SetCoords(coords)
	}
	return nil, fmt.Errorf("cannot store a %T", g)
}

func fromGeom(g geom.T) (orb.Geometry, error) {
	switch g := g.(type) {
	case *geom.Point:
		return orb.Point{g.X(), g.Y()}, nil
	case *geom.MultiPolygon:
		out := make(orb.MultiPolygon, 0, g.NumPolygons())
		for _, p := range g.Coords() {
			poly := make(orb.Polygon, 0, len(p))
			for _, r := range p {
				ring := make(orb.Ring, len(r))
				for k, c := range r {
					ring[k] = orb.Point{c[0], c[1]}
				}
				poly = append(poly, ring)
			}
			out = append(out, poly)
		}
		return out, nil
	case *geom.Polygon:
		mp := geom.NewMultiPolygon(geom.XY)
		if err := mp.Push(g); err != nil {
			return nil, err
		}
		return fromGeom(mp)
	}
	return nil, fmt.Errorf("unsupported stored geometry %T", g)
}

var registerOnce sync.Once

// registerFunctions adds the SQL functions that the GeoPackage R-tree
// triggers call (ST_MinX … ST_IsEmpty). SQLite does not have them; GDAL
// and other writers bring their own. The driver's function registry is
// process-wide, hence the once.
func registerFunctions() {
	registerOnce.Do(func() {
		for i, name := range []string{"ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"} {
			idx := i
			sqlite.MustRegisterDeterministicScalarFunction(name, 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
				env, err := envelopeOf(args[0])
				if err != nil || env == nil {
					return nil, err
				}
				return env[idx], nil
			})
		}
		sqlite.MustRegisterDeterministicScalarFunction("ST_IsEmpty", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			b, ok := args[0].([]byte)
			if !ok {
				return nil, nil
			}
			_, empty, _, err := gpHeader(b)
			if err != nil {
				return nil, err
			}
			return empty, nil
		})
	})
}

// envelopeOf returns [minx, maxx, miny, maxy] of a stored geometry, from
// its header when present, else from its coordinates.
func envelopeOf(v driver.Value) ([]float64, error) {
	b, ok := v.([]byte)
	if !ok {
		return nil, nil
	}
	env, empty, _, err := gpHeader(b)
	if err != nil || empty {
		return nil, err
	}
	if len(env) >= 4 {
		return env[:4], nil
	}
	g, err := DecodeGeometry(b)
	if err != nil {
		return nil, err
	}
	bd := g.Bound()
	return []float64{bd.Min[0], bd.Max[0], bd.Min[1], bd.Max[1]}, nil
}
