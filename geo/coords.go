package geo

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/paulmach/orb"
)

// parseMultiPolygon reads a Polygon's or MultiPolygon's coordinates
// straight into orb's types. encoding/json, asked for [][][][]float64,
// read the bytes twice and made a slice per position: a third of reading
// a nationwide file. The numbers are read by strconv.ParseFloat, as
// encoding/json reads them, so the points are the same to the bit.
func parseMultiPolygon(typ string, coords []byte) (orb.MultiPolygon, error) {
	s := coordScanner{b: coords}
	var mp orb.MultiPolygon
	var err error
	switch typ {
	case "MultiPolygon":
		_, err = s.list(func(pi int) error {
			poly, err := s.polygon(pi)
			mp = append(mp, poly)
			return err
		})
	case "Polygon":
		var poly orb.Polygon
		if poly, err = s.polygon(0); len(poly) > 0 || err != nil {
			mp = orb.MultiPolygon{poly}
		}
	default:
		return nil, fmt.Errorf("geometry type %q, want Polygon or MultiPolygon", typ)
	}
	if err == nil {
		err = s.end()
	}
	var shape *shapeError
	if errors.As(err, &shape) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("bad %s coordinates: %w", typ, err)
	}
	if len(mp) == 0 {
		return nil, errors.New("empty geometry")
	}
	return mp, nil
}

// shapeError is well-formed coordinates that make no polygon.
type shapeError struct{ msg string }

func (e *shapeError) Error() string { return e.msg }

func shapeErr(format string, a ...any) error {
	return &shapeError{fmt.Sprintf(format, a...)}
}

// coordScanner walks a coordinates value. encoding/json has checked that
// the bytes are JSON; the scanner checks the nesting and the numbers.
type coordScanner struct {
	b []byte
	i int
	// ring collects a ring's points before they are copied into a
	// ring of their exact length.
	ring []orb.Point
}

func (s *coordScanner) polygon(pi int) (orb.Polygon, error) {
	var poly orb.Polygon
	n, err := s.list(func(ri int) error {
		r, err := s.ringAt(pi, ri)
		if err == nil {
			poly = append(poly, r)
		}
		return err
	})
	if err == nil && n == 0 {
		err = shapeErr("polygon %d has no rings", pi)
	}
	return poly, err
}

func (s *coordScanner) ringAt(pi, ri int) (orb.Ring, error) {
	s.ring = s.ring[:0]
	n, err := s.list(func(k int) error {
		p, values, err := s.position()
		switch {
		case err != nil:
			return err
		case values < 2:
			return shapeErr("polygon %d ring %d position %d has %d values", pi, ri, k, values)
		case !validLonLat(p[0], p[1]):
			return shapeErr("polygon %d ring %d position %d: coordinates out of range: %v, %v", pi, ri, k, p[0], p[1])
		}
		s.ring = append(s.ring, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if n < 4 {
		return nil, shapeErr("polygon %d ring %d has %d positions; a ring needs at least 4", pi, ri, n)
	}
	return append(make(orb.Ring, 0, len(s.ring)), s.ring...), nil
}

// position reads [x, y, …]: the first two values, and how many there were.
func (s *coordScanner) position() (orb.Point, int, error) {
	var p orb.Point
	n, err := s.list(func(k int) error {
		v, err := s.number()
		if k < 2 {
			p[k] = v
		}
		return err
	})
	return p, n, err
}

// list reads an array, calling item for each element; null reads as an
// empty array, as encoding/json reads it into a slice.
func (s *coordScanner) list(item func(k int) error) (int, error) {
	s.space()
	if s.literal("null") {
		return 0, nil
	}
	if !s.next('[') {
		return 0, s.want("an array")
	}
	if s.space(); s.next(']') {
		return 0, nil
	}
	for k := 0; ; k++ {
		if err := item(k); err != nil {
			return k, err
		}
		switch s.space(); {
		case s.next(','):
		case s.next(']'):
			return k + 1, nil
		default:
			return k + 1, s.want("',' or ']'")
		}
	}
}

func (s *coordScanner) number() (float64, error) {
	s.space()
	j := s.i
	for ; j < len(s.b); j++ {
		if c := s.b[j]; (c < '0' || c > '9') && c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E' {
			break
		}
	}
	if j == s.i {
		return 0, s.want("a number")
	}
	// string(…) of a short slice passed to ParseFloat allocates nothing.
	v, err := strconv.ParseFloat(string(s.b[s.i:j]), 64)
	if err != nil {
		return 0, fmt.Errorf("at byte %d of the coordinates: %w", s.i, err)
	}
	s.i = j
	return v, nil
}

func (s *coordScanner) end() error {
	if s.space(); s.i < len(s.b) {
		return s.want("the end")
	}
	return nil
}

func (s *coordScanner) space() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

func (s *coordScanner) next(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

func (s *coordScanner) literal(word string) bool {
	if len(s.b)-s.i >= len(word) && string(s.b[s.i:s.i+len(word)]) == word {
		s.i += len(word)
		return true
	}
	return false
}

func (s *coordScanner) want(what string) error {
	if s.i >= len(s.b) {
		return fmt.Errorf("at byte %d of the coordinates: want %s, found the end", s.i, what)
	}
	return fmt.Errorf("at byte %d of the coordinates: want %s, found %q", s.i, what, s.b[s.i])
}
