package plan

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"

	"github.com/xuri/excelize/v2"
)

// zipMagic starts every .xlsx workbook (a zip archive); oleMagic starts
// legacy .xls and password-protected workbooks, which are not read.
var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}
)

// XLSXType is the media type of .xlsx workbooks.
const XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// IsWorkbook reports whether b is, by its first bytes, an .xlsx workbook.
func IsWorkbook(b []byte) bool { return bytes.HasPrefix(b, zipMagic) }

// ErrUnpackTooLarge is returned for a workbook that would unpack to more
// than its limits allow (a zip bomb, or just too big a sheet).
var ErrUnpackTooLarge = errors.New("workbook too large once unpacked")

// WorkbookLimits bound what reading a workbook may cost; zero fields take
// DefaultWorkbookLimits'. The sizes a zip archive declares are checked
// before anything is unpacked (Go's archive/zip fails on a part that
// unpacks to more than it declared).
type WorkbookLimits struct {
	MaxUnpackedBytes int64 // all parts together, unpacked
	MaxRatio         int64 // unpacked/packed size of any part over 1 MiB
	MaxParts         int   // files in the archive
	MaxSheets        int
	MaxCells         int // cells read, blank ones included
	// MaxSharedStringsBytes bounds the shared strings part, unpacked:
	// excelize holds every shared string at once, at some twenty times
	// the part's size in memory (a 60 MB part of tiny strings took
	// 1.3 GB), so it is bounded far below the whole.
	MaxSharedStringsBytes int64
	// MaxStylesBytes bounds the styles part, unpacked: excelize parses it
	// whole, at some sixty times its size (15.5 MiB took 1 GB).
	MaxStylesBytes int64
}

// maxMetaPartBytes bounds each other part a plan is read from (content
// types, relationships, the workbook part): kilobytes in any real file.
const maxMetaPartBytes = 1 << 20

// DefaultWorkbookLimits: a 50,000-row plan sheet unpacks to about 10 MB
// and packs about 10:1; its shared strings (text repeated once) to a few
// MB.
var DefaultWorkbookLimits = WorkbookLimits{MaxUnpackedBytes: 64 << 20, MaxRatio: 100, MaxParts: 512, MaxSheets: 64, MaxCells: 1_000_000,
	MaxSharedStringsBytes: 8 << 20, MaxStylesBytes: 2 << 20}

func (l WorkbookLimits) withDefaults() WorkbookLimits {
	d := DefaultWorkbookLimits
	orDefault(&l.MaxUnpackedBytes, d.MaxUnpackedBytes)
	orDefault(&l.MaxRatio, d.MaxRatio)
	orDefault(&l.MaxParts, d.MaxParts)
	orDefault(&l.MaxSheets, d.MaxSheets)
	orDefault(&l.MaxCells, d.MaxCells)
	orDefault(&l.MaxSharedStringsBytes, d.MaxSharedStringsBytes)
	orDefault(&l.MaxStylesBytes, d.MaxStylesBytes)
	return l
}

// orDefault sets a limit that is not positive to its default.
func orDefault[T int | int64](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// A planPart is a part of a workbook that reading a plan needs.
type planPart int

const (
	otherPart planPart = iota // never given to excelize
	metaPart                  // content types, relationships, the workbook
	sheetPart
	sharedStringsPart
	stylesPart // cells are read as they are shown, which takes their formats
)

func partOf(name string) planPart {
	switch {
	case name == "[Content_Types].xml", name == "_rels/.rels", name == "xl/workbook.xml", name == "xl/_rels/workbook.xml.rels":
		return metaPart
	case path.Dir(name) == "xl/worksheets" && strings.HasSuffix(name, ".xml"):
		return sheetPart
	case strings.EqualFold(name, "xl/sharedStrings.xml"):
		return sharedStringsPart
	case name == "xl/styles.xml":
		return stylesPart
	}
	return otherPart
}

// planArchive is the workbook with only the parts a plan is read from,
// each within its limit: excelize parses whole whatever it is given
// (styles, calculation chains, drawings, comments, custom XML), so it
// is given nothing else. The parts are copied still compressed.
func planArchive(b []byte, l WorkbookLimits) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("not a readable .xlsx workbook: %w", err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		size := f.UncompressedSize64
		switch partOf(f.Name) {
		case otherPart:
			continue
		case metaPart:
			if size > maxMetaPartBytes {
				return nil, fmt.Errorf("part %s unpacks to %d bytes, more than %d: %w", f.Name, size, maxMetaPartBytes, ErrUnpackTooLarge)
			}
		case stylesPart:
			if size > uint64(l.MaxStylesBytes) {
				return nil, fmt.Errorf("its styles unpack to %d bytes, more than %d: %w", size, l.MaxStylesBytes, ErrUnpackTooLarge)
			}
			if err := checkNumberFormats(f); err != nil {
				return nil, err
			}
		}
		raw, err := f.OpenRaw()
		if err != nil {
			return nil, fmt.Errorf("not a readable .xlsx workbook: %s: %w", f.Name, err)
		}
		w, err := zw.CreateRaw(&f.FileHeader)
		if err != nil {
			return nil, err
		}
		if _, err := io.Copy(w, raw); err != nil {
			return nil, fmt.Errorf("not a readable .xlsx workbook: %s: %w", f.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// maxFormatCode is the longest number format Excel writes (255
// characters); excelize parses a format again for every cell that uses
// it, at a cost that grows with the square of its length.
const maxFormatCode = 255

var formatCode = regexp.MustCompile(`formatCode\s*=\s*("[^"]*"|'[^']*')`)

// checkNumberFormats refuses a styles part with a number format longer
// than Excel allows (the part is bounded before this unpacks it).
func checkNumberFormats(f *zip.File) error {
	r, err := f.Open()
	if err != nil {
		return fmt.Errorf("not a readable .xlsx workbook: %s: %w", f.Name, err)
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, int64(f.UncompressedSize64)+1))
	if err != nil {
		return fmt.Errorf("not a readable .xlsx workbook: %s: %w", f.Name, err)
	}
	for _, m := range formatCode.FindAllSubmatch(b, -1) {
		if n := len(m[1]) - 2; n > maxFormatCode {
			return fmt.Errorf("a number format of %d bytes in its styles, more than %d: %w", n, maxFormatCode, ErrUnpackTooLarge)
		}
	}
	return nil
}

// checkArchive refuses a workbook whose parts would unpack past the
// limits, before excelize unpacks any of them.
func checkArchive(b []byte, l WorkbookLimits) error {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return fmt.Errorf("not a readable .xlsx workbook: %w", err)
	}
	if len(zr.File) > l.MaxParts {
		return fmt.Errorf("%d parts in the archive, more than %d: %w", len(zr.File), l.MaxParts, ErrUnpackTooLarge)
	}
	var total uint64
	for _, f := range zr.File {
		size := f.UncompressedSize64
		if total += size; total > uint64(l.MaxUnpackedBytes) {
			return fmt.Errorf("unpacks to more than %d bytes: %w", l.MaxUnpackedBytes, ErrUnpackTooLarge)
		}
		if size > 1<<20 && size > uint64(l.MaxRatio)*max(f.CompressedSize64, 1) {
			return fmt.Errorf("part %s unpacks %d bytes from %d, more than %d:1: %w", f.Name, size, f.CompressedSize64, l.MaxRatio, ErrUnpackTooLarge)
		}
		if strings.EqualFold(path.Base(f.Name), "sharedStrings.xml") && size > uint64(l.MaxSharedStringsBytes) {
			return fmt.Errorf("its shared strings unpack to %d bytes, more than %d: %w", size, l.MaxSharedStringsBytes, ErrUnpackTooLarge)
		}
	}
	return nil
}

// parseWorkbook reads the first sheet whose first row is a plan file's
// header (picks or clusters), with the same columns and rules as CSV;
// other sheets (a matrix, notes) are ignored. Cells are read as they are
// shown; blank rows are skipped. Errors name the sheet, row and column.
func parseWorkbook(b []byte, name string, lim Limits) (Parsed, error) {
	l := lim.Workbook.withDefaults()
	if err := checkArchive(b, l); err != nil {
		return Parsed{}, fmt.Errorf("%s: %w", name, err)
	}
	b, err := planArchive(b, l)
	if err != nil {
		return Parsed{}, fmt.Errorf("%s: %w", name, err)
	}
	// Every part stays in memory (bounded above), none goes to a
	// temporary file.
	xf, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{UnzipSizeLimit: l.MaxUnpackedBytes, UnzipXMLSizeLimit: l.MaxUnpackedBytes})
	if err != nil {
		return Parsed{}, fmt.Errorf("%s: not a readable .xlsx workbook: %w", name, err)
	}
	defer xf.Close()
	sheets := xf.GetSheetList()
	if len(sheets) > l.MaxSheets {
		return Parsed{}, fmt.Errorf("%s: %d sheets, more than %d: %w", name, len(sheets), l.MaxSheets, ErrUnpackTooLarge)
	}
	cells := 0
	for _, sheet := range sheets {
		rows, kind, err := readSheet(xf, sheet, name, lim.MaxRecords, l.MaxCells, &cells)
		if err != nil {
			return Parsed{}, err
		}
		if kind == "" {
			continue
		}
		p := Parsed{Kind: kind, Sheet: sheet}
		if kind == DistrictPicks {
			p.Assignments, p.Lines, err = picksFromRows(rows, name)
		} else {
			p.Clusters, p.Lines, err = clustersFromRows(rows, name)
		}
		return p, err
	}
	return Parsed{}, fmt.Errorf("%s: no sheet starts with a plan header (%s, or %s); sheets: %s", name,
		strings.Join(PicksHeader, ","), strings.Join(ClustersHeader, ","), strings.Join(sheets, ", "))
}

// readSheet reads a sheet's records when its first row is a plan
// header; kind is "" for any other sheet.
func readSheet(xf *excelize.File, sheet, name string, maxRecords, maxCells int, cells *int) ([]Row, Kind, error) {
	it, err := xf.Rows(sheet)
	if err != nil {
		return nil, "", fmt.Errorf("%s: sheet %q: %w", name, sheet, err)
	}
	defer it.Close()
	var (
		kind    Kind
		cols    map[string]int
		width   int
		out     []Row
		rowNum  int
		maxRows = 0
	)
	if maxRecords > 0 {
		// Blank rows are skipped but still cost a little: bound them too.
		maxRows = 2*maxRecords + 1000
	}
	for it.Next() {
		rowNum++
		if maxRows > 0 && rowNum > maxRows {
			return nil, "", fmt.Errorf("%s: sheet %q: more than %d rows: %w", name, sheet, maxRows, ErrTooManyRecords)
		}
		values, err := it.Columns()
		if err != nil {
			return nil, "", fmt.Errorf("%s: sheet %q, row %d: %w", name, sheet, rowNum, err)
		}
		if *cells += len(values); *cells > maxCells {
			return nil, "", fmt.Errorf("%s: sheet %q: more than %d cells: %w", name, sheet, maxCells, ErrUnpackTooLarge)
		}
		if rowNum == 1 {
			k, ok := FileKind(strings.Join(values, ","))
			if !ok {
				return nil, "", nil
			}
			required := PicksHeader
			if k == Clusters {
				required = ClustersHeader
			}
			if cols, err = headerColumns(values, required); err != nil {
				return nil, "", fmt.Errorf("%s: sheet %q, row 1: %w", name, sheet, err)
			}
			kind, width = k, len(values)
			continue
		}
		blank := true
		for i, v := range values {
			if strings.TrimSpace(v) == "" {
				continue
			}
			blank = false
			if i >= width {
				return nil, "", fmt.Errorf("%s: sheet %q, row %d, column %s: a value outside the header's columns", name, sheet, rowNum, columnName(i))
			}
		}
		if blank {
			continue
		}
		if maxRecords > 0 && len(out) >= maxRecords {
			return nil, "", fmt.Errorf("%s: sheet %q: more than %d records: %w", name, sheet, maxRecords, ErrTooManyRecords)
		}
		out = append(out, Row{Line: rowNum, cols: cols, values: values, sheet: sheet})
	}
	if err := it.Error(); err != nil {
		return nil, "", fmt.Errorf("%s: sheet %q: %w", name, sheet, err)
	}
	if kind != "" && len(out) == 0 {
		return nil, "", fmt.Errorf("%s: sheet %q: no records after the header", name, sheet)
	}
	return out, kind, nil
}
