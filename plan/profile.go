package plan

import (
	"fmt"
	"sort"
)

// Severity is how much a violation of a rule matters: an error makes a
// plan invalid, a warning does not.
type Severity string

// Severities; Off disables a rule.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Off     Severity = "off"
)

// Rule ids. They are stable: reports, tiles and clients match on them.
const (
	RuleUnknownUnit         = "unknown-unit"
	RuleUnknownIndustry     = "unknown-industry"
	RuleMainLimit           = "main-limit"
	RuleSpecialLimit        = "special-limit"
	RuleMainAndSpecial      = "main-and-special"
	RuleDuplicateAssignment = "duplicate-assignment"
	RuleUnitUnassigned      = "unit-unassigned"
	RuleRetiredUnit         = "retired-unit"
	RuleUnknownHost         = "unknown-host"
	RuleJointNotAdjacent    = "joint-not-adjacent"
	RuleLevelTarget         = "level-target"
	RuleUnknownSector       = "unknown-sector"
	RuleDuplicateCluster    = "duplicate-cluster"
)

// KindRules lists each plan kind's rules with their default severity.
var KindRules = map[Kind]map[string]Severity{
	DistrictPicks: {
		RuleUnknownUnit:         Error,
		RuleUnknownIndustry:     Error,
		RuleMainLimit:           Error,
		RuleSpecialLimit:        Error,
		RuleMainAndSpecial:      Error,
		RuleDuplicateAssignment: Warning,
		RuleUnitUnassigned:      Warning,
		RuleRetiredUnit:         Error,
	},
	Clusters: {
		RuleUnknownHost:      Error,
		RuleJointNotAdjacent: Warning,
		RuleLevelTarget:      Warning,
		RuleUnknownSector:    Warning,
		RuleDuplicateCluster: Error,
		RuleRetiredUnit:      Error,
	},
}

// A Profile is a plan's rules as data: limits per role, per-unit
// overrides, cluster targets, and the severity of each rule. A new province's plan of a known kind needs a profile, not code.
type Profile struct {
	// Limits caps the industries a unit holds per role (district picks).
	Limits map[Role]int `json:"limits,omitempty"`
	// UnitLimits overrides Limits for single units.
	UnitLimits map[string]map[Role]int `json:"unit_limits,omitempty"`
	// LevelTargets is the number of clusters the plan aims for per level.
	LevelTargets map[Level]int `json:"level_targets,omitempty"`
	// Rules sets a rule's severity, or "off"; rules not named keep their
	// kind's default.
	Rules map[string]Severity `json:"rules,omitempty"`
}

// Limit is the cap on a unit's industries in role, and whether there is one.
func (pr *Profile) Limit(unit string, role Role) (int, bool) {
	if l, ok := pr.UnitLimits[unit][role]; ok {
		return l, true
	}
	l, ok := pr.Limits[role]
	return l, ok
}

// Severity is the severity of rule in a plan of kind k under this profile.
func (pr *Profile) Severity(k Kind, rule string) Severity {
	if s, ok := pr.Rules[rule]; ok {
		return s
	}
	if s, ok := KindRules[k][rule]; ok {
		return s
	}
	return Off
}

// Check fails on a profile that names unknown rules or severities, or
// negative limits.
func (pr *Profile) Check(k Kind) error {
	known, ok := KindRules[k]
	if !ok {
		return fmt.Errorf("unknown plan kind %q", k)
	}
	var ids []string
	for id := range pr.Rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if _, ok := known[id]; !ok {
			return fmt.Errorf("rule %q does not apply to %s plans", id, k)
		}
		switch pr.Rules[id] {
		case Error, Warning, Off:
		default:
			return fmt.Errorf("rule %s: severity %q (want error, warning or off)", id, pr.Rules[id])
		}
	}
	for role, l := range pr.Limits {
		if _, err := ParseRole(string(role)); err != nil || l < 0 {
			return fmt.Errorf("limit %s = %d: want main or special and a count ≥ 0", role, l)
		}
	}
	for unit, ls := range pr.UnitLimits {
		for role, l := range ls {
			if _, err := ParseRole(string(role)); err != nil || l < 0 {
				return fmt.Errorf("unit %s: limit %s = %d: want main or special and a count ≥ 0", unit, role, l)
			}
		}
	}
	for level := range pr.LevelTargets {
		if _, err := ParseLevel(string(level)); err != nil {
			return err
		}
	}
	return nil
}
