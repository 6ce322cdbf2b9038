package api

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/plan/search"
	"github.com/labstack/echo/v4"
)

// Bounds of a search: a query is a name, not a document.
const (
	maxSearchRunes = 100
	maxSearchLimit = 50
)

// searchNames serves GET /api/v1/search?q=&plan=&limit=: units and
// industries whose Chinese, pinyin or English names match q, as people
// type it. Nothing matching is an empty list, not an error.
func (h *handlers) searchNames(c echo.Context) error {
	q := strings.TrimSpace(c.QueryParam("q"))
	if q == "" {
		return badParam("q", "required: part of a unit's or an industry's name, in Chinese, pinyin or English")
	}
	if n := utf8.RuneCountInString(q); n > maxSearchRunes {
		return badParam("q", "at most %d characters, got %d", maxSearchRunes, n)
	}
	if search.Fold(q) == "" {
		return badParam("q", "no letters or digits in %q", q)
	}
	limit, err := intParam(c, "limit", 10, 1, maxSearchLimit)
	if err != nil {
		return err
	}
	snap := snapshotOf(c)
	var p *plan.Plan
	id := c.QueryParam("plan")
	if id != "" {
		var ok bool
		if p, ok = snap.Plan(id); !ok {
			return notFound("no plan %s", id)
		}
	}
	results, matched := snap.Search(q, p, limit)
	return c.JSON(http.StatusOK, map[string]any{"q": q, "plan": id, "results": results, "count": len(results), "matched": matched})
}
