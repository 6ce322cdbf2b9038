// Package testxlsx makes .xlsx workbooks for tests: with excelize, as a
// planner's spreadsheet keeps them, and with LibreOffice, another tool.
package testxlsx

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// A Sheet is a named sheet's rows.
type Sheet struct {
	Name string
	Rows [][]string
}

// Book makes a workbook of sheets, in order. Below the first row,
// cells that are whole numbers are written as numbers, as a spreadsheet
// keeps codes and years typed in.
func Book(t testing.TB, sheets ...Sheet) []byte {
	t.Helper()
	xf := excelize.NewFile()
	defer xf.Close()
	for i, sh := range sheets {
		if i == 0 {
			if err := xf.SetSheetName("Sheet1", sh.Name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := xf.NewSheet(sh.Name); err != nil {
			t.Fatal(err)
		}
		for r, row := range sh.Rows {
			for c, v := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				var err error
				if n, nerr := strconv.Atoi(v); nerr == nil && r > 0 {
					err = xf.SetCellInt(sh.Name, cell, int64(n))
				} else {
					err = xf.SetCellStr(sh.Name, cell, v)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var b bytes.Buffer
	if _, err := xf.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Rows reads CSV text.
func Rows(t testing.TB, text string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// FromCSV is the workbook twin of a CSV file: its rows on one sheet.
func FromCSV(t testing.TB, sheet, text string) []byte {
	t.Helper()
	return Book(t, Sheet{sheet, Rows(t, text)})
}

// LibreOffice has LibreOffice convert a CSV file (UTF-8) to .xlsx and
// returns the workbook; the test is skipped where soffice is not
// installed (.ci/run installs it). LibreOffice's CSV import evaluates
// formulas, so text should not start with =.
func LibreOffice(t testing.TB, text string) []byte {
	t.Helper()
	if testing.Short() {
		t.Skip("LibreOffice conversions (4 s each) skipped under -short; make test runs them")
	}
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("soffice not installed (.ci/run installs libreoffice-calc-nogui)")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "plan.csv")
	if err := os.WriteFile(src, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	// CSV:44,34,76,1: comma-separated, double quotes, UTF-8, from line 1;
	// a profile of its own so that parallel runs do not share one.
	cmd := exec.Command(soffice, "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir", dir, src)
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	t.Logf("LibreOffice converted the CSV in %s", time.Since(start).Round(time.Millisecond))
	b, err := os.ReadFile(filepath.Join(dir, "plan.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ZipBomb is a small archive shaped like a workbook whose one sheet
// unpacks to 50 MiB of spaces.
func ZipBomb(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	w.Write(bytes.Repeat([]byte(" "), 50<<20))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
