package api

import (
	"fmt"
	"strings"
	"time"

	"github.com/indmap/indmap/plan"
)

// dateRange is an OGC API datetime as days (YYYY-MM-DD): both ends
// inclusive, "" where open.
type dateRange struct{ from, to string }

// parseDatetime reads OGC API Features' datetime parameter: an instant
// ("2024-01-01", "2024-01-01T08:00:00Z") or an interval of two, either
// end open (".." or empty). Units exist for whole days, so an instant
// counts as its day (in UTC).
func parseDatetime(s string) (dateRange, error) {
	day := func(v string) (string, error) {
		if v == "" || v == ".." {
			return "", nil
		}
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			return t.Format(time.DateOnly), nil
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return "", fmt.Errorf("%q is not a date (YYYY-MM-DD) or an RFC 3339 date-time", v)
		}
		return t.UTC().Format(time.DateOnly), nil
	}
	a, b, interval := strings.Cut(s, "/")
	if !interval {
		if s == "" || s == ".." {
			return dateRange{}, fmt.Errorf("an instant or an interval (A/B, .. for an open end)")
		}
		d, err := day(s)
		return dateRange{d, d}, err
	}
	from, err := day(a)
	if err != nil {
		return dateRange{}, err
	}
	to, err := day(b)
	if err != nil {
		return dateRange{}, err
	}
	if from == "" && to == "" {
		return dateRange{}, fmt.Errorf("an interval needs at least one end")
	}
	if from != "" && to != "" && from > to {
		return dateRange{}, fmt.Errorf("the interval ends (%s) before it starts (%s)", to, from)
	}
	return dateRange{from, to}, nil
}

// holds reports whether unit u existed on some day of r (its days run
// from ValidFrom, inclusive, to ValidTo, exclusive).
func (r dateRange) holds(u plan.Unit) bool {
	return (r.from == "" || u.ValidTo == "" || r.from < u.ValidTo) && (r.to == "" || u.ValidFrom == "" || u.ValidFrom <= r.to)
}
