package api

import (
	"errors"
	"net/http"
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
// version.
func (h *handlers) validation(c echo.Context) error {
	p, err := h.plan(c)
	if err != nil {
		return err
	}
	r, _ := snapshotOf(c).Report(p.ID)
	return c.JSON(http.StatusOK, r)
}

// validate checks a plan file in the body (CSV or JSON) against the
// plan, storing nothing.
func (h *handlers) validate(c echo.Context) error {
	p, err := h.plan(c)
	if err != nil {
		return err
	}
	// Anyone may validate, from anywhere: each client is held to a few
	// at once and a processing budget per minute.
	done, err := h.validations.acquire(c, c.RealIP())
	if err != nil {
		return err
	}
	start := time.Now()
	defer func() { done(time.Since(start)) }()
	asOf, err := dateParam(c, "as_of", "")
	if err != nil {
		return err
	}
	parsed, err := h.parseBody(c, h.limits.ValidateMaxBytes)
	if err != nil {
		return err
	}
	r, err := snapshotOf(c).Validate(p, parsed, asOf)
	if err != nil {
		return problem(http.StatusBadRequest, typeBadBody, "body: %v", err)
	}
	return c.JSON(http.StatusOK, r)
}

// parseBody reads a plan file (CSV or JSON) from the request body, at
// most limit bytes and the configured number of records: 413 past
// either, 400 naming the line for bad content.
func (h *handlers) parseBody(c echo.Context, limit int64) (plan.Parsed, error) {
	body := http.MaxBytesReader(c.Response(), c.Request().Body, limit)
	parsed, err := plan.ParseFileLimits(body, "body", plan.Limits{MaxBytes: limit, MaxRecords: h.limits.MaxRecords})
	if err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.Is(err, geo.ErrTooLarge) || errors.As(err, &tooBig):
			return parsed, problem(http.StatusRequestEntityTooLarge, typeTooLarge, "body: larger than %d bytes", limit)
		case errors.Is(err, plan.ErrTooManyRecords):
			return parsed, problem(http.StatusRequestEntityTooLarge, typeTooLarge, "%v", err)
		}
		return parsed, problem(http.StatusBadRequest, typeBadBody, "%v", err)
	}
	return parsed, nil
}
