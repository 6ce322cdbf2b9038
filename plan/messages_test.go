package plan

import (
	"bytes"
	"strings"
	"testing"
)

// TestEveryRuleHasMessages: each rule of each kind is worded in every
// language, with a title, and no placeholder left unfilled.
func TestEveryRuleHasMessages(t *testing.T) {
	for kind, rules := range KindRules {
		for rule := range rules {
			for _, lang := range Langs {
				tm, ok := messages[rule][lang]
				if !ok || tm.title == "" || tm.message == "" {
					t.Errorf("%s rule %s has no %s wording", kind, rule, lang)
				}
			}
		}
	}
}

func TestLocalizedMessages(t *testing.T) {
	p, units := picksFixture()
	r := Validate(p, Subject{Units: units, Assignments: picks(base + "a:main:I2 a:main:I3 b:special:I2 b:special:I2 x:main:I1 a:special:I9")})
	tests := []struct {
		lang Lang
		rule string
		want []string
	}{
		{Chinese, RuleMainLimit, []string{"主导产业超过上限", "甲区（a）有 3 个主导产业（一、二、三），上限为 2 个"}},
		{English, RuleMainLimit, []string{"Too many main industries", "甲区 (a) has 3 main industries (一, 二, 三); the limit is 2"}},
		{Chinese, RuleDuplicateAssignment, []string{"乙区（b）将 二 列为特色产业 2 次"}},
		{English, RuleDuplicateAssignment, []string{"乙区 (b) lists 二 as special 2 times"}},
		{Chinese, RuleUnknownUnit, []string{"单位 x 不属于规划 t"}},
		{Chinese, RuleUnknownIndustry, []string{"甲区（a）：产业“I9”不在规划 t 的产业目录中"}},
	}
	for _, tc := range tests {
		t.Run(string(tc.lang)+" "+tc.rule, func(t *testing.T) {
			lr := r.Localize(tc.lang)
			if lr.Lang != tc.lang {
				t.Errorf("lang %q", lr.Lang)
			}
			for _, v := range lr.Violations {
				if v.Rule != tc.rule {
					continue
				}
				got := v.Title + " " + v.Message
				for _, w := range tc.want {
					if !strings.Contains(got, w) {
						t.Errorf("%q lacks %q", got, w)
					}
				}
				return
			}
			t.Errorf("no %s violation: %+v", tc.rule, lr.Violations)
		})
	}
	// Rows beyond the limit say so.
	r = Validate(p, Subject{Units: units, Assignments: picks(base + "a:main:I1 a:main:I1")})
	for _, v := range r.Violations {
		if v.Rule == RuleMainLimit && v.Message != "甲区（a）有 3 行主导产业，涉及 1 个产业（一），上限为 2 个" {
			t.Errorf("rows message %q", v.Message)
		}
	}
}

// TestLocalizedDivisions: units not in force on the date are worded
// from the violation's dates and successors.
func TestLocalizedDivisions(t *testing.T) {
	p, units := picksFixture()
	known := map[string]Unit{
		"old":  {Code: "old", Name: "旧区", ValidTo: "2026-01-25", Successors: []UnitLink{{Code: "new", Name: "新区", Share: Whole}, {Code: "a", Name: "甲区", Share: Part}}},
		"gone": {Code: "gone", Name: "废区", ValidTo: "2020-01-01"},
		"new":  {Code: "new", Name: "新区", ValidFrom: "2026-01-25"},
	}
	other := func(code string) (Unit, bool) { u, ok := known[code]; return u, ok }
	r := Validate(p, Subject{Units: units, Date: "2025-06-01", Other: other, Assignments: picks(base + "new:main:I1 gone:main:I1")})
	later := Validate(p, Subject{Units: units, Date: "2026-06-01", Other: other, Assignments: picks(base + "old:main:I1")})
	tests := []struct {
		r    Report
		lang Lang
		want string
	}{
		{r, Chinese, "新区（new）在 2025-06-01 尚不存在：2026-01-25 设立"},
		{r, English, "新区 (new) is not in force on 2025-06-01: it was created on 2026-01-25"},
		{r, Chinese, "废区（gone）在 2025-06-01 已不存在：2020-01-01 撤销"},
		{later, Chinese, "旧区（old）在 2026-06-01 已不存在：2026-01-25 撤销，现属 新区（new）、甲区（a）（部分）"},
		{later, English, "旧区 (old) is not in force on 2026-06-01: abolished on 2026-01-25; now part of 新区 (new), 甲区 (a) (part)"},
	}
	for _, tc := range tests {
		found := false
		for _, v := range tc.r.Localize(tc.lang).Violations {
			found = found || v.Message == tc.want
		}
		if !found {
			t.Errorf("no message %q in %+v", tc.want, tc.r.Localize(tc.lang).Violations)
		}
	}
}

// TestErrorsFirst: every error comes before every warning, whatever the
// units, in the report and in its text.
func TestErrorsFirst(t *testing.T) {
	p, units := picksFixture()
	// a has a warning (a duplicate), z an error; a's code sorts first.
	r := Validate(p, Subject{Units: units, Assignments: picks("a:main:I1 a:main:I1 b:main:I1 r:main:I1 z:main:I1 z:main:I2 z:main:I3 z:main:I4")})
	seenWarning := false
	for _, v := range r.Violations {
		if v.Severity == Warning {
			seenWarning = true
		} else if seenWarning {
			t.Fatalf("an error after a warning: %+v", r.Violations)
		}
	}
	if r.Violations[0].Rule != RuleMainLimit || r.Violations[0].Units[0] != "z" {
		t.Errorf("first %+v", r.Violations[0])
	}
	for _, lang := range Langs {
		r.Subject = "picks.csv"
		var b bytes.Buffer
		if err := r.Localize(lang).WriteText(&b); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		errAt, warnAt := strings.Index(out, "main-limit"), strings.Index(out, "duplicate-assignment")
		if errAt < 0 || warnAt < errAt || !strings.Contains(out, "picks.csv") {
			t.Errorf("%s text:\n%s", lang, out)
		}
	}
}

func TestParseLang(t *testing.T) {
	for in, want := range map[string]Lang{"zh": Chinese, "zh-CN": Chinese, "zh-Hans": Chinese, "ZH_tw": Chinese, "en": English, "en-US": English, "fr": "", "": ""} {
		if got, _ := ParseLang(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
