package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/indmap/indmap/geo"
)

// Parsed is a plan file as read, before it is checked against a plan.
type Parsed struct {
	Kind        Kind
	Assignments []Assignment // district picks
	Clusters    []Cluster    // clusters
	// Lines gives each record's line in the file (its row in Sheet, for
	// a workbook).
	Lines []int
	// Sheet is the workbook sheet the records came from ("" for CSV and
	// JSON).
	Sheet string
}

// ParseFile reads a plan file: CSV with the picks or clusters header,
// JSON ({"assignments": [...]} or {"clusters": [...]}, each record with
// the CSV's column names as keys), or an .xlsx workbook with a sheet in
// the CSV's columns (told by its content: a zip archive).
func ParseFile(r io.Reader, name string, maxBytes int64) (Parsed, error) {
	return ParseFileLimits(r, name, Limits{MaxBytes: maxBytes})
}

// ParseFileLimits is ParseFile with a limit on records too (errors wrap
// ErrTooManyRecords past it).
func ParseFileLimits(r io.Reader, name string, lim Limits) (Parsed, error) {
	raw, err := geo.ReadAllLimited(r, lim.MaxBytes)
	if err != nil {
		return Parsed{}, fmt.Errorf("%s: %w", name, err)
	}
	if IsWorkbook(raw) {
		return parseWorkbook(raw, name, lim)
	}
	if bytes.HasPrefix(raw, oleMagic) {
		return Parsed{}, fmt.Errorf("%s: a legacy .xls or password-protected workbook; save it as an .xlsx workbook without a password, or as CSV", name)
	}
	b, err := geo.CheckText(raw)
	if err != nil {
		return Parsed{}, fmt.Errorf("%s: %w", name, err)
	}
	if t := bytes.TrimSpace(b); t[0] == '{' || t[0] == '[' {
		return parseJSONFile(b, name, lim.MaxRecords)
	}
	header := strings.SplitN(string(b), "\n", 2)[0]
	var p Parsed
	switch k, _ := FileKind(header); k {
	case DistrictPicks:
		rows, err := parseCSV(b, name, lim.MaxRecords, PicksHeader...)
		if err != nil {
			return p, err
		}
		p.Assignments, p.Lines, err = picksFromRows(rows, name)
		p.Kind = k
		return p, err
	case Clusters:
		rows, err := parseCSV(b, name, lim.MaxRecords, ClustersHeader...)
		if err != nil {
			return p, err
		}
		p.Clusters, p.Lines, err = clustersFromRows(rows, name)
		p.Kind = k
		return p, err
	}
	return p, fmt.Errorf("%s: line 1: header is neither %s nor %s", name,
		strings.Join(PicksHeader, ","), strings.Join(ClustersHeader, ","))
}

// jsonRecord is one JSON record; host_codes may be a list or a
// ;-separated string, codes and year numbers or strings.
type jsonRecord map[string]json.RawMessage

func (r jsonRecord) str(key string) (string, error) {
	raw, ok := r[key]
	if !ok || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return jsonNumberText(n), nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err == nil {
		items := make([]string, len(list))
		for i, item := range list {
			if err := json.Unmarshal(item, &items[i]); err == nil {
				continue
			}
			if err := json.Unmarshal(item, &n); err == nil {
				items[i] = jsonNumberText(n)
				continue
			}
			return "", fmt.Errorf("%s: item %d: want a string or a number, got %s", key, i+1, item)
		}
		return strings.Join(items, ";"), nil
	}
	return "", fmt.Errorf("%s: want a string or a number, got %s", key, raw)
}

// jsonNumberText writes a number as a code or year would be written: a
// whole number without exponent or fraction (500120.0 and 5.0012e5 are
// 500120), anything else as given.
func jsonNumberText(n json.Number) string {
	if f, err := n.Float64(); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return strconv.FormatInt(int64(f), 10)
	}
	return n.String()
}

// MaxJSONDepth is how deep a JSON plan file may nest objects and
// arrays: it needs four levels ({"clusters": [{"host_codes": […]}]}).
const MaxJSONDepth = 8

func parseJSONFile(b []byte, name string, maxRecords int) (Parsed, error) {
	if err := geo.CheckDepth(b, MaxJSONDepth); err != nil {
		return Parsed{}, fmt.Errorf("%s: %w", name, err)
	}
	if err := geo.CheckDuplicateKeys(b); err != nil {
		return Parsed{}, fmt.Errorf("%s: %w", name, err)
	}
	const want = `want an object with "assignments" or "clusters" (one of them)`
	if t := bytes.TrimSpace(b); len(t) == 0 || t[0] != '{' {
		return Parsed{}, fmt.Errorf("%s: %s", name, want)
	}
	var doc struct {
		Assignments []json.RawMessage `json:"assignments"`
		Clusters    []json.RawMessage `json:"clusters"`
		// What an export says of itself (FileJSON and the API's export),
		// read back and ignored.
		Plan     json.RawMessage `json:"plan"`
		Kind     json.RawMessage `json:"kind"`
		Revision json.RawMessage `json:"revision"`
		ETag     json.RawMessage `json:"etag"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	// A key indmap does not read is a mistake to say, not to ignore.
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		if strings.HasPrefix(err.Error(), "json: unknown field") {
			return Parsed{}, fmt.Errorf("%s: %s (%v)", name, want, strings.TrimPrefix(err.Error(), "json: "))
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return Parsed{}, fmt.Errorf("%s: %q must be a list of records", name, te.Field)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return Parsed{}, fmt.Errorf("%s: malformed JSON at line %d: the file ends too soon", name, 1+bytes.Count(b, []byte("\n")))
		}
		return Parsed{}, fmt.Errorf("%s: %w", name, geo.JSONError(b, err))
	}
	var p Parsed
	var items []json.RawMessage
	var header []string
	switch {
	case doc.Assignments != nil && doc.Clusters == nil:
		p.Kind, items, header = DistrictPicks, doc.Assignments, PicksHeader
	case doc.Clusters != nil && doc.Assignments == nil:
		p.Kind, items, header = Clusters, doc.Clusters, ClustersHeader
	default:
		return p, fmt.Errorf("%s: %s", name, want)
	}
	if len(items) == 0 {
		return p, fmt.Errorf("%s: no records", name)
	}
	if maxRecords > 0 && len(items) > maxRecords {
		return p, fmt.Errorf("%s: %d records, more than %d: %w", name, len(items), maxRecords, ErrTooManyRecords)
	}
	cols := map[string]int{}
	for i, c := range header {
		cols[c] = i
	}
	rows := make([]Row, len(items))
	lines := lineFinder{b: b, line: 1}
	for i, raw := range items {
		line := lines.next(raw)
		var rec jsonRecord
		if err := json.Unmarshal(raw, &rec); err != nil {
			return p, fmt.Errorf("%s: line %d: record %d is not an object", name, line, i+1)
		}
		rows[i] = Row{Line: line, cols: cols, values: make([]string, len(header))}
		for k, col := range header {
			v, err := rec.str(col)
			if err != nil {
				return p, fmt.Errorf("%s: line %d: %w", name, line, err)
			}
			rows[i].values[k] = v
		}
	}
	var err error
	if p.Kind == DistrictPicks {
		p.Assignments, p.Lines, err = picksFromRows(rows, name)
	} else {
		p.Clusters, p.Lines, err = clustersFromRows(rows, name)
	}
	return p, err
}

// lineFinder gives the lines of a list's records, in order, in one pass
// over b: each record (its bytes as written: a json.RawMessage is a copy
// of them) is searched for after the one before it, so identical
// records get their own lines and 50,000 records cost one scan, not
// 50,000.
type lineFinder struct {
	b    []byte
	pos  int // where the search goes on
	line int // the line at pos
}

func (f *lineFinder) next(part []byte) int {
	i := bytes.Index(f.b[f.pos:], part)
	if i < 0 {
		return 0
	}
	f.line += bytes.Count(f.b[f.pos:f.pos+i], []byte("\n"))
	line := f.line
	f.line += bytes.Count(part, []byte("\n"))
	f.pos += i + len(part)
	return line
}

// jsonLineError is geo.JSONError for plan files.
func jsonLineError(b []byte, err error) error { return geo.JSONError(b, err) }

// Normalize maps a parsed file's industries to catalogue codes where they
// match and keeps everything else as written: what a write stores once
// validation has passed (or was overridden).
func (p *Plan) Normalize(parsed Parsed) ([]Assignment, []Cluster) {
	as := make([]Assignment, len(parsed.Assignments))
	for i, a := range parsed.Assignments {
		if in, ok := p.Industry(a.Industry); ok {
			a.Industry = in.Code
		}
		as[i] = a
	}
	cs := make([]Cluster, len(parsed.Clusters))
	for i, c := range parsed.Clusters {
		if in, ok := p.Industry(c.Industry); ok {
			c.Industry = in.Code
		}
		cs[i] = c
	}
	return as, cs
}
