package plan

import (
	"fmt"
	"io"
	"strings"
)

// WriteText writes the report for a terminal: violations grouped by
// unit, plan-wide ones last, and a summary line.
func (r Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "plan %s\n", r.Plan)
	group := "\x00"
	for _, v := range r.Violations {
		g := "plan-wide"
		if len(v.Units) > 0 {
			g = v.Units[0]
			if v.UnitNames[0] != "" {
				g = v.UnitNames[0] + " (" + v.Units[0] + ")"
			}
		}
		if g != group {
			fmt.Fprintf(&b, "\n%s\n", g)
			group = g
		}
		where := ""
		if len(v.Lines) > 0 {
			ls := make([]string, len(v.Lines))
			for i, l := range v.Lines {
				ls[i] = fmt.Sprint(l)
			}
			where = " [line " + strings.Join(ls, ", ") + "]"
		}
		fmt.Fprintf(&b, "  %-7s  %-20s  %s%s\n", v.Severity, v.Rule, v.Message, where)
	}
	verdict := "valid"
	if !r.Valid {
		verdict = "INVALID"
	}
	fmt.Fprintf(&b, "\n%s: %s, %d %s, %d %s\n", r.Plan, verdict, r.Errors, plural(r.Errors, "error"), r.Warnings, plural(r.Warnings, "warning"))
	_, err := io.WriteString(w, b.String())
	return err
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
