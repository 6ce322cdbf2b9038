package api

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/plan"
	"github.com/labstack/echo/v4"
)

func (h *handlers) plan(c echo.Context) (*plan.Plan, error) {
	p, ok := snapshotOf(c).Plan(c.Param("id"))
	if !ok {
		return nil, notFound("no plan %s", c.Param("id"))
	}
	return p, nil
}

// validation answers the stored plan's report, computed once per data
// version, in the answer's language; with ?as_of= against the units in
// force that day. Every report says the day it was checked against.
func (h *handlers) validation(c echo.Context) error {
	p, err := h.plan(c)
	if err != nil {
		return err
	}
	asOf, err := dateParam(c, "as_of", "")
	if err != nil {
		return err
	}
	snap := snapshotOf(c)
	r, _ := snap.Report(p.ID)
	if asOf != "" && asOf != r.AsOf {
		// The stored plan against the units in force on another day.
		stored := r
		if r, err = snap.Validate(p, plan.Parsed{Kind: p.Kind, Assignments: p.Assignments, Clusters: p.Clusters}, asOf); err != nil {
			return err
		}
		r.Subject, r.Revision = stored.Subject, stored.Revision
		c.Set(versionKey, fmt.Sprintf("v%d-%s", snap.Version, asOf))
	}
	if r, err = localized(c, r); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

// validate checks a plan file in the body (CSV, JSON or .xlsx) against
// the plan, storing nothing.
func (h *handlers) validate(c echo.Context) error {
	release, err := h.admit(c)
	if err != nil {
		return err
	}
	defer release()
	cf, err := h.checkFile(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cf.report)
}

// A checkedFile is a plan file from a request body, validated against
// its plan (with the units in force on ?as_of=) and worded in the
// answer's language.
type checkedFile struct {
	plan   *plan.Plan
	file   bodyFile
	report plan.Report
}

// checkFile reads and validates the body's plan file for validate and
// diff (the caller has admitted the request).
func (h *handlers) checkFile(c echo.Context) (checkedFile, error) {
	p, err := h.plan(c)
	if err != nil {
		return checkedFile{}, err
	}
	lang, err := answerLang(c)
	if err != nil {
		return checkedFile{}, err
	}
	asOf, err := dateParam(c, "as_of", "")
	if err != nil {
		return checkedFile{}, err
	}
	f, err := h.parseBody(c, h.limits.ValidateMaxBytes, anonymousWorkbook)
	if err != nil {
		return checkedFile{}, err
	}
	r, err := snapshotOf(c).Validate(p, f.Parsed, asOf)
	if err != nil {
		return checkedFile{}, problem(http.StatusBadRequest, typeBadBody, "%s: %v", f.Name, err)
	}
	r.Subject = f.Name
	return checkedFile{plan: p, file: f, report: r.Localize(lang)}, nil
}

// admit holds a request anyone may make with a file (validate, diff) to
// its client's limits: a few at once, and a processing budget per
// minute that the whole request is charged to (reading, validating,
// comparing and encoding the answer). The caller calls release when
// the answer is written.
func (h *handlers) admit(c echo.Context) (release func(), err error) {
	done, err := h.validations.acquire(c, clientKey(c))
	if err != nil {
		return nil, err
	}
	start := time.Now()
	return func() { done(time.Since(start)) }, nil
}

// anonymousWorkbook bounds a workbook anyone may send (validate, diff)
// well below a planner's: a plan sheet of thousands of rows fits.
var anonymousWorkbook = plan.WorkbookLimits{MaxUnpackedBytes: 16 << 20, MaxCells: 300_000, MaxSharedStringsBytes: 4 << 20, MaxStylesBytes: 1 << 20}

// A bodyFile is a plan file read from a request body, with its name.
type bodyFile struct {
	plan.Parsed
	Name string
}

// bodyName names a request's file for errors and reports: ?name=, else
// Content-Disposition's filename, else "body". Only the base name is
// kept.
func bodyName(c echo.Context) string {
	name := c.QueryParam("name")
	if name == "" {
		if _, params, err := mime.ParseMediaType(c.Request().Header.Get("Content-Disposition")); err == nil {
			name = params["filename"]
		}
	}
	name = path.Base(strings.ReplaceAll(strings.TrimSpace(name), `\`, "/"))
	if name == "" || name == "." || name == "/" || len(name) > 200 {
		return "body"
	}
	return name
}

// parseBody reads a plan file (CSV, JSON or .xlsx, told by its content)
// from the request body, at most limit bytes and the configured number
// of records: 413 past either (or past a workbook's unpacking limits),
// 400 naming the line (or sheet, row and column) for bad content.
func (h *handlers) parseBody(c echo.Context, limit int64, workbook plan.WorkbookLimits) (bodyFile, error) {
	name := bodyName(c)
	if n := c.Request().ContentLength; n > limit {
		// Said up front: no need to read it.
		return bodyFile{}, problem(http.StatusRequestEntityTooLarge, typeTooLarge, "%s: %d bytes, more than %d", name, n, limit)
	}
	b, err := geo.ReadAllLimited(http.MaxBytesReader(c.Response(), c.Request().Body, limit), limit)
	if typ, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType)); err == nil && typ == plan.XLSXType && !plan.IsWorkbook(b) {
		return bodyFile{}, problem(http.StatusBadRequest, typeBadBody, "%s: Content-Type says .xlsx, but the body is not a workbook (a zip archive)", name)
	}
	if err == nil && plan.IsWorkbook(b) {
		// A workbook costs memory far beyond its size while it is read:
		// only a few are read at once, server-wide.
		release, err := h.workbookSlot(c)
		if err != nil {
			return bodyFile{}, err
		}
		defer release()
	}
	var parsed plan.Parsed
	if err == nil {
		parsed, err = plan.ParseFileLimits(bytes.NewReader(b), name, plan.Limits{MaxBytes: limit, MaxRecords: h.limits.MaxRecords, Workbook: workbook})
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.Is(err, geo.ErrTooLarge) || errors.As(err, &tooBig):
			return bodyFile{}, problem(http.StatusRequestEntityTooLarge, typeTooLarge, "%s: larger than %d bytes", name, limit)
		case errors.Is(err, plan.ErrTooManyRecords), errors.Is(err, plan.ErrUnpackTooLarge):
			return bodyFile{}, problem(http.StatusRequestEntityTooLarge, typeTooLarge, "%v", err)
		}
		return bodyFile{}, problem(http.StatusBadRequest, typeBadBody, "%v", err)
	}
	return bodyFile{Parsed: parsed, Name: name}, nil
}
