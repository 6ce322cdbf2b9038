package plan

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// fixture: a district-picks plan with units a, b, the zone z (3 mains),
// and r, abolished in favour of a.
func picksFixture() (*Plan, []Unit) {
	p := &Plan{ID: "t", Kind: DistrictPicks, Region: "0",
		Catalogue: []Industry{{Code: "I1", Name: "一"}, {Code: "I2", Name: "二"}, {Code: "I3", Name: "三"},
			{Code: "I4", Name: "四"}, {Code: "I5", Name: "五"}, {Code: "I6", Name: "六"}},
		Rules: Profile{Limits: map[Role]int{Main: 2, Special: 4},
			UnitLimits: map[string]map[Role]int{"z": {Main: 3}}}}
	units := []Unit{{Code: "a", Name: "甲区"}, {Code: "b", Name: "乙区"}, {Code: "z", Name: "丙区"}, {Code: "r", Name: "旧区"}}
	return p, units
}

func picks(spec string) []Assignment {
	var out []Assignment
	for _, f := range strings.Fields(spec) {
		parts := strings.Split(f, ":") // unit:role:industry
		out = append(out, Assignment{Unit: parts[0], Role: Role(parts[1]), Industry: parts[2]})
	}
	return out
}

func rules(r Report) []string {
	var out []string
	for _, v := range r.Violations {
		out = append(out, v.Rule+"@"+strings.Join(v.Units, "+"))
	}
	sort.Strings(out)
	return out
}

// every unit gets one pick so unit-unassigned stays out of the way.
const base = "a:main:I1 b:main:I1 z:main:I1 r:main:I1 "

func TestValidatePicks(t *testing.T) {
	tests := []struct {
		name, spec string
		want       []string // rule@units
	}{
		{"clean", base, nil},
		{"unknown unit", base + "x:main:I1", []string{"unknown-unit@x"}},
		{"unknown industry by code", base + "a:special:I9", []string{"unknown-industry@a"}},
		{"industry by name resolves", base + "a:special:二", nil},
		{"main limit", base + "a:main:I2 a:main:I3", []string{"main-limit@a"}},
		{"main at the limit", base + "a:main:I2", nil},
		{"zone may hold 3 mains", base + "z:main:I2 z:main:I3", nil},
		{"zone over 3 mains", base + "z:main:I2 z:main:I3 z:main:I4", []string{"main-limit@z"}},
		{"special limit", base + "b:special:I2 b:special:I3 b:special:I4 b:special:I5 b:special:I6", []string{"special-limit@b"}},
		{"special at the limit", base + "b:special:I2 b:special:I3 b:special:I4 b:special:I5", nil},
		{"main and special", base + "a:special:I1", []string{"main-and-special@a"}},
		{"main and special by name", base + "a:special:一", []string{"main-and-special@a"}},
		{"duplicate", base + "a:main:I1", []string{"duplicate-assignment@a"}},
		{"duplicate by code and name", base + "a:main:一", []string{"duplicate-assignment@a"}},
		{"duplicates beyond the limit", base + "a:main:I1 a:main:I1", []string{"duplicate-assignment@a", "main-limit@a"}},
		{"many duplicates beyond the limit", base + strings.Repeat("b:special:I2 ", 5), []string{"duplicate-assignment@b", "special-limit@b"}},
		{"unassigned", "a:main:I1 z:main:I1 r:main:I1", []string{"unit-unassigned@b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, units := picksFixture()
			r := Validate(p, Subject{Units: units, Assignments: picks(tc.spec)})
			want := append([]string(nil), tc.want...)
			sort.Strings(want)
			if got := rules(r); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("violations %v, want %v", got, want)
			}
			errs := 0
			for _, v := range r.Violations {
				if v.Severity == Error {
					errs++
				}
				if v.Message == "" || len(v.Units) != len(v.UnitNames) {
					t.Errorf("violation without message or names: %+v", v)
				}
			}
			if r.Errors != errs || r.Valid != (errs == 0) || r.Errors+r.Warnings != len(r.Violations) {
				t.Errorf("counts: %+v", r)
			}
		})
	}
}

func TestValidatePicksDetail(t *testing.T) {
	p, units := picksFixture()
	r := Validate(p, Subject{Units: units, Assignments: picks(base + "a:main:I2 a:main:I3"), Lines: []int{2, 3, 4, 5, 6, 7}}).Localize(English)
	var v Violation
	for _, x := range r.Violations {
		if x.Rule == RuleMainLimit {
			v = x
		}
	}
	if *v.Limit != 2 || *v.Actual != 3 || v.Severity != Error || v.UnitNames[0] != "甲区" ||
		v.Message != "甲区 (a) has 3 main industries (一, 二, 三); the limit is 2" || len(v.Lines) != 3 || v.Lines[0] != 2 {
		t.Errorf("main-limit: %+v", v)
	}
	// The JSON contract.
	b, _ := json.Marshal(r)
	for _, key := range []string{`"plan":"t"`, `"valid":false`, `"errors":1`, `"warnings":0`, `"rule":"main-limit"`, `"severity":"error"`, `"units":["a"]`, `"limit":2`, `"actual":3`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("report JSON lacks %s: %s", key, b)
		}
	}
}

func TestValidateSeverityFromProfile(t *testing.T) {
	p, units := picksFixture()
	p.Rules.Rules = map[string]Severity{RuleMainLimit: Warning}
	r := Validate(p, Subject{Units: units, Assignments: picks(base + "a:main:I2 a:main:I3")})
	if !r.Valid || r.Warnings != 1 || r.Violations[0].Rule != RuleMainLimit || r.Violations[0].Severity != Warning {
		t.Errorf("%+v", r)
	}
}

func clustersFixture() (*Plan, []Unit, func(string) []string) {
	p := &Plan{ID: "s", Kind: Clusters, Region: "0",
		Catalogue: []Industry{{Code: "机械", Name: "机械"}},
		Rules:     Profile{LevelTargets: map[Level]int{National: 1, Provincial: 1}}}
	units := []Unit{{Code: "1", Name: "一市"}, {Code: "2", Name: "二市"}, {Code: "3", Name: "三市"}, {Code: "4", Name: "四市"}}
	adj := map[string][]string{"1": {"2"}, "2": {"1", "3"}, "3": {"2"}}
	return p, units, func(c string) []string { return adj[c] }
}

func TestValidateClusters(t *testing.T) {
	c := func(name, level string, hosts ...string) Cluster {
		return Cluster{Name: name, Industry: "机械", Level: Level(level), Hosts: hosts}
	}
	tests := []struct {
		name string
		cs   []Cluster
		want []string
	}{
		{"clean", []Cluster{c("A", "national", "1"), c("B", "provincial", "1", "2", "3")}, nil},
		{"unknown host", []Cluster{c("A", "national", "9"), c("B", "provincial", "1")}, []string{"unknown-host@9"}},
		{"joint not adjacent", []Cluster{c("A", "national", "1", "3"), c("B", "provincial", "4")}, []string{"joint-not-adjacent@1+3"}},
		{"joint chain is connected", []Cluster{c("A", "national", "3", "1", "2"), c("B", "provincial", "4")}, nil},
		{"level target", []Cluster{c("A", "national", "1"), c("B", "national", "2")}, []string{"level-target@", "level-target@"}},
		{"unknown sector", []Cluster{{Name: "A", Industry: "造船", Level: National, Hosts: []string{"1"}}, c("B", "provincial", "1")}, []string{"unknown-sector@1"}},
		{"same name at two levels: a promotion", []Cluster{c("A", "national", "1"), c("A", "provincial", "1")}, nil},
		{"same name, level and year: a duplicate", []Cluster{c("A", "national", "1"), c("A", "national", "2"), c("B", "provincial", "1")}, []string{"duplicate-cluster@1+2"}},
		{"a promoted cluster counts at both levels", []Cluster{c("A", "national", "1"), c("A", "provincial", "1"), c("B", "provincial", "2")}, []string{"level-target@"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, units, adj := clustersFixture()
			r := Validate(p, Subject{Units: units, Neighbours: adj, Clusters: tc.cs})
			if got := rules(r); strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("violations %v, want %v", got, tc.want)
			}
		})
	}
	p, units, adj := clustersFixture()
	r := Validate(p, Subject{Units: units, Neighbours: adj, Clusters: []Cluster{c("A", "national", "1", "3", "4"), c("B", "provincial", "1")}}).Localize(English)
	v := r.Violations[0]
	if len(v.Parts) != 3 || v.Message != "A: its hosts form 3 groups that do not border each other: 一市 | 三市 | 四市" {
		t.Errorf("joint-not-adjacent: %+v", v)
	}
}

// TestValidateAsOf: records naming a unit not in force on the subject's
// date are errors on their lines: retired-unit for an abolished one,
// naming its successors; unknown-unit for one not yet created. Such units
// are never unit-unassigned.
func TestValidateAsOf(t *testing.T) {
	p, units := picksFixture()
	known := map[string]Unit{
		"old": {Code: "old", Name: "旧区", ValidTo: "2026-01-25", Successors: []UnitLink{{Code: "new", Name: "新区", Share: Whole}}},
		"new": {Code: "new", Name: "新区", ValidFrom: "2026-01-25"},
	}
	other := func(code string) (Unit, bool) { u, ok := known[code]; return u, ok }
	spec := base + "old:main:I2 a:special:I3 old:special:I4 new:main:I1 x:main:I1"
	lines := []int{2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, tc := range []struct{ date, rules, newMessage string }{
		{"2026-02-01", "retired-unit@old unknown-unit@new unknown-unit@x", "is not a unit of plan t"},
		// Before its abolition "old" is in force, but not one of this
		// plan's units: unknown, not retired.
		{"2025-12-01", "unknown-unit@new unknown-unit@old unknown-unit@x", "created on 2026-01-25"},
	} {
		r := Validate(p, Subject{Units: units, Date: tc.date, Other: other, Assignments: picks(spec), Lines: lines}).Localize(English)
		if got := strings.Join(rules(r), " "); got != tc.rules {
			t.Errorf("%s: violations %s, want %s", tc.date, got, tc.rules)
		}
		for _, v := range r.Violations {
			switch v.Units[0] {
			case "old":
				if v.Rule == RuleRetiredUnit && (v.Severity != Error || fmt.Sprint(v.Lines) != "[6 8]" ||
					!strings.Contains(v.Message, "abolished on 2026-01-25; now part of 新区")) {
					t.Errorf("%s: retired: %+v", tc.date, v)
				}
			case "new":
				if fmt.Sprint(v.Lines) != "[9]" || !strings.Contains(v.Message, tc.newMessage) {
					t.Errorf("%s: new: %+v", tc.date, v)
				}
			}
		}
	}
}

// BenchmarkValidate3000 validates a plan of 3,000 units and 20,000
// assignments.
func BenchmarkValidate3000(b *testing.B) {
	p := &Plan{ID: "big", Kind: DistrictPicks, Rules: Profile{Limits: map[Role]int{Main: 2, Special: 4}}}
	for i := 0; i < 60; i++ {
		p.Catalogue = append(p.Catalogue, Industry{Code: "I" + strconv.Itoa(i), Name: "产业" + strconv.Itoa(i)})
	}
	var units []Unit
	var as []Assignment
	for u := 0; u < 3000; u++ {
		code := "U" + strconv.Itoa(u)
		units = append(units, Unit{Code: code, Name: code})
	}
	for i := 0; i < 20000; i++ {
		k := i / 3000 // the unit's k-th pick
		role := Main
		if k%3 != 0 {
			role = Special
		}
		ind := p.Catalogue[(i*7+k)%60]
		name := ind.Code
		if i%2 == 0 {
			name = ind.Name // half by name, as planners write them
		}
		as = append(as, Assignment{Unit: units[i%3000].Code, Role: role, Industry: name})
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := Validate(p, Subject{Units: units, Assignments: as})
		if r.Errors == 0 {
			b.Fatal("expected limit errors")
		}
	}
}
