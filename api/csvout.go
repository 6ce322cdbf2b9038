package api

import (
	"net/http"

	"github.com/indmap/indmap/plan"
	"github.com/labstack/echo/v4"
)

// writeCSV answers rows as CSV (RFC 4180), every cell made safe for
// spreadsheets first (plan.SafeCell).
func writeCSV(c echo.Context, rows [][]string) error {
	c.Response().Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	c.Response().WriteHeader(http.StatusOK)
	return plan.WriteCSV(c.Response(), rows)
}
