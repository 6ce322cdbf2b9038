package api

import (
	"encoding/csv"
	"net/http"
	"regexp"

	"github.com/labstack/echo/v4"
)

// writeCSV answers rows as CSV (RFC 4180), every cell made safe for
// spreadsheets first (safeCell).
func writeCSV(c echo.Context, rows [][]string) error {
	c.Response().Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	for _, row := range rows {
		safe := make([]string, len(row))
		for i, cell := range row {
			safe[i] = safeCell(cell)
		}
		if err := w.Write(safe); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

// safeCell neutralises a cell a spreadsheet would run as a formula (CSV
// injection, as OWASP describes it): one that starts with =, +, -, @, a
// tab or a carriage return gets a leading apostrophe, which spreadsheets
// show as text. Plain numbers (-3.5) are left as they are.
func safeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '@', '\t', '\r':
		return "'" + s
	case '+', '-':
		if plainNumber.MatchString(s) {
			return s
		}
		return "'" + s
	}
	return s
}

// plainNumber is a signed decimal number, which no spreadsheet runs.
var plainNumber = regexp.MustCompile(`^[+-][0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)
