package plan

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Dates are ISO 8601 calendar dates, YYYY-MM-DD, compared as strings. A
// unit is in force from ValidFrom (inclusive) until ValidTo (exclusive);
// an empty bound is open.

// ParseDate reads YYYY, YYYY-MM or YYYY-MM-DD and returns the first day
// it names as YYYY-MM-DD ("2023-11" is 2023-11-01).
func ParseDate(s string) (string, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil && len(s) == len(layout) {
			return t.Format("2006-01-02"), nil
		}
	}
	return "", fmt.Errorf("date %q: want YYYY-MM-DD (or YYYY-MM, YYYY)", s)
}

// Today is the current date in China (UTC+8), where the divisions are.
func Today(now time.Time) string {
	return now.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
}

// InForce reports whether u exists on date (YYYY-MM-DD).
func (u Unit) InForce(date string) bool {
	return (u.ValidFrom == "" || u.ValidFrom <= date) && (u.ValidTo == "" || date < u.ValidTo)
}

// Shares of a unit that passes to another in a division change.
const (
	Whole = "whole"
	Part  = "part"
)

// A UnitLink ties a unit to a predecessor or successor.
type UnitLink struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEn string `json:"name_en"`
	Share  string `json:"share"` // whole or part
	Date   string `json:"date"`
}

// OutlineBefore is, for a unit in force with a stored outline, the date
// of the latest change that moved part of an area to or from it (北碚区
// gave streets to 两江新区 and took towns of 渝北区 on 2026-01-25): its
// outline is the one from before that date. "" for none, for a unit
// abolished and for a derived (approximate) one.
func (u Unit) OutlineBefore() string {
	if u.ValidTo != "" || u.Approximate {
		return ""
	}
	latest := ""
	for _, l := range append(append([]UnitLink(nil), u.Predecessors...), u.Successors...) {
		if l.Share == "part" && l.Date > latest {
			latest = l.Date
		}
	}
	return latest
}

// A DivisionChange is one flow of a change of administrative divisions:
// on Date, all (Share whole) or part of From passed to To. Ends says From
// ceased to exist that day; a To not yet known is a new unit, with a
// provisional code when ToProvisional.
type DivisionChange struct {
	Date          string
	From          string
	FromName      string
	To            string
	ToName        string
	Share         string
	Ends          bool
	ToProvisional bool
	Source        string
	Note          string
}

// DivisionChangesHeader is the contract header of a division changes file.
var DivisionChangesHeader = []string{"date", "from_code", "from_name", "to_code", "to_name", "share",
	"from_ends", "to_provisional", "source", "note"}

// ReadDivisionChanges parses a division changes CSV; errors name the line.
func ReadDivisionChanges(r io.Reader, name string, maxBytes int64) ([]DivisionChange, error) {
	rows, err := ReadCSV(r, name, maxBytes, DivisionChangesHeader...)
	if err != nil {
		return nil, err
	}
	var out []DivisionChange
	for _, row := range rows {
		fail := func(format string, args ...any) error {
			return fmt.Errorf("%s: line %d: %s", name, row.Line, fmt.Sprintf(format, args...))
		}
		date, err := ParseDate(row.Get("date"))
		if err != nil {
			return nil, fail("%v", err)
		}
		d := DivisionChange{Date: date, From: row.Get("from_code"), FromName: row.Get("from_name"),
			To: row.Get("to_code"), ToName: row.Get("to_name"), Share: row.Get("share"),
			Source: row.Raw("source"), Note: row.Raw("note")}
		if d.From == "" || d.To == "" || d.From == d.To {
			return nil, fail("from_code and to_code must be two different codes")
		}
		if d.Share != Whole && d.Share != Part {
			return nil, fail("share %q (want whole or part)", d.Share)
		}
		if d.Source == "" {
			return nil, fail("no source: a division change is a fact with a source")
		}
		if d.Ends, err = yesNo(row.Get("from_ends")); err != nil {
			return nil, fail("from_ends: %v", err)
		}
		if d.ToProvisional, err = yesNo(row.Get("to_provisional")); err != nil {
			return nil, fail("to_provisional: %v", err)
		}
		out = append(out, d)
	}
	return out, nil
}

func yesNo(s string) (bool, error) {
	switch s {
	case "yes":
		return true, nil
	case "no", "":
		return false, nil
	}
	return false, fmt.Errorf("%q (want yes or no)", s)
}

// Country is the region code of the whole country: a plan with it holds
// every unit.
const Country = "100000"

// Covers reports whether region contains the unit code: region is the
// country, the code itself, an ancestor by parent links (parentOf gives a
// loaded unit's parent), or, where the chain leaves the loaded units, an
// ancestor by the adcode's prefix (a province's 2 digits, a city's 4).
func Covers(region, code string, parentOf func(string) (string, bool)) bool {
	if region == Country {
		return true
	}
	if region == code {
		return false // the region itself is not one of its units
	}
	seen := map[string]bool{}
	for c := code; c != "" && !seen[c]; {
		seen[c] = true
		parent, ok := parentOf(c)
		if !ok {
			return adcodePrefix(region, c)
		}
		if parent == region {
			return true
		}
		c = parent
	}
	return false
}

// adcodePrefix: a 6-digit region ending 0000 (a province) holds the codes
// starting with its 2 digits, one ending 00 (a city) those with its 4.
func adcodePrefix(region, code string) bool {
	if len(region) != 6 || len(code) != 6 || !digits(region) || !digits(code) || region == code {
		return false
	}
	switch {
	case strings.HasSuffix(region, "0000"):
		return code[:2] == region[:2]
	case strings.HasSuffix(region, "00"):
		return code[:4] == region[:4]
	}
	return false
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
