package plan

import (
	"fmt"
	"io"
	"strings"
)

// textWords are the text report's labels per language.
var textWords = map[Lang]map[string]string{
	Chinese: {"errors": "错误", "warnings": "警告", "valid": "通过", "invalid": "不通过",
		"summary": "%s：%s，%d 个错误，%d 个警告\n", "count": "%s（%d 个）\n", "line": "第 %s 行", "row": "第 %s 行", "sep": "、"},
	English: {"errors": "errors", "warnings": "warnings", "valid": "valid", "invalid": "INVALID",
		"summary": "%s: %s, %d %s, %d %s\n", "count": "%s (%d)\n", "line": "line %s", "row": "row %s", "sep": ", "},
}

// WriteText writes the report for a terminal in its language: what it
// describes, its errors, then its warnings (each with its unit, rule and
// lines), and a verdict line.
func (r Report) WriteText(w io.Writer) error {
	lang := r.Lang
	tw, ok := textWords[lang]
	if !ok {
		lang, tw = DefaultLang, textWords[DefaultLang]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "plan %s", r.Plan)
	if r.Subject != "" {
		fmt.Fprintf(&b, " — %s", r.Subject)
	}
	b.WriteString("\n")
	for _, sev := range []Severity{Error, Warning} {
		var vs []Violation
		for _, v := range r.Violations {
			if (v.Severity == Error) == (sev == Error) {
				vs = append(vs, v)
			}
		}
		if len(vs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n"+tw["count"], tw[string(sev)+"s"], len(vs))
		for _, v := range vs {
			lines := ""
			if len(v.Lines) > 0 {
				ls := make([]string, len(v.Lines))
				for i, l := range v.Lines {
					ls[i] = fmt.Sprint(l)
				}
				kind := "line"
				if r.Sheet != "" {
					kind = "row"
				}
				lines = " [" + fmt.Sprintf(tw[kind], strings.Join(ls, tw["sep"])) + "]"
			}
			fmt.Fprintf(&b, "  %-20s  %s: %s%s\n", v.Rule, v.Title, v.Message, lines)
		}
	}
	verdict := tw["valid"]
	if !r.Valid {
		verdict = tw["invalid"]
	}
	b.WriteString("\n")
	if lang == Chinese {
		fmt.Fprintf(&b, tw["summary"], r.Plan, verdict, r.Errors, r.Warnings)
	} else {
		fmt.Fprintf(&b, tw["summary"], r.Plan, verdict, r.Errors, plural(r.Errors, "error"), r.Warnings, plural(r.Warnings, "warning"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
