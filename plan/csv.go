package plan

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/indmap/indmap/geo"
)

// A Row is one record by column name, with its line (a workbook's row)
// for errors.
type Row struct {
	Line   int
	cols   map[string]int // shared by every row of a file
	values []string
	sheet  string // the workbook sheet, "" for CSV and JSON
}

// at says where a column of the row is, for errors: "line 3", or
// `sheet "picks", row 3, column C (role)` in a workbook.
func (r Row) at(col string) string {
	if r.sheet == "" {
		return fmt.Sprintf("line %d", r.Line)
	}
	s := fmt.Sprintf("sheet %q, row %d", r.sheet, r.Line)
	if i, ok := r.cols[col]; ok {
		s += fmt.Sprintf(", column %s (%s)", columnName(i), col)
	}
	return s
}

// columnName is a 0-based column index as a spreadsheet names it (A, B,
// …, Z, AA …).
func columnName(i int) string {
	name := ""
	for i++; i > 0; i = (i - 1) / 26 {
		name = string(rune('A'+(i-1)%26)) + name
	}
	return name
}

// Get returns a column's trimmed value ("" for a column the file lacks).
func (r Row) Get(col string) string { return strings.TrimSpace(r.Raw(col)) }

// Raw returns a column's value exactly as written.
func (r Row) Raw(col string) string {
	if i, ok := r.cols[col]; ok && i < len(r.values) {
		return r.values[i]
	}
	return ""
}

// Limits bound a plan file: its bytes (0: no limit) and its records (0:
// no limit).
type Limits struct {
	MaxBytes   int64
	MaxRecords int
	// Workbook bounds what an .xlsx file may unpack to.
	Workbook WorkbookLimits
}

// ErrTooManyRecords is returned for a file with more records than its
// limit allows.
var ErrTooManyRecords = errors.New("too many records")

// ReadCSV reads a UTF-8 CSV (BOM allowed, at most maxBytes) whose header
// has every required column, and returns its records. Errors name the
// file and line.
func ReadCSV(r io.Reader, name string, maxBytes int64, required ...string) ([]Row, error) {
	b, err := readText(r, name, maxBytes)
	if err != nil {
		return nil, err
	}
	return parseCSV(b, name, 0, required...)
}

// readText reads a whole UTF-8 text file of at most maxBytes.
func readText(r io.Reader, name string, maxBytes int64) ([]byte, error) {
	b, err := geo.ReadAllLimited(r, maxBytes)
	if err == nil {
		b, err = geo.CheckText(b)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return b, nil
}

// parseCSV reads strict RFC 4180 CSV with encoding/csv as it is (line
// breaks inside quoted fields come back as \n), at most maxRecords
// records after the header (0: any number).
func parseCSV(b []byte, name string, maxRecords int, required ...string) ([]Row, error) {
	cr := csv.NewReader(bytes.NewReader(b))
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", name, csvError(err))
	}
	col, err := headerColumns(header, required)
	if err != nil {
		return nil, fmt.Errorf("%s: line 1: %w", name, err)
	}
	var rows []Row
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%s: line %d: %v", name, pe.Line, csvError(pe.Err))
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if maxRecords > 0 && len(rows) >= maxRecords {
			return nil, fmt.Errorf("%s: more than %d records: %w", name, maxRecords, ErrTooManyRecords)
		}
		line, _ := cr.FieldPos(0)
		rows = append(rows, Row{Line: line, cols: col, values: rec})
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no records after the header", name)
	}
	return rows, nil
}

// headerColumns maps a header's column names to their indexes and
// checks that every required column is there.
func headerColumns(header []string, required []string) (map[string]int, error) {
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	var missing []string
	for _, c := range required {
		if _, ok := col[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing column %s (header must have %s)", strings.Join(missing, ", "), strings.Join(required, ","))
	}
	return col, nil
}

// csvError explains encoding/csv's errors in the file's terms.
func csvError(err error) error {
	switch {
	case errors.Is(err, csv.ErrQuote), errors.Is(err, csv.ErrBareQuote):
		return fmt.Errorf("%w (RFC 4180: a field with a quote must be quoted as a whole, its quotes doubled)", err)
	case errors.Is(err, csv.ErrFieldCount):
		return fmt.Errorf("%w (every record needs as many fields as the header)", err)
	}
	return err
}

// PicksHeader is the contract header of a district-picks file.
var PicksHeader = []string{"unit_code", "unit_name", "role", "industry", "detail", "source"}

// ClustersHeader is the contract header of a clusters file.
var ClustersHeader = []string{"cluster", "industry", "level", "host_codes", "year", "source"}

// ReadPicks parses a district-picks CSV. Industries stay as written.
func ReadPicks(r io.Reader, name string, maxBytes int64) ([]Assignment, []int, error) {
	rows, err := ReadCSV(r, name, maxBytes, PicksHeader...)
	if err != nil {
		return nil, nil, err
	}
	return picksFromRows(rows, name)
}

// Field lengths a plan file may use, in characters: free text (a pick's
// detail, a source) and everything else (codes, names, roles). A 60-MB
// detail cell would otherwise be stored, kept in every revision and sent
// with every unit.
const (
	maxTextField  = 2000
	maxShortField = 200
)

// checkLengths refuses a row whose contract field (header) is longer
// than its kind allows; text names the free-text ones.
func checkLengths(row Row, name string, header []string, text ...string) error {
	for _, col := range header {
		limit := maxShortField
		if slices.Contains(text, col) {
			limit = maxTextField
		}
		if n := utf8.RuneCountInString(row.Raw(col)); n > limit {
			return fmt.Errorf("%s: %s: %s has %d characters, more than %d", name, row.at(col), col, n, limit)
		}
	}
	return nil
}

func picksFromRows(rows []Row, name string) ([]Assignment, []int, error) {
	out := make([]Assignment, 0, len(rows))
	lines := make([]int, 0, len(rows))
	for _, row := range rows {
		if err := checkLengths(row, name, PicksHeader, "detail", "source", "unit_name"); err != nil {
			return nil, nil, err
		}
		role, err := ParseRole(row.Get("role"))
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %s: %w", name, row.at("role"), err)
		}
		a := Assignment{Unit: row.Get("unit_code"), Role: role, Industry: row.Get("industry"),
			Detail: row.Raw("detail"), Source: row.Raw("source")}
		if a.Unit == "" {
			return nil, nil, fmt.Errorf("%s: %s: empty unit_code", name, row.at("unit_code"))
		}
		if a.Industry == "" {
			return nil, nil, fmt.Errorf("%s: %s: empty industry", name, row.at("industry"))
		}
		out = append(out, a)
		lines = append(lines, row.Line)
	}
	return out, lines, nil
}

// ReadClusters parses a clusters CSV.
func ReadClusters(r io.Reader, name string, maxBytes int64) ([]Cluster, []int, error) {
	rows, err := ReadCSV(r, name, maxBytes, ClustersHeader...)
	if err != nil {
		return nil, nil, err
	}
	return clustersFromRows(rows, name)
}

func clustersFromRows(rows []Row, name string) ([]Cluster, []int, error) {
	out := make([]Cluster, 0, len(rows))
	lines := make([]int, 0, len(rows))
	for _, row := range rows {
		// host_codes lists several codes.
		if err := checkLengths(row, name, ClustersHeader, "source", "host_codes"); err != nil {
			return nil, nil, err
		}
		fail := func(col, format string, args ...any) error {
			return fmt.Errorf("%s: %s: %s", name, row.at(col), fmt.Sprintf(format, args...))
		}
		level, err := ParseLevel(row.Get("level"))
		if err != nil {
			return nil, nil, fail("level", "%v", err)
		}
		c := Cluster{Name: row.Get("cluster"), Industry: row.Get("industry"), Level: level, Source: row.Raw("source")}
		if c.Name == "" {
			return nil, nil, fail("cluster", "empty cluster name")
		}
		for _, h := range strings.Split(row.Get("host_codes"), ";") {
			if h = strings.TrimSpace(h); h != "" {
				c.Hosts = append(c.Hosts, h)
			}
		}
		if len(c.Hosts) == 0 {
			return nil, nil, fail("host_codes", "cluster %s has no host_codes", c.Name)
		}
		if y := row.Get("year"); y != "" {
			if c.Year, err = strconv.Atoi(y); err != nil {
				return nil, nil, fail("year", "year %q is not a number", y)
			}
		}
		out = append(out, c)
		lines = append(lines, row.Line)
	}
	return out, lines, nil
}

// FileKind tells a plan file's format from its header line.
func FileKind(header string) (Kind, bool) {
	h := strings.TrimPrefix(strings.SplitN(header, "\n", 2)[0], "\ufeff")
	switch {
	case strings.Contains(h, "unit_code"):
		return DistrictPicks, true
	case strings.Contains(h, "cluster") || strings.Contains(h, "host_codes"):
		return Clusters, true
	}
	return "", false
}
