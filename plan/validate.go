package plan

import (
	"fmt"
	"sort"
	"strings"
)

// A Violation is one breach of a plan's rules.
type Violation struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	// Units are the codes concerned (none for plan-wide rules), with their
	// names in UnitNames ("" where the code is unknown).
	Units        []string `json:"units"`
	UnitNames    []string `json:"unit_names"`
	Industry     string   `json:"industry,omitempty"`
	IndustryName string   `json:"industry_name,omitempty"`
	Role         Role     `json:"role,omitempty"`
	Cluster      string   `json:"cluster,omitempty"`
	Level        Level    `json:"level,omitempty"`
	Limit        *int     `json:"limit,omitempty"`
	Actual       *int     `json:"actual,omitempty"`
	// Industries are the industries counted against a limit, with their
	// catalogue names in IndustryNames.
	Industries    []string `json:"industries,omitempty"`
	IndustryNames []string `json:"industry_names,omitempty"`
	// Parts are the separate groups of a joint cluster's hosts.
	Parts [][]string `json:"parts,omitempty"`
	// Year is a cluster's year of recognition at its level.
	Year int `json:"year,omitempty"`
	// A unit not in force on AsOf (the date validated for) was abolished
	// (retired-unit, with its Successors) or created (unknown-unit,
	// unknown-host) on Since.
	AsOf       string     `json:"as_of,omitempty"`
	Since      string     `json:"since,omitempty"`
	Successors []UnitLink `json:"successors,omitempty"`
	// Zone, for a unit with no picks, is the functional zone of the same
	// name that holds the plan's picks for that place (两江新区's are the
	// zone's in the 2023 plan, not the district's of 2026).
	Zone *UnitLink `json:"zone,omitempty"`
	// Lines are the records' lines in a validated file (rows of a
	// workbook's sheet).
	Lines []int `json:"lines,omitempty"`
	// Title and Message say what is wrong in the report's language
	// (messages.go renders them from the fields above).
	Title   string `json:"title"`
	Message string `json:"message"`
	// detail is the validator's own English wording, the fallback for a
	// rule messages.go has no template for.
	detail string
}

// A Report is the outcome of validating a plan. Valid is false exactly
// when there is at least one error.
type Report struct {
	Plan string `json:"plan"`
	// Subject says what was validated: a file's name, or "stored
	// revision N" (Revision is then N).
	Subject  string `json:"subject,omitempty"`
	Revision int    `json:"revision,omitempty"`
	// Sheet is the workbook sheet a file's records came from; Lines are
	// then its rows.
	Sheet string `json:"sheet,omitempty"`
	// AsOf is the date the plan was checked against: the units in force
	// that day (YYYY-MM-DD).
	AsOf string `json:"as_of"`
	// Lang is the language of titles and messages.
	Lang       Lang        `json:"lang"`
	Valid      bool        `json:"valid"`
	Errors     int         `json:"errors"`
	Warnings   int         `json:"warnings"`
	Violations []Violation `json:"violations"`
}

// A Subject is what Validate checks: assignments or clusters (the
// stored ones or a file's) against the plan's units and adjacency.
type Subject struct {
	// Units are the plan's units on Date (YYYY-MM-DD).
	Units []Unit
	Date  string
	// Other finds a unit that is not one of Units (one abolished by
	// Date, say), so that a record naming it is told apart from a record
	// naming no unit at all; nil knows none.
	Other       func(code string) (Unit, bool)
	Neighbours  func(code string) []string
	Assignments []Assignment
	Clusters    []Cluster
	// Lines gives each assignment's or cluster's line in a file; nil for
	// stored data.
	Lines []int
}

type validation struct {
	p      *Plan
	s      Subject
	names  map[string]string
	report Report
	// absent holds, per unit code known but not in force on the date,
	// the records naming it.
	absent      map[string][]int
	absentOrder []string
}

// Validate checks a subject against every rule of p's profile.
func Validate(p *Plan, s Subject) Report {
	v := &validation{p: p, s: s, names: map[string]string{}, report: Report{Plan: p.ID, AsOf: s.Date, Violations: []Violation{}}}
	for _, u := range s.Units {
		v.names[u.Code] = u.Name
	}
	if p.Kind == Clusters {
		v.clusters()
	} else {
		v.picks()
	}
	v.notInForce()
	sort.SliceStable(v.report.Violations, func(i, j int) bool {
		a, b := v.report.Violations[i], v.report.Violations[j]
		if (a.Severity == Error) != (b.Severity == Error) {
			return a.Severity == Error // errors first, in every report
		}
		if (len(a.Units) == 0) != (len(b.Units) == 0) {
			return len(a.Units) > 0 // plan-wide violations last
		}
		if len(a.Units) > 0 && a.Units[0] != b.Units[0] {
			return a.Units[0] < b.Units[0]
		}
		return a.Rule < b.Rule
	})
	for _, x := range v.report.Violations {
		if x.Severity == Error {
			v.report.Errors++
		} else {
			v.report.Warnings++
		}
	}
	v.report.Valid = v.report.Errors == 0
	return v.report.Localize(DefaultLang)
}

// add records a violation of rule unless the profile turns it off.
func (v *validation) add(rule string, x Violation, format string, args ...any) {
	sev := v.p.Rules.Severity(v.p.Kind, rule)
	if sev == Off {
		return
	}
	x.Rule, x.Severity = rule, sev
	if x.Units == nil {
		x.Units = []string{}
	}
	x.UnitNames = v.namesOf(x.Units)
	x.detail = fmt.Sprintf(format, args...)
	v.report.Violations = append(v.report.Violations, x)
}

// unitLabel names a unit for messages: 璧山区 (500120), or the bare code.
func (v *validation) unitLabel(code string) string {
	if n := v.names[code]; n != "" {
		return n + " (" + code + ")"
	}
	if u, ok := v.other(code); ok && u.Name != "" {
		return u.Name + " (" + code + ")"
	}
	return code
}

func (v *validation) other(code string) (Unit, bool) {
	if v.s.Other == nil {
		return Unit{}, false
	}
	return v.s.Other(code)
}

// inForce reports whether code is a unit of the subject; a known unit
// that is not in force on the date is noted, with record i, for
// notInForce.
func (v *validation) inForce(code string, i int) bool {
	if _, ok := v.names[code]; ok {
		return true
	}
	if _, ok := v.other(code); ok {
		if v.absent == nil {
			v.absent = map[string][]int{}
		}
		if _, seen := v.absent[code]; !seen {
			v.absentOrder = append(v.absentOrder, code)
		}
		if len(v.absent[code]) == 0 || v.absent[code][len(v.absent[code])-1] != i {
			v.absent[code] = append(v.absent[code], i)
		}
	}
	return false
}

// namesOf gives the names of unit codes, units not in force included
// ("" where unknown).
func (v *validation) namesOf(codes []string) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		if n, ok := v.names[c]; ok {
			out[i] = n
		} else if u, ok := v.other(c); ok {
			out[i] = u.Name
		}
	}
	return out
}

func (v *validation) industryName(code string) string {
	if in, ok := v.p.Industry(code); ok {
		return in.Name
	}
	return code
}

func (v *validation) lines(idx []int) []int {
	if v.s.Lines == nil {
		return nil
	}
	out := make([]int, len(idx))
	for i, k := range idx {
		out[i] = v.s.Lines[k]
	}
	return out
}

func intp(n int) *int { return &n }

// picks checks district picks: units, industries, limits, overlaps.
func (v *validation) picks() {
	type roleKey struct {
		role     Role
		industry string
	}
	type unitPicks struct {
		rows  map[roleKey][]int // record indexes per role and industry
		order []roleKey
	}
	byUnit := map[string]*unitPicks{}
	var units []string
	unknownUnits := map[string][]int{}
	for i, a := range v.s.Assignments {
		if !v.inForce(a.Unit, i) {
			if _, absent := v.absent[a.Unit]; absent {
				continue
			}
			if unknownUnits[a.Unit] == nil {
				units = append(units, a.Unit)
			}
			unknownUnits[a.Unit] = append(unknownUnits[a.Unit], i)
			continue
		}
		code := a.Industry
		if in, ok := v.p.Industry(a.Industry); ok {
			code = in.Code
		} else {
			v.add(RuleUnknownIndustry, Violation{Units: []string{a.Unit}, Industry: a.Industry, Role: a.Role, Lines: v.lines([]int{i})},
				"%s: industry %q is not in the catalogue of %s", v.unitLabel(a.Unit), a.Industry, v.p.ID)
			continue
		}
		up := byUnit[a.Unit]
		if up == nil {
			up = &unitPicks{rows: map[roleKey][]int{}}
			byUnit[a.Unit] = up
			units = append(units, a.Unit)
		}
		k := roleKey{a.Role, code}
		if up.rows[k] == nil {
			up.order = append(up.order, k)
		}
		up.rows[k] = append(up.rows[k], i)
	}
	for _, unit := range units {
		if idx, ok := unknownUnits[unit]; ok {
			v.add(RuleUnknownUnit, Violation{Units: []string{unit}, Lines: v.lines(idx)},
				"unit %s is not a unit of plan %s", unit, v.p.ID)
			continue
		}
		up := byUnit[unit]
		held := map[Role][]string{}
		for _, k := range up.order {
			held[k.role] = append(held[k.role], k.industry)
			if idx := up.rows[k]; len(idx) > 1 {
				v.add(RuleDuplicateAssignment, Violation{Units: []string{unit}, Industry: k.industry,
					IndustryName: v.industryName(k.industry), Role: k.role, Actual: intp(len(idx)), Lines: v.lines(idx)},
					"%s lists %s as %s %d times", v.unitLabel(unit), v.industryName(k.industry), k.role, len(idx))
			}
		}
		for _, rl := range []struct {
			role Role
			rule string
		}{{Main, RuleMainLimit}, {Special, RuleSpecialLimit}} {
			limit, ok := v.p.Rules.Limit(unit, rl.role)
			if !ok {
				continue
			}
			// Rows count, not distinct industries: repeating a pick
			// beyond the limit is as much a breach as a new one (a file
			// of 100,000 identical rows is no valid plan).
			var idx []int
			names := make([]string, len(held[rl.role]))
			for i, code := range held[rl.role] {
				names[i] = v.industryName(code)
				idx = append(idx, up.rows[roleKey{rl.role, code}]...)
			}
			n, rows := len(names), len(idx)
			if rows <= limit {
				continue
			}
			sort.Ints(idx)
			what := fmt.Sprintf("%d %s industries (%s)", n, rl.role, strings.Join(names, ", "))
			if rows > n {
				what = fmt.Sprintf("%d %s rows naming %d industries (%s)", rows, rl.role, n, strings.Join(names, ", "))
			}
			v.add(rl.rule, Violation{Units: []string{unit}, Role: rl.role, Limit: intp(limit), Actual: intp(rows), Lines: v.lines(idx),
				Industries: held[rl.role], IndustryNames: names},
				"%s has %s; the limit is %d", v.unitLabel(unit), what, limit)
		}
		for _, code := range held[Main] {
			if idx, ok := up.rows[roleKey{Special, code}]; ok {
				idx = append(append([]int(nil), up.rows[roleKey{Main, code}]...), idx...)
				sort.Ints(idx)
				v.add(RuleMainAndSpecial, Violation{Units: []string{unit}, Industry: code, IndustryName: v.industryName(code), Lines: v.lines(idx)},
					"%s has %s as both a main and a special industry", v.unitLabel(unit), v.industryName(code))
			}
		}
	}
	// A unit whose industries are all unknown is reported for those, not
	// as unassigned.
	named := make(map[string]bool, len(byUnit))
	for _, a := range v.s.Assignments {
		named[a.Unit] = true
	}
	zones := map[string]Unit{} // zones with picks, by name
	for _, u := range v.s.Units {
		if u.Kind == KindZone && named[u.Code] {
			zones[u.Name] = u
		}
	}
	for _, u := range v.s.Units {
		if !named[u.Code] {
			x := Violation{Units: []string{u.Code}}
			if z, ok := zones[u.Name]; ok && u.Kind != KindZone {
				x.Zone = &UnitLink{Code: z.Code, Name: z.Name, NameEn: z.NameEn}
			}
			v.add(RuleUnitUnassigned, x, "%s has no industry assigned", v.unitLabel(u.Code))
		}
	}
}

// clusters checks clusters: hosts, adjacency of joint hosts, sectors,
// duplicates (one name twice at one level and year) and the level
// targets.
func (v *validation) clusters() {
	// A cluster may appear once per level and year: the same name at a
	// higher level in a later year is a promotion, a step of its history.
	type step struct {
		name  string
		level Level
		year  int
	}
	bySteps := map[step][]int{}
	var steps []step
	atLevel := map[Level]map[string]bool{}
	for i, c := range v.s.Clusters {
		k := step{c.Name, c.Level, c.Year}
		if bySteps[k] == nil {
			steps = append(steps, k)
		}
		bySteps[k] = append(bySteps[k], i)
		if atLevel[c.Level] == nil {
			atLevel[c.Level] = map[string]bool{}
		}
		atLevel[c.Level][c.Name] = true
		var known []string
		for _, h := range c.Hosts {
			if !v.inForce(h, i) {
				if _, absent := v.absent[h]; absent {
					continue
				}
				v.add(RuleUnknownHost, Violation{Units: []string{h}, Cluster: c.Name, Lines: v.lines([]int{i})},
					"%s: host %s is not a unit of plan %s", c.Name, h, v.p.ID)
				continue
			}
			known = append(known, h)
		}
		if _, ok := v.p.Industry(c.Industry); !ok {
			v.add(RuleUnknownSector, Violation{Units: c.Hosts, Cluster: c.Name, Industry: c.Industry, Lines: v.lines([]int{i})},
				"%s: sector %q is not a sector of %s", c.Name, c.Industry, v.p.ID)
		}
		if parts := v.components(known); len(parts) > 1 {
			labels := make([]string, len(parts))
			for k, part := range parts {
				ns := make([]string, len(part))
				for j, code := range part {
					ns[j] = v.names[code]
				}
				labels[k] = strings.Join(ns, ", ")
			}
			v.add(RuleJointNotAdjacent, Violation{Units: known, Cluster: c.Name, Parts: parts, Actual: intp(len(parts)), Lines: v.lines([]int{i})},
				"%s: its hosts form %d groups that do not border each other: %s", c.Name, len(parts), strings.Join(labels, " | "))
		}
	}
	for _, k := range steps {
		idx := bySteps[k]
		if len(idx) < 2 {
			continue
		}
		var hosts []string
		seen := map[string]bool{}
		for _, i := range idx {
			for _, h := range v.s.Clusters[i].Hosts {
				if !seen[h] {
					seen[h] = true
					hosts = append(hosts, h)
				}
			}
		}
		v.add(RuleDuplicateCluster, Violation{Units: hosts, Cluster: k.name, Level: k.level, Year: k.year, Actual: intp(len(idx)), Lines: v.lines(idx)},
			"cluster %s appears %d times at the %s level of %d", k.name, len(idx), k.level, k.year)
	}
	// A cluster counts at every level it holds, as the province counts.
	for _, level := range []Level{World, National, Provincial} {
		target, ok := v.p.Rules.LevelTargets[level]
		if n := len(atLevel[level]); ok && n != target {
			v.add(RuleLevelTarget, Violation{Level: level, Limit: intp(target), Actual: intp(n)},
				"%s-level clusters: %d of the target %d", level, n, target)
		}
	}
}

// components splits codes into groups connected in the adjacency graph,
// each sorted, groups in order of their first code.
func (v *validation) components(codes []string) [][]string {
	if len(codes) < 2 || v.s.Neighbours == nil {
		return nil
	}
	in := map[string]bool{}
	for _, c := range codes {
		in[c] = true
	}
	seen := map[string]bool{}
	var parts [][]string
	for _, start := range codes {
		if seen[start] {
			continue
		}
		var part []string
		stack := []string{start}
		seen[start] = true
		for len(stack) > 0 {
			c := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			part = append(part, c)
			for _, n := range v.s.Neighbours(c) {
				if in[n] && !seen[n] {
					seen[n] = true
					stack = append(stack, n)
				}
			}
		}
		sort.Strings(part)
		parts = append(parts, part)
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i][0] < parts[j][0] })
	return parts
}

// notInForce reports records naming known units that are not the
// subject's: abolished by the date (retired-unit, naming their
// successors), not yet created, or outside the plan (unknown-unit or
// unknown-host).
func (v *validation) notInForce() {
	for _, code := range v.absentOrder {
		u, _ := v.other(code)
		lines := v.lines(v.absent[code])
		rule := RuleUnknownUnit
		if v.p.Kind == Clusters {
			rule = RuleUnknownHost
		}
		switch {
		case u.InForce(v.s.Date):
			v.add(rule, Violation{Units: []string{code}, Lines: lines}, "%s is not a unit of plan %s", v.unitLabel(code), v.p.ID)
			continue
		case u.ValidFrom != "" && v.s.Date < u.ValidFrom:
			v.add(rule, Violation{Units: []string{code}, Lines: lines, AsOf: v.s.Date, Since: u.ValidFrom},
				"%s is not in force on %s: it was created on %s", v.unitLabel(code), v.s.Date, u.ValidFrom)
			continue
		}
		succ := make([]string, len(u.Successors))
		for i, l := range u.Successors {
			succ[i] = l.Name
			if succ[i] == "" {
				succ[i] = l.Code
			}
			if l.Share == Part {
				succ[i] += " (part)"
			}
		}
		msg := fmt.Sprintf("%s is not in force on %s: abolished on %s", v.unitLabel(code), v.s.Date, u.ValidTo)
		if len(succ) > 0 {
			msg += "; now part of " + strings.Join(succ, ", ")
		}
		v.add(RuleRetiredUnit, Violation{Units: []string{code}, Lines: lines, AsOf: v.s.Date, Since: u.ValidTo, Successors: u.Successors}, "%s", msg)
	}
}
