package geo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// CRS names the datum of input coordinates.
type CRS string

// The datums the importer reads.
const (
	GCJ02 CRS = "gcj02"
	WGS84 CRS = "wgs84"
)

// ParseCRS accepts gcj02 or wgs84.
func ParseCRS(s string) (CRS, error) {
	switch CRS(s) {
	case GCJ02, WGS84:
		return CRS(s), nil
	}
	return "", fmt.Errorf("unknown CRS %q (want gcj02 or wgs84)", s)
}

// DefaultMaxBytes is the largest boundary or plan file read by default.
const DefaultMaxBytes = 256 << 20

// ErrTooLarge is returned for input over the configured size limit.
var ErrTooLarge = errors.New("file larger than the limit")

// A Boundary is one administrative unit from a boundary file, converted to
// WGS84 and repaired.
type Boundary struct {
	Code   string
	Name   string
	Level  string // DataV level: province, city, district
	Parent string
	Seat   orb.Point // the seat of government (DataV "center"), WGS84
	Geom   orb.MultiPolygon
	// AreaKm2 is the ellipsoidal area of Geom.
	AreaKm2 float64
	// Label is a point inside Geom, far from its edges.
	Label   orb.Point
	Repairs RepairLog
}

// ReadOptions control how boundary files are read.
type ReadOptions struct {
	CRS      CRS
	MaxBytes int64 // 0 means DefaultMaxBytes
}

// ReadDataVFile reads a DataV GeoJSON file, refusing one over the size
// limit before reading it.
func ReadDataVFile(path string, opt ReadOptions) ([]Boundary, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > maxBytes(opt.MaxBytes) {
		return nil, fmt.Errorf("%s: %w (%d > %d bytes)", path, ErrTooLarge, st.Size(), maxBytes(opt.MaxBytes))
	}
	return ReadDataV(f, path, opt)
}

func maxBytes(n int64) int64 {
	if n <= 0 {
		return DefaultMaxBytes
	}
	return n
}

// ReadAllLimited reads r up to limit bytes and fails past it, so a huge
// stream is refused without being held in memory.
func ReadAllLimited(r io.Reader, limit int64) ([]byte, error) {
	limit = maxBytes(limit)
	lr := io.LimitReader(r, limit+1)
	var b []byte
	var err error
	// A file is read into one buffer of its size: grown as it is read, a
	// nationwide file took twice its size, most of it garbage at once.
	if f, ok := r.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, serr := f.Stat(); serr == nil && fi.Mode().IsRegular() && fi.Size() <= limit {
			buf := bytes.NewBuffer(make([]byte, 0, fi.Size()+bytes.MinRead))
			_, err = buf.ReadFrom(lr)
			b = buf.Bytes()
		}
	}
	if b == nil && err == nil {
		b, err = io.ReadAll(lr)
	}
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w (over %d bytes)", ErrTooLarge, limit)
	}
	return b, nil
}

// CheckText fails on empty or non-UTF-8 input and strips a UTF-8 BOM.
func CheckText(b []byte) ([]byte, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, errors.New("empty file")
	}
	if !utf8.Valid(b) {
		off := 0
		for off < len(b) {
			r, n := utf8.DecodeRune(b[off:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			off += n
		}
		return nil, fmt.Errorf("not UTF-8: invalid byte at line %d", 1+bytes.Count(b[:off], []byte("\n")))
	}
	return b, nil
}

type datavFile struct {
	Type     string            `json:"type"`
	Features []json.RawMessage `json:"features"`
}

// lonLatProp is a point property: [lon, lat], or "lon,lat" as some
// DataV leaf-city files (东莞, 中山, 儋州, 嘉峪关) have it. Anything else
// is no point: the seat is optional, so a bad one does not fail a file.
type lonLatProp []float64

func (p *lonLatProp) UnmarshalJSON(b []byte) error {
	var a []float64
	if json.Unmarshal(b, &a) == nil {
		*p = a
		return nil
	}
	var s string
	if json.Unmarshal(b, &s) == nil {
		if lon, lat, ok := strings.Cut(s, ","); ok {
			x, err1 := strconv.ParseFloat(strings.TrimSpace(lon), 64)
			y, err2 := strconv.ParseFloat(strings.TrimSpace(lat), 64)
			if err1 == nil && err2 == nil {
				*p = lonLatProp{x, y}
			}
		}
	}
	return nil
}

type datavFeature struct {
	Type       string `json:"type"`
	Properties struct {
		Adcode json.RawMessage `json:"adcode"`
		Name   string          `json:"name"`
		Level  string          `json:"level"`
		Parent json.RawMessage `json:"parent"`
		Center lonLatProp      `json:"center"`
	} `json:"properties"`
	Geometry *struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	} `json:"geometry"`
}

// ReadDataV reads a DataV.GeoAtlas FeatureCollection (the format of
// areas_v3/bound and of ../shared/data/boundaries). name labels errors.
// Adcodes may be strings or numbers and parent a code or {"adcode": n},
// as the live service and the shared exports differ there.
func ReadDataV(r io.Reader, name string, opt ReadOptions) ([]Boundary, error) {
	if opt.CRS == "" {
		opt.CRS = GCJ02
	}
	b, err := ReadAllLimited(r, opt.MaxBytes)
	if err == nil {
		b, err = CheckText(b)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	// Features are read on every core as the walk finds them (conversion,
	// repair and label points dominate a nationwide file); results keep
	// the file's order.
	type result struct {
		raw json.RawMessage
		bd  Boundary
		err error
	}
	var results []*result
	jobs := make(chan *result, 64)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range jobs {
				r.bd, r.err = readFeature(r.raw, opt.CRS)
				r.raw = nil
			}
		}()
	}
	typ, err := walkCollection(b, func(raw json.RawMessage) {
		r := &result{raw: raw}
		results = append(results, r)
		jobs <- r
	})
	close(jobs)
	wg.Wait()
	if err != nil {
		// The walk's errors place themselves less exactly than
		// json.Unmarshal's: a file that fails is read again for them.
		if uerr := json.Unmarshal(b, &datavFile{}); uerr != nil {
			err = JSONError(b, uerr)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if typ != "FeatureCollection" {
		return nil, fmt.Errorf("%s: not a GeoJSON FeatureCollection (type %q)", name, typ)
	}
	if len(results) == 0 {
		return nil, fmt.Errorf("%s: no features", name)
	}
	out := make([]Boundary, len(results))
	errs := make([]error, len(results))
	for i, r := range results {
		out[i], errs[i] = r.bd, r.err
	}
	results = nil
	seen := map[string]int{}
	for i, bd := range out {
		if err := errs[i]; err != nil {
			return nil, fmt.Errorf("%s: feature %d: %w", name, i+1, err)
		}
		if prev, dup := seen[bd.Code]; dup {
			return nil, fmt.Errorf("%s: feature %d: adcode %s repeats feature %d", name, i+1, bd.Code, prev)
		}
		seen[bd.Code] = i + 1
	}
	return out, nil
}

// walkCollection walks a FeatureCollection's top level, handing each
// feature to feature as it is found, and returns the collection's type.
func walkCollection(b []byte, feature func(json.RawMessage)) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil {
		return "", err
	} else if tok != json.Delim('{') {
		return "", errors.New("not a GeoJSON FeatureCollection (not an object)")
	}
	var typ string
	seenFeatures := false
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return "", err
		}
		switch key {
		case "type":
			if err := dec.Decode(&typ); err != nil {
				return "", err
			}
		case "features":
			// encoding/json would keep the last; two lists are more
			// likely a mistake than a replacement.
			if seenFeatures {
				return "", errors.New("features is given twice")
			}
			seenFeatures = true
			tok, err := dec.Token()
			if err != nil {
				return "", err
			}
			if tok == nil {
				continue // null: no features
			}
			if tok != json.Delim('[') {
				return "", errors.New("features is not an array")
			}
			for dec.More() {
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return "", err
				}
				feature(raw)
			}
			if _, err := dec.Token(); err != nil {
				return "", err
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return "", err
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return "", err
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", errors.New("data after the collection")
	}
	return typ, nil
}

// eachIndex calls fn(0) … fn(n-1) on GOMAXPROCS goroutines.
func eachIndex(n int, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

func readFeature(raw json.RawMessage, crs CRS) (Boundary, error) {
	var f datavFeature
	if err := json.Unmarshal(raw, &f); err != nil {
		return Boundary{}, err
	}
	code, err := adcode(f.Properties.Adcode)
	if err != nil || code == "" {
		return Boundary{}, errors.New("no adcode in properties")
	}
	bd := Boundary{Code: code, Name: f.Properties.Name, Level: f.Properties.Level}
	if bd.Name == "" {
		return Boundary{}, fmt.Errorf("adcode %s: no name", code)
	}
	bd.Parent = parentCode(f.Properties.Parent)
	if f.Geometry == nil || len(f.Geometry.Coordinates) == 0 || string(f.Geometry.Coordinates) == "null" {
		return Boundary{}, fmt.Errorf("%s %s: no geometry", code, bd.Name)
	}
	mp, err := parseMultiPolygon(f.Geometry.Type, f.Geometry.Coordinates)
	if err != nil {
		return Boundary{}, fmt.Errorf("%s %s: %w", code, bd.Name, err)
	}
	conv := func(p orb.Point) orb.Point { return p }
	if crs == GCJ02 {
		conv = GCJ02ToWGS84
	}
	for _, poly := range mp {
		for _, r := range poly {
			for k, p := range r {
				r[k] = conv(p)
			}
		}
	}
	if c := f.Properties.Center; len(c) >= 2 && validLonLat(c[0], c[1]) {
		bd.Seat = conv(orb.Point{c[0], c[1]})
	}
	bd.Geom, bd.Repairs = Repair(mp)
	if len(bd.Geom) == 0 {
		return Boundary{}, fmt.Errorf("%s %s: no polygon left after repair: %v", code, bd.Name, bd.Repairs.Fixed)
	}
	bd.AreaKm2 = AreaKm2(bd.Geom)
	bd.Label = LabelPoint(bd.Geom)
	if bd.Seat == (orb.Point{}) {
		bd.Seat = bd.Label
	}
	return bd, nil
}

func adcode(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", err
	}
	if _, err := strconv.ParseInt(n.String(), 10, 64); err != nil {
		return "", err
	}
	return n.String(), nil
}

func parentCode(raw json.RawMessage) string {
	if c, err := adcode(raw); err == nil {
		return c
	}
	var obj struct {
		Adcode json.RawMessage `json:"adcode"`
	}
	if json.Unmarshal(raw, &obj) == nil {
		c, _ := adcode(obj.Adcode)
		return c
	}
	return ""
}

func validLonLat(lon, lat float64) bool {
	return !math.IsNaN(lon) && !math.IsNaN(lat) && lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90
}

// JSONError turns a JSON decoder error's byte offset into a line number.
func JSONError(b []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off := min(int(se.Offset), len(b))
		return fmt.Errorf("malformed JSON at line %d: %v", 1+bytes.Count(b[:off], []byte("\n")), se)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		off := min(int(te.Offset), len(b))
		return fmt.Errorf("malformed GeoJSON at line %d: %v", 1+bytes.Count(b[:off], []byte("\n")), te)
	}
	return fmt.Errorf("malformed JSON: %w", err)
}
