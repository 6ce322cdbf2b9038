package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/store"
	"github.com/labstack/echo/v4"
)

// Problem is an RFC 9457 problem document, the body of every 4xx and
// 5xx. Handlers return one as their error.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	// Param names the query parameter at fault.
	Param string `json:"param,omitempty"`
	// Report is the validation report of a refused write.
	Report *plan.Report `json:"report,omitempty"`
	// Current is the plan's current revision when If-Match named another.
	Current   *store.Revision `json:"current_revision,omitempty"`
	RequestID string          `json:"request_id,omitempty"`
}

func (p *Problem) Error() string { return p.Detail }

// Problem types: relative URIs under /problems/, documented in the
// OpenAPI document.
const (
	typeBadParameter = "/problems/bad-parameter"
	typeBadBody      = "/problems/bad-body"
	typeNotFound     = "/problems/not-found"
	typeInvalidPlan  = "/problems/invalid-plan"
	typeUnauthorized = "/problems/unauthorized"
	typeForbidden    = "/problems/forbidden"
	typeTooLarge     = "/problems/too-large"
	typeBadHeader    = "/problems/bad-header"
	typePrecondition = "/problems/precondition-failed"
	typeInternal     = "/problems/internal"
)

func problem(status int, typ, format string, args ...any) *Problem {
	return &Problem{Type: typ, Title: http.StatusText(status), Status: status, Detail: fmt.Sprintf(format, args...)}
}

// badParam is a 400 naming the parameter.
func badParam(param, format string, args ...any) *Problem {
	p := problem(http.StatusBadRequest, typeBadParameter, "%s: %s", param, fmt.Sprintf(format, args...))
	p.Param = param
	return p
}

func notFound(format string, args ...any) *Problem {
	return problem(http.StatusNotFound, typeNotFound, format, args...)
}

// error writes every error as a problem document; a 5xx says no more
// than "internal error" (the cause goes to the log).
func (h *handlers) error(err error, c echo.Context) {
	if c.Response().Committed {
		// The status went out but the body did not (a write timeout, a
		// client gone): logged and counted as cut off, not as the
		// status sent.
		h.log.WarnContext(c.Request().Context(), "response cut off", "path", c.Request().URL.Path,
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID), "sent", c.Response().Size, "err", err)
		c.Response().Status = clientClosed
		return
	}
	if errors.Is(err, context.Canceled) && c.Request().Context().Err() != nil {
		// The client went away: nothing to answer, and no server fault.
		c.Response().Status = clientClosed
		return
	}
	var p *Problem
	var he *echo.HTTPError
	switch {
	case errors.Is(err, store.ErrFileChanged), errors.Is(err, store.ErrUnavailable):
		// Said in /readyz too; what is not in the snapshot cannot be read.
		c.Response().Header().Set("Retry-After", "60")
		p = problem(http.StatusServiceUnavailable, "/problems/unavailable", "%s", publicError(err))
	case errors.As(err, &p):
	case errors.As(err, &he):
		typ := "about:blank"
		switch he.Code {
		case http.StatusNotFound:
			typ = typeNotFound
		case http.StatusRequestEntityTooLarge:
			typ = typeTooLarge
		case http.StatusMethodNotAllowed:
			typ = "/problems/method-not-allowed"
		}
		p = problem(he.Code, typ, "%v", he.Message)
		if he.Code == http.StatusMethodNotAllowed {
			p.Detail = fmt.Sprintf("%s is not allowed here; allowed: %s", requestMethod(c), c.Response().Header().Get(echo.HeaderAllow))
		}
	default:
		p = problem(http.StatusInternalServerError, typeInternal, "internal error")
	}
	if p.Status >= 500 {
		// The cause goes to the log; an unexpected error's text never
		// reaches the client (the default case above says only
		// "internal error").
		h.log.ErrorContext(c.Request().Context(), "request failed", "path", c.Request().URL.Path,
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err)
	}
	p.RequestID = c.Response().Header().Get(echo.HeaderXRequestID)
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(p.Status)
		return
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(p.Status)
	_ = jsonEncode(c.Response(), p)
}

// publicError is err as a client may read it: a database outage is named,
// not the database's host, port, user and name, which the log keeps.
func publicError(err error) string {
	if errors.Is(err, store.ErrUnavailable) {
		return "the database is unavailable; what was loaded before is served, and the server's log says why"
	}
	return err.Error()
}
