package plan

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/indmap/indmap/internal/testxlsx"
	"github.com/xuri/excelize/v2"
)

// workbook makes an .xlsx with sheets of rows, in order.
func workbook(t testing.TB, sheets map[string][][]string, order ...string) []byte {
	t.Helper()
	var shs []testxlsx.Sheet
	for _, name := range order {
		shs = append(shs, testxlsx.Sheet{Name: name, Rows: sheets[name]})
	}
	return testxlsx.Book(t, shs...)
}

func parse(t testing.TB, b []byte, name string) Parsed {
	t.Helper()
	p, err := ParseFileLimits(bytes.NewReader(b), name, Limits{MaxRecords: 50_000})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// sameRecords compares what two files say, lines included.
func sameRecords(t *testing.T, got, want Parsed) {
	t.Helper()
	if got.Kind != want.Kind || !reflect.DeepEqual(got.Assignments, want.Assignments) ||
		!reflect.DeepEqual(got.Clusters, want.Clusters) || !reflect.DeepEqual(got.Lines, want.Lines) {
		t.Errorf("workbook and CSV differ:\n%+v\n%+v", got, want)
	}
}

// TestWorkbookLikeItsCSVTwin: the default plans' CSV files, put in a
// workbook (after a notes sheet, codes and years as numbers), read as
// the same records on the same rows.
func TestWorkbookLikeItsCSVTwin(t *testing.T) {
	for _, file := range []string{"chongqing-2023-reported.csv", "shandong-clusters.csv"} {
		t.Run(file, func(t *testing.T) {
			text, err := defaultFiles.ReadFile("defaults/" + file)
			if err != nil {
				t.Fatal(err)
			}
			rows := testxlsx.Rows(t, string(text))
			if file == "shandong-clusters.csv" {
				// The defaults name their columns for the loader; a plan
				// file has the contract's.
				rows = clustersContract(t, rows)
				text = csvText(t, rows)
			}
			xlsx := workbook(t, map[string][][]string{"说明": {{"indmap plan"}}, "picks": rows}, "说明", "picks")
			got, want := parse(t, xlsx, "t.xlsx"), parse(t, text, "t.csv")
			sameRecords(t, got, want)
			if got.Sheet != "picks" || len(got.Lines) == 0 {
				t.Errorf("sheet %q, %d records", got.Sheet, len(got.Lines))
			}
		})
	}
}

// clustersContract maps the default clusters file onto the contract's
// columns.
func clustersContract(t testing.TB, rows [][]string) [][]string {
	t.Helper()
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	out := [][]string{ClustersHeader}
	for _, r := range rows[1:] {
		rec := make([]string, len(ClustersHeader))
		for i, h := range ClustersHeader {
			if k, ok := col[h]; ok {
				rec[i] = r[k]
			}
		}
		out = append(out, rec)
	}
	if len(out) < 2 || out[1][0] == "" || out[1][3] == "" {
		t.Fatalf("clusters columns: %v", rows[0])
	}
	return out
}

func csvText(t testing.TB, rows [][]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.WriteAll(rows)
	return b.Bytes()
}

// TestWorkbookFromLibreOffice: a workbook LibreOffice made from a CSV
// (its own writer, numbers typed by its CSV import) reads as the CSV.
func TestWorkbookFromLibreOffice(t *testing.T) {
	text := "unit_code,unit_name,role,industry,detail,source\n" +
		"500120,璧山区,main,CQ-ICV,\"新能源汽车, 智能网联\",\"a \"\"quoted\"\" source\"\n" +
		"500120,璧山区,main,CQ-EIM,,\n500120,璧山区,main,先进材料,,b\n500103,渝中区,special,CQ-SIS,-x,\n"
	xlsx := testxlsx.LibreOffice(t, text)
	sameRecords(t, parse(t, xlsx, "picks.xlsx"), parse(t, []byte(text), "picks.csv"))
}

func TestWorkbookErrors(t *testing.T) {
	header := PicksHeader
	ok := []string{"500120", "璧山区", "main", "CQ-ICV", "", ""}
	var many [][]string
	for i := 0; i < 70; i++ {
		many = append(many, []string{"x"})
	}
	tests := []struct {
		name     string
		book     []byte
		lim      Limits
		want     string
		sentinel error
	}{
		{"bad role", workbook(t, map[string][][]string{"表1": {header, ok, {"500120", "璧山区", "boss", "CQ-ICV"}}}, "表1"),
			Limits{}, `t.xlsx: sheet "表1", row 3, column C (role): unknown role "boss"`, nil},
		{"empty industry", workbook(t, map[string][][]string{"s": {header, ok, {}, {"500120", "璧山区", "main", " "}}}, "s"),
			Limits{}, `sheet "s", row 4, column D (industry): empty industry`, nil},
		{"missing column", workbook(t, map[string][][]string{"s": {{"unit_code", "role", "industry"}, ok}}, "s"),
			Limits{}, `sheet "s", row 1: missing column unit_name, detail, source`, nil},
		{"value beyond the header", workbook(t, map[string][][]string{"s": {header, append(append([]string(nil), ok...), "", "stray")}}, "s"),
			Limits{}, `sheet "s", row 2, column H: a value outside the header's columns`, nil},
		{"no plan sheet", workbook(t, map[string][][]string{"a": {{"x", "y"}}, "b": {{"z"}}}, "a", "b"),
			Limits{}, "no sheet starts with a plan header", nil},
		{"header only", workbook(t, map[string][][]string{"s": {header}}, "s"), Limits{}, `sheet "s": no records after the header`, nil},
		{"too many records", workbook(t, map[string][][]string{"s": {header, ok, ok, ok}}, "s"),
			Limits{MaxRecords: 2}, "more than 2 records", ErrTooManyRecords},
		{"too many cells", workbook(t, map[string][][]string{"s": {header, ok, ok, ok}}, "s"),
			Limits{Workbook: WorkbookLimits{MaxCells: 10}}, "more than 10 cells", ErrUnpackTooLarge},
		{"too many sheets", manySheets(t, 70), Limits{}, "70 sheets, more than 64", ErrUnpackTooLarge},
		{"unpacks too large", workbook(t, map[string][][]string{"s": append([][]string{header}, many...)}, "s"),
			Limits{Workbook: WorkbookLimits{MaxUnpackedBytes: 4000}}, "unpacks to more than 4000 bytes", ErrUnpackTooLarge},
		{"zip bomb", testxlsx.ZipBomb(t), Limits{}, "more than 100:1", ErrUnpackTooLarge},
		// 200 distinct details make a shared strings part of some 12 KB.
		{"shared strings", workbook(t, map[string][][]string{"s": append([][]string{header}, distinct(200)...)}, "s"),
			Limits{Workbook: WorkbookLimits{MaxSharedStringsBytes: 2000}}, "shared strings unpack to", ErrUnpackTooLarge},
		{"not a workbook", []byte("PK\x03\x04 but not a zip"), Limits{}, "not a readable .xlsx workbook", nil},
		{"legacy xls", append([]byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}, make([]byte, 100)...), Limits{}, "save it as an .xlsx workbook", nil},
		{"bytes limit first", workbook(t, map[string][][]string{"s": {header, ok}}, "s"), Limits{MaxBytes: 100}, "over 100 bytes", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseFileLimits(bytes.NewReader(tc.book), "t.xlsx", tc.lim)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
			if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
				t.Errorf("err %v is not %v", err, tc.sentinel)
			}
		})
	}
}

// distinct is n picks rows with distinct details.
func distinct(n int) [][]string {
	var out [][]string
	for i := 0; i < n; i++ {
		out = append(out, []string{"500120", "璧山区", "main", "CQ-ICV", "detail number " + strconv.Itoa(i), "s"})
	}
	return out
}

func manySheets(t testing.TB, n int) []byte {
	sheets := map[string][][]string{}
	var order []string
	for i := 0; i < n; i++ {
		name := "s" + strconv.Itoa(i)
		sheets[name] = [][]string{{"x"}}
		order = append(order, name)
	}
	return workbook(t, sheets, order...)
}

// TestWorkbookExportReadsBack: an exported workbook's contract sheet is
// a plan file giving the same records; its matrix marks the roles; a
// formula-like text stays text.
func TestWorkbookExportReadsBack(t *testing.T) {
	p, units := picksFixture()
	p.Title = "测试"
	for i := range p.Catalogue {
		p.Catalogue[i].Tier, p.Catalogue[i].TierName = 2, "乙类"
	}
	p.Catalogue[0].Tier, p.Catalogue[0].TierName = 1, "甲类"
	p.Catalogue[1].Tier, p.Catalogue[1].TierName = 1, "甲类"
	p.Assignments = picks("a:main:I1 a:special:I2 b:main:I3 z:main:I9")
	p.Assignments[0].Detail = "=HYPERLINK(\"http://x\")"
	var b bytes.Buffer
	if err := WriteWorkbook(&b, p, units, Chinese, time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	got := parse(t, b.Bytes(), "out.xlsx")
	if got.Sheet != SheetAssignments || len(got.Assignments) != 4 {
		t.Fatalf("read back %+v", got)
	}
	for i, a := range got.Assignments {
		want := p.Assignments[i]
		if in, ok := p.Industry(a.Industry); ok {
			a.Industry = in.Code
		}
		if a.Unit != want.Unit || a.Role != want.Role || a.Industry != want.Industry || a.Detail != want.Detail {
			t.Errorf("record %d: %+v, want %+v", i, a, want)
		}
	}
	xf, err := excelize.OpenReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer xf.Close()
	if f, _ := xf.GetCellFormula(SheetAssignments, "E2"); f != "" {
		t.Errorf("a detail became the formula %q", f)
	}
	rows, _ := xf.GetRows(SheetMatrix)
	if len(rows) < 6 || rows[0][2] != "甲类" || rows[1][0] != "单位代码" || rows[1][2] != "一" {
		t.Fatalf("matrix header %v", rows[:2])
	}
	byUnit := map[string][]string{}
	for _, r := range rows[2:] {
		byUnit[r[0]] = r
	}
	if a := byUnit["a"]; len(a) < 4 || a[1] != "甲区" || a[2] != "主导" || a[3] != "特色" {
		t.Errorf("甲区 row %v", a)
	}
	if z := byUnit["z"]; z[len(z)-1] != "主导" || rows[1][len(z)-1] != "I9" || rows[0][len(z)-1] != "目录外" {
		t.Errorf("an industry outside the catalogue: %v / %v", z, rows[1])
	}
	if merged, _ := xf.GetMergeCells(SheetMatrix); len(merged) == 0 || merged[0].GetCellValue() != "甲类" {
		t.Errorf("tier not merged: %v", merged)
	}
	// Same plan, same bytes.
	var again bytes.Buffer
	WriteWorkbook(&again, p, units, Chinese, time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC))
	if !bytes.Equal(again.Bytes(), b.Bytes()) {
		t.Error("the same plan gave another workbook")
	}
}

func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{"": "", "abc": "abc", "=1+1": "'=1+1", "@SUM(A1)": "'@SUM(A1)", "+1": "+1",
		"-3.5": "-3.5", "-x": "'-x", "+cmd": "'+cmd", "\tx": "'\tx", "\rx": "'\rx", "璧山区": "璧山区"} {
		if got := SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

// BenchmarkParseWorkbook50k reads a workbook of 50,000 picks (the
// default record limit).
func BenchmarkParseWorkbook50k(b *testing.B) {
	rows := [][]string{PicksHeader}
	for i := 0; i < 50_000; i++ {
		rows = append(rows, []string{strconv.Itoa(500000 + i%40), "某区", "special", "CQ-ICV", "细分领域 " + strconv.Itoa(i), "来源"})
	}
	xlsx := workbook(b, map[string][][]string{"s": rows}, "s")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ParseFileLimits(bytes.NewReader(xlsx), "big.xlsx", Limits{MaxRecords: 50_000}); err != nil {
			b.Fatal(err)
		}
	}
}

// withPart is the workbook b with a part replaced or added.
func withPart(t testing.TB, b []byte, name string, content []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if f.Name == name {
			continue
		}
		w, _ := zw.CreateRaw(&f.FileHeader)
		r, _ := f.OpenRaw()
		io.Copy(w, r)
	}
	w, _ := zw.Create(name)
	w.Write(content)
	zw.Close()
	return out.Bytes()
}

// bulkyXML is about n bytes of an XML part that packs some 10:1 (under
// the ratio limit), as a hostile upload would make it.
func bulkyXML(root, elem string, n int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><` + root + ` xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, `<%s r="A%d" i="%d" l="%x"/>`, elem, i, i%97, i*2654435761)
	}
	b.WriteString(`</` + root + `>`)
	return b.Bytes()
}

// TestWorkbookPartsBounded: excelize is given only the parts a plan is
// read from. Styles are bounded on their own; a calculation chain,
// drawings, comments and custom XML, however large, are never unpacked
// (reading the workbook costs what it costs without them).
func TestWorkbookPartsBounded(t *testing.T) {
	base := workbook(t, map[string][][]string{"s": {PicksHeader, {"500120", "璧山区", "main", "CQ-ICV", "", "s"}}}, "s")
	lim := Limits{Workbook: WorkbookLimits{MaxUnpackedBytes: 64 << 20}}
	allocs := func(b []byte) (uint64, error) {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := ParseFileLimits(bytes.NewReader(b), "t.xlsx", lim)
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc, err
	}
	// Reading the body and copying packed parts cost a few times its
	// size; unpacking a 12 MiB part would cost more than that.
	plain, err := allocs(base)
	if err != nil {
		t.Fatal(err)
	}

	styles := withPart(t, base, "xl/styles.xml", bulkyXML("styleSheet", "numFmt", 15<<20))
	if n, err := allocs(styles); !errors.Is(err, ErrUnpackTooLarge) || !strings.Contains(err.Error(), "its styles unpack to") || n > plain+uint64(3*len(styles)) {
		t.Errorf("15 MiB of styles: %v, %d MB allocated", err, n>>20)
	}
	parts := []struct{ name, root, elem string }{
		{"xl/calcChain.xml", "calcChain", "c"},
		{"xl/drawings/drawing1.xml", "wsDr", "twoCellAnchor"},
		{"xl/comments1.xml", "comments", "comment"},
		{"customXml/item1.xml", "root", "item"},
		{"xl/theme/theme1.xml", "theme", "clr"},
	}
	if testing.Short() {
		parts = parts[:2] // half a second each
	}
	for _, part := range parts {
		b := withPart(t, base, part.name, bulkyXML(part.root, part.elem, 12<<20))
		n, err := allocs(b)
		if err != nil {
			t.Errorf("%s: %v", part.name, err)
			continue
		}
		// The body is read and its packed parts copied; nothing is
		// unpacked.
		if n > plain+uint64(3*len(b)) {
			t.Errorf("%s of 12 MiB (%d KB packed): %d MB allocated, %d MB without it", part.name, len(b)>>10, n>>20, plain>>20)
		}
	}
}

// TestLongNumberFormatRefused: a number format longer than Excel's 255
// characters (excelize would parse it again for every cell, in time
// growing with its square) is refused before excelize sees it.
func TestLongNumberFormatRefused(t *testing.T) {
	base := workbook(t, map[string][][]string{"s": {PicksHeader, {"500120", "璧山区", "main", "CQ-ICV", "", "s"}}}, "s")
	styles := func(code string) []byte {
		return []byte(`<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
			`<numFmts count="1"><numFmt numFmtId="200" formatCode="` + code + `"/></numFmts></styleSheet>`)
	}
	_, err := ParseFileLimits(bytes.NewReader(withPart(t, base, "xl/styles.xml", styles(strings.Repeat("0", 10_000)))), "t.xlsx", Limits{})
	if !errors.Is(err, ErrUnpackTooLarge) || !strings.Contains(err.Error(), "number format of 10000 bytes") {
		t.Errorf("a 10,000-character format: %v", err)
	}
	if _, err := ParseFileLimits(bytes.NewReader(withPart(t, base, "xl/styles.xml", styles("#,##0.00"))), "t.xlsx", Limits{}); err != nil {
		t.Errorf("an ordinary format: %v", err)
	}
}
