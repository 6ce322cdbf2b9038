package plan

import (
	"slices"
	"sort"
)

// The read model: what a plan says of each unit, computed once per data
// version and read by every consumer (tiles, API, OGC, the page), so
// they cannot disagree on a role.

// RoleOf is how unit holds industry (a code or exact name) in p: Main or
// Special, "" when it does not. In a district-picks plan it is the pick's
// role (main wins over a special pick of the same industry); in a
// clusters plan, hosting the industry's sector in a world or national
// cluster (at its latest level) is Main, in a provincial one Special.
func (p *Plan) RoleOf(unit, industry string) Role {
	return p.Holders(industry)[unit]
}

// Holders maps each unit holding industry (a code or exact name) to its
// role.
func (p *Plan) Holders(industry string) map[string]Role {
	if in, ok := p.Industry(industry); ok {
		industry = in.Code
	}
	if p.roles == nil {
		return rolesOf(p)[industry]
	}
	return p.roles[industry]
}

// ByRole splits a code → role map into its main and special codes,
// sorted and never nil, keeping only the codes keep accepts (all when
// keep is nil).
func ByRole(roles map[string]Role, keep func(code string) bool) (main, special []string) {
	main, special = []string{}, []string{}
	for code, r := range roles {
		if keep != nil && !keep(code) {
			continue
		}
		if r == Main {
			main = append(main, code)
		} else {
			special = append(special, code)
		}
	}
	sort.Strings(main)
	sort.Strings(special)
	return main, special
}

// rolesOf computes every industry's holders.
func rolesOf(p *Plan) map[string]map[string]Role {
	out := map[string]map[string]Role{}
	set := func(ind, unit string, r Role) {
		if in, ok := p.Industry(ind); ok {
			ind = in.Code
		}
		if out[ind] == nil {
			out[ind] = map[string]Role{}
		}
		if out[ind][unit] != Main {
			out[ind][unit] = r
		}
	}
	for _, a := range p.Assignments {
		set(a.Industry, a.Unit, a.Role)
	}
	for _, c := range p.CurrentClusters() {
		r := Special
		if c.Level != Provincial {
			r = Main
		}
		for _, h := range c.Hosts {
			set(c.Industry, h, r)
		}
	}
	return out
}

// CurrentClusters lists each cluster once, at its latest step (a promoted
// cluster at its new level), in the order of first appearance.
func (p *Plan) CurrentClusters() []Cluster {
	idx := map[string]int{}
	var out []Cluster
	for _, c := range p.Clusters {
		i, seen := idx[c.Name]
		if !seen {
			idx[c.Name] = len(out)
			out = append(out, c)
			continue
		}
		if cur := out[i]; c.Year > cur.Year || c.Year == cur.Year && levelRank[c.Level] > levelRank[cur.Level] {
			out[i] = c
		}
	}
	return out
}

// A UnitView is what a plan says of one unit.
type UnitView struct {
	Code    string
	Main    []Holding
	Special []Holding
	// Clusters it hosts, each once at its latest level, with history.
	Clusters []ClusterView
	// Roles gives its role for each industry it holds, by code.
	Roles map[string]Role
	// Tier is the best (lowest) catalogue tier of its main industries, 0
	// when it has none; Level the best level of the clusters it hosts.
	Tier  int
	Level Level
	// Violations are the ids of the rules it breaks, with the counts of
	// errors and warnings among the violations naming it.
	Violations       []string
	Errors, Warnings int
}

// Assigned reports whether the plan gives the unit anything.
func (v *UnitView) Assigned() bool {
	return len(v.Main)+len(v.Special)+len(v.Clusters) > 0
}

// A ClusterView is a hosted cluster at its latest step, with its history.
type ClusterView struct {
	Cluster
	History []ClusterStep
}

// Views builds every unit's view from the plan and its validation report
// (units nothing names get no view: see View).
func (p *Plan) Views(r Report) map[string]*UnitView {
	out := map[string]*UnitView{}
	get := func(code string) *UnitView {
		v := out[code]
		if v == nil {
			v = &UnitView{Code: code, Roles: map[string]Role{}}
			out[code] = v
		}
		return v
	}
	tier := map[string]int{}
	for _, in := range p.Catalogue {
		tier[in.Code] = in.Tier
	}
	for _, a := range p.Assignments {
		if v := get(a.Unit); v.Main == nil && v.Special == nil {
			v.Main, v.Special, _ = p.Holdings(a.Unit)
		}
	}
	for ind, holders := range p.rolesOrCompute() {
		for code, role := range holders {
			v := get(code)
			v.Roles[ind] = role
			if t := tier[ind]; role == Main && t > 0 && p.Kind == DistrictPicks && (v.Tier == 0 || t < v.Tier) {
				v.Tier = t
			}
		}
	}
	for _, c := range p.CurrentClusters() {
		cv := ClusterView{Cluster: c, History: p.History(c.Name)}
		seen := map[string]bool{}
		for _, h := range c.Hosts {
			if seen[h] {
				continue
			}
			seen[h] = true
			v := get(h)
			v.Clusters = append(v.Clusters, cv)
			if levelRank[c.Level] > levelRank[v.Level] {
				v.Level = c.Level
			}
		}
	}
	for _, x := range r.Violations {
		for _, code := range x.Units {
			v := get(code)
			if !slices.Contains(v.Violations, x.Rule) {
				v.Violations = append(v.Violations, x.Rule)
			}
			if x.Severity == Error {
				v.Errors++
			} else {
				v.Warnings++
			}
		}
	}
	for _, v := range out {
		sort.Strings(v.Violations)
	}
	return out
}

func (p *Plan) rolesOrCompute() map[string]map[string]Role {
	if p.roles != nil {
		return p.roles
	}
	return rolesOf(p)
}
