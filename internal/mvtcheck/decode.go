// Package mvtcheck reads Mapbox Vector Tiles without the code that writes
// them (its own protobuf and geometry-command reader) and checks their
// polygons: MVT 2.1 §4.3.4.4 ring rules, OGC validity through
// github.com/peterstace/simplefeatures, and overlaps and gaps between
// the features of a layer. Tests use it; the server does not.
package mvtcheck

import (
	"errors"
	"fmt"
)

// Pt is a point in tile coordinates.
type Pt [2]int64

// Feature is a decoded feature: its id, geometry type (1 point, 2 line,
// 3 polygon) and, for lines and polygons, its paths (rings without the
// repeated first point).
type Feature struct {
	ID    uint64
	Type  int
	Paths [][]Pt
	// Closed says, per path, whether it ended with ClosePath.
	Closed []bool
}

// Layer is a decoded layer.
type Layer struct {
	Name     string
	Extent   int
	Features []Feature
	// Keys are the layer's property names (features refer to them by
	// index).
	Keys []string
}

type reader struct {
	b   []byte
	off int
}

func (r *reader) varint() (uint64, error) {
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		if r.off >= len(r.b) {
			return 0, errors.New("truncated varint")
		}
		c := r.b[r.off]
		r.off++
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v, nil
		}
	}
	return 0, errors.New("varint too long")
}

// field reads a key and returns the field number, wire type and, for
// length-delimited fields, the payload.
func (r *reader) field() (num int, wire int, val uint64, payload []byte, err error) {
	key, err := r.varint()
	if err != nil {
		return 0, 0, 0, nil, err
	}
	num, wire = int(key>>3), int(key&7)
	switch wire {
	case 0:
		val, err = r.varint()
	case 1:
		if r.off+8 > len(r.b) {
			return 0, 0, 0, nil, errors.New("truncated fixed64")
		}
		r.off += 8
	case 2:
		var n uint64
		if n, err = r.varint(); err == nil {
			if uint64(len(r.b)-r.off) < n {
				return 0, 0, 0, nil, errors.New("truncated field")
			}
			payload = r.b[r.off : r.off+int(n)]
			r.off += int(n)
		}
	case 5:
		if r.off+4 > len(r.b) {
			return 0, 0, 0, nil, errors.New("truncated fixed32")
		}
		r.off += 4
	default:
		return 0, 0, 0, nil, fmt.Errorf("wire type %d", wire)
	}
	return num, wire, val, payload, err
}

// Decode reads an uncompressed tile.
func Decode(b []byte) ([]Layer, error) {
	var out []Layer
	r := &reader{b: b}
	for r.off < len(r.b) {
		num, _, _, payload, err := r.field()
		if err != nil {
			return nil, err
		}
		if num != 3 {
			continue
		}
		l, err := decodeLayer(payload)
		if err != nil {
			return nil, fmt.Errorf("layer %d: %w", len(out), err)
		}
		out = append(out, l)
	}
	return out, nil
}

func decodeLayer(b []byte) (Layer, error) {
	l := Layer{Extent: 4096}
	r := &reader{b: b}
	for r.off < len(r.b) {
		num, _, val, payload, err := r.field()
		if err != nil {
			return l, err
		}
		switch num {
		case 1:
			l.Name = string(payload)
		case 5:
			l.Extent = int(val)
		case 3:
			l.Keys = append(l.Keys, string(payload))
		case 2:
			f, err := decodeFeature(payload)
			if err != nil {
				return l, fmt.Errorf("%s feature %d: %w", l.Name, len(l.Features), err)
			}
			l.Features = append(l.Features, f)
		}
	}
	return l, nil
}

func decodeFeature(b []byte) (Feature, error) {
	var f Feature
	var geom []uint32
	r := &reader{b: b}
	for r.off < len(r.b) {
		num, wire, val, payload, err := r.field()
		if err != nil {
			return f, err
		}
		switch {
		case num == 1:
			f.ID = val
		case num == 3:
			f.Type = int(val)
		case num == 4 && wire == 2:
			pr := &reader{b: payload}
			for pr.off < len(pr.b) {
				v, err := pr.varint()
				if err != nil {
					return f, err
				}
				geom = append(geom, uint32(v))
			}
		}
	}
	return f, f.decodeGeometry(geom)
}

func zigzag(v uint32) int64 { return int64(v>>1) ^ -int64(v&1) }

func (f *Feature) decodeGeometry(g []uint32) error {
	var cur Pt
	var path []Pt
	flush := func(closed bool) {
		if len(path) > 0 {
			f.Paths = append(f.Paths, path)
			f.Closed = append(f.Closed, closed)
		}
		path = nil
	}
	for i := 0; i < len(g); {
		id, count := g[i]&7, int(g[i]>>3)
		i++
		switch id {
		case 1, 2:
			if i+2*count > len(g) {
				return errors.New("truncated geometry")
			}
			if id == 1 {
				flush(false)
			} else if len(path) == 0 {
				return errors.New("LineTo before MoveTo")
			}
			for k := 0; k < count; k++ {
				cur = Pt{cur[0] + zigzag(g[i]), cur[1] + zigzag(g[i+1])}
				i += 2
				path = append(path, cur)
			}
		case 7:
			if count != 1 || len(path) == 0 {
				return errors.New("bad ClosePath")
			}
			flush(true)
		default:
			return fmt.Errorf("command %d", id)
		}
	}
	flush(false)
	return nil
}
