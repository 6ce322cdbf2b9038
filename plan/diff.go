package plan

import (
	"sort"
	"strings"
)

// Contents is what a plan holds at one moment (stored, a revision, a
// file): assignments or clusters, by the plan's kind.
type Contents struct {
	Assignments []Assignment
	Clusters    []Cluster
}

// A DiffItem is one industry a unit holds in a role, or one cluster it
// hosts at a level.
type DiffItem struct {
	Industry     string `json:"industry"`
	IndustryName string `json:"industry_name"`
	Role         Role   `json:"role,omitempty"`
	Cluster      string `json:"cluster,omitempty"`
	Level        Level  `json:"level,omitempty"`
}

// A RoleChange is an industry a unit holds on both sides in another role
// (main+special when it holds both), or a cluster at another level.
type RoleChange struct {
	Industry     string `json:"industry"`
	IndustryName string `json:"industry_name"`
	Cluster      string `json:"cluster,omitempty"`
	From         string `json:"from"`
	To           string `json:"to"`
}

// A UnitDiff is what changes for one unit.
type UnitDiff struct {
	Unit     string       `json:"unit"`
	UnitName string       `json:"unit_name"`
	Added    []DiffItem   `json:"added"`
	Removed  []DiffItem   `json:"removed"`
	Changed  []RoleChange `json:"changed"`
}

// A Diff says, per unit, what the new side (To) adds, removes and holds
// in another role than the old side (From). Repeated records count once;
// details and sources are not compared.
type Diff struct {
	Plan         string `json:"plan"`
	From         string `json:"from"`
	To           string `json:"to"`
	FromRevision int    `json:"from_revision,omitempty"`
	ToRevision   int    `json:"to_revision,omitempty"`
	Added        int    `json:"added"`
	Removed      int    `json:"removed"`
	Changed      int    `json:"changed"`
	// Units are the units with a change, by code.
	Units []UnitDiff `json:"units"`
	// After is what every unit holds on the new side, by unit code: what
	// a map draws for a draft.
	After map[string][]DiffItem `json:"after"`
}

// holdings maps unit → key (industry code or cluster name) → item per
// role or level, for one side of a diff.
type holdings map[string]map[string]map[string]DiffItem

func (p *Plan) holdingsOf(c Contents) holdings {
	h := holdings{}
	put := func(unit, key, role string, it DiffItem) {
		if h[unit] == nil {
			h[unit] = map[string]map[string]DiffItem{}
		}
		if h[unit][key] == nil {
			h[unit][key] = map[string]DiffItem{}
		}
		h[unit][key][role] = it
	}
	industry := func(code string) (string, string) {
		if in, ok := p.Industry(code); ok {
			return in.Code, in.Name
		}
		return code, code
	}
	for _, a := range c.Assignments {
		code, name := industry(a.Industry)
		put(a.Unit, code, string(a.Role), DiffItem{Industry: code, IndustryName: name, Role: a.Role})
	}
	for _, cl := range c.Clusters {
		code, name := industry(cl.Industry)
		for _, host := range cl.Hosts {
			put(host, cl.Name, string(cl.Level), DiffItem{Industry: code, IndustryName: name, Cluster: cl.Name, Level: cl.Level})
		}
	}
	return h
}

// DiffContents compares two states of p; unitName names unit codes.
func (p *Plan) DiffContents(from, to Contents, unitName func(code string) string) Diff {
	before, after := p.holdingsOf(from), p.holdingsOf(to)
	d := Diff{Plan: p.ID, Units: []UnitDiff{}, After: map[string][]DiffItem{}}
	order := p.catalogueOrder()
	units := map[string]bool{}
	for u := range before {
		units[u] = true
	}
	for u := range after {
		units[u] = true
	}
	codes := make([]string, 0, len(units))
	for u := range units {
		codes = append(codes, u)
	}
	sort.Strings(codes)
	for _, u := range codes {
		ud := UnitDiff{Unit: u, UnitName: unitName(u), Added: []DiffItem{}, Removed: []DiffItem{}, Changed: []RoleChange{}}
		for _, key := range order.keys(before[u], after[u]) {
			b, a := before[u][key], after[u][key]
			switch {
			case len(b) == 0:
				ud.Added = append(ud.Added, items(a)...)
			case len(a) == 0:
				ud.Removed = append(ud.Removed, items(b)...)
			case roles(b) != roles(a):
				it := items(a)[0]
				ud.Changed = append(ud.Changed, RoleChange{Industry: it.Industry, IndustryName: it.IndustryName,
					Cluster: it.Cluster, From: roles(b), To: roles(a)})
			}
			d.After[u] = append(d.After[u], items(a)...)
		}
		if n := len(ud.Added) + len(ud.Removed) + len(ud.Changed); n > 0 {
			d.Added += len(ud.Added)
			d.Removed += len(ud.Removed)
			d.Changed += len(ud.Changed)
			d.Units = append(d.Units, ud)
		}
	}
	return d
}

// catalogueOrder ranks industry codes by their place in the catalogue.
type catalogueOrder map[string]int

func (p *Plan) catalogueOrder() catalogueOrder {
	o := catalogueOrder{}
	for i, in := range p.Catalogue {
		o[in.Code] = i
	}
	return o
}

// keys lists the keys of both sides: catalogue industries in catalogue
// order, then the rest by name. A cluster's key is its name; clusters
// sort by their sector, then name.
func (o catalogueOrder) keys(sides ...map[string]map[string]DiffItem) []string {
	seen := map[string]DiffItem{}
	for _, side := range sides {
		for k, byRole := range side {
			for _, it := range byRole {
				seen[k] = it
			}
		}
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	rank := func(k string) int {
		if r, ok := o[seen[k].Industry]; ok {
			return r
		}
		return len(o)
	}
	sort.Slice(keys, func(i, j int) bool {
		if ri, rj := rank(keys[i]), rank(keys[j]); ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	return keys
}

// items lists a key's items, by role or level.
func items(byRole map[string]DiffItem) []DiffItem {
	rs := make([]string, 0, len(byRole))
	for r := range byRole {
		rs = append(rs, r)
	}
	sort.Strings(rs)
	out := make([]DiffItem, len(rs))
	for i, r := range rs {
		out[i] = byRole[r]
	}
	return out
}

// roles names a key's roles or levels: main, special, or main+special.
func roles(byRole map[string]DiffItem) string {
	rs := make([]string, 0, len(byRole))
	for r := range byRole {
		rs = append(rs, r)
	}
	sort.Strings(rs)
	return strings.Join(rs, "+")
}
