package store

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/plan"
	"github.com/paulmach/orb"
)

// A Snapshot is the store's content at one data version, held in memory
// and indexed for the read paths (API, tiles). It is never modified, so
// any number of requests share it without locks; a new version makes a
// new snapshot.
type Snapshot struct {
	Version    int64
	Units      []plan.Unit // by code
	Plans      []plan.Plan // by id
	Neighbours []geo.Neighbour

	byCode   map[string]int
	adjacent map[string][]string
	index    *geo.Index
	// reports holds each plan's validation, computed once per version so
	// that tiles and GeoJSON read violation counts without re-validating.
	reports    map[string]plan.Report
	violations map[string]map[string][]string // plan → unit → rule ids
	// planUnits holds each plan's units on its date, by code.
	planUnits map[string][]plan.Unit
	inPlan    map[string]map[string]bool
}

// NewSnapshot indexes units, plans and neighbour pairs.
func NewSnapshot(version int64, units []plan.Unit, plans []plan.Plan, ns []geo.Neighbour) *Snapshot {
	s := &Snapshot{Version: version, Units: units, Plans: plans, Neighbours: ns,
		byCode: map[string]int{}, adjacent: map[string][]string{}}
	sort.Slice(s.Units, func(i, j int) bool { return s.Units[i].Code < s.Units[j].Code })
	bounds := make([]orb.Bound, len(units))
	for i, u := range s.Units {
		s.byCode[u.Code] = i
		if u.Geom != nil {
			bounds[i] = u.Geom.Bound()
		}
	}
	s.index = geo.NewIndex(bounds)
	for _, n := range ns {
		s.adjacent[n.A] = append(s.adjacent[n.A], n.B)
		s.adjacent[n.B] = append(s.adjacent[n.B], n.A)
	}
	for _, l := range s.adjacent {
		sort.Strings(l)
	}
	s.reports = map[string]plan.Report{}
	s.violations = map[string]map[string][]string{}
	s.planUnits = map[string][]plan.Unit{}
	s.inPlan = map[string]map[string]bool{}
	now := time.Now()
	for i := range s.Plans {
		p := &s.Plans[i]
		p.IndexHoldings()
		date := p.Date(now)
		units := s.PlanUnitsOn(p, date)
		s.planUnits[p.ID] = units
		in := make(map[string]bool, len(units))
		for _, u := range units {
			in[u.Code] = true
		}
		s.inPlan[p.ID] = in
		r := plan.Validate(p, plan.Subject{Units: units, Date: date, Other: s.Unit, Neighbours: s.NeighboursOf,
			Assignments: p.Assignments, Clusters: p.Clusters})
		s.reports[p.ID] = r
		byUnit := map[string][]string{}
		for _, v := range r.Violations {
			for _, u := range v.Units {
				if !slices.Contains(byUnit[u], v.Rule) {
					byUnit[u] = append(byUnit[u], v.Rule)
				}
			}
		}
		for _, rules := range byUnit {
			sort.Strings(rules)
		}
		s.violations[p.ID] = byUnit
	}
	return s
}

// Report is the validation of a stored plan at this version.
func (s *Snapshot) Report(planID string) (plan.Report, bool) {
	r, ok := s.reports[planID]
	return r, ok
}

// UnitViolations lists the rule ids a unit breaks in a plan.
func (s *Snapshot) UnitViolations(planID, code string) []string {
	return s.violations[planID][code]
}

// Validate checks a plan file's records against a stored plan's units,
// adjacency and rules, storing nothing. The units are those in force on
// date (YYYY-MM-DD; "" is the plan's own date).
func (s *Snapshot) Validate(p *plan.Plan, f plan.Parsed, date string) (plan.Report, error) {
	if f.Kind != p.Kind {
		return plan.Report{}, fmt.Errorf("a %s file, but plan %s is %s", f.Kind, p.ID, p.Kind)
	}
	units := s.PlanUnits(p)
	if date == "" {
		date = p.Date(time.Now())
	} else {
		units = s.PlanUnitsOn(p, date)
	}
	return plan.Validate(p, plan.Subject{Units: units, Date: date, Other: s.Unit, Neighbours: s.NeighboursOf,
		Assignments: f.Assignments, Clusters: f.Clusters, Lines: f.Lines}), nil
}

// Unit finds a unit by code.
func (s *Snapshot) Unit(code string) (plan.Unit, bool) {
	i, ok := s.byCode[code]
	if !ok {
		return plan.Unit{}, false
	}
	return s.Units[i], true
}

// Plan finds a plan by id.
func (s *Snapshot) Plan(id string) (*plan.Plan, bool) {
	for i := range s.Plans {
		if s.Plans[i].ID == id {
			return &s.Plans[i], true
		}
	}
	return nil, false
}

// PlanIDs lists the plans' ids.
func (s *Snapshot) PlanIDs() []string {
	ids := make([]string, len(s.Plans))
	for i, p := range s.Plans {
		ids[i] = p.ID
	}
	return ids
}

// PlanUnits returns the units of p on its date, by code.
func (s *Snapshot) PlanUnits(p *plan.Plan) []plan.Unit {
	if units, ok := s.planUnits[p.ID]; ok {
		return units
	}
	return s.PlanUnitsOn(p, p.Date(time.Now()))
}

// InPlan reports whether the unit code is one of p's units on its date.
func (s *Snapshot) InPlan(p *plan.Plan, code string) bool {
	if in, ok := s.inPlan[p.ID]; ok {
		return in[code]
	}
	for _, u := range s.PlanUnits(p) {
		if u.Code == code {
			return true
		}
	}
	return false
}

// PlanUnitsOn returns the units of p in force on date (YYYY-MM-DD).
func (s *Snapshot) PlanUnitsOn(p *plan.Plan, date string) []plan.Unit {
	var out []plan.Unit
	for _, u := range s.Units {
		if p.Holds(u, date, s.parentOf) {
			out = append(out, u)
		}
	}
	return out
}

func (s *Snapshot) parentOf(code string) (string, bool) {
	u, ok := s.Unit(code)
	return u.Parent, ok
}

// NeighboursOf lists the codes of the units sharing a border with code.
func (s *Snapshot) NeighboursOf(code string) []string { return s.adjacent[code] }

// UnitsAt returns the units in force on date (YYYY-MM-DD; "" for any
// date) whose polygon contains p.
func (s *Snapshot) UnitsAt(p orb.Point, date string) []plan.Unit {
	var out []plan.Unit
	s.index.Search(orb.Bound{Min: p, Max: p}, func(i int) bool {
		if (date == "" || s.Units[i].InForce(date)) && geo.Contains(s.Units[i].Geom, p) {
			out = append(out, s.Units[i])
		}
		return true
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}
