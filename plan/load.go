package plan

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// Files name a plan's data files, so that a new province's plan is a
// definition and its CSV files, with no code: the catalogue, units known
// only by a point (functional zones), named groups of units, and the
// assignments or clusters.
type Files struct {
	Catalogue   *Table `json:"catalogue,omitempty"`
	Zones       *Table `json:"zones,omitempty"`
	Groups      *Table `json:"groups,omitempty"`
	Assignments string `json:"assignments,omitempty"`
	Clusters    string `json:"clusters,omitempty"`
}

// A Table is a CSV file whose columns are read by indmap's field names;
// Columns maps a field to the file's column where the names differ.
//
//   - catalogue: code, name, name_en, tier, tier_name, tier_name_en,
//     confirmed (yes/no; all confirmed when absent)
//   - zones: code, name, name_en, zone_kind, max_main, hosts (;-separated),
//     lon, lat, note
//   - groups: code, group
type Table struct {
	File    string            `json:"file"`
	Columns map[string]string `json:"columns,omitempty"`
}

func (t *Table) col(field string) string {
	if c, ok := t.Columns[field]; ok {
		return c
	}
	return field
}

// rows reads the table's records, with the named fields required.
func (t *Table) rows(open func(string) ([]byte, error), required ...string) ([]Row, error) {
	b, err := open(t.File)
	if err != nil {
		return nil, err
	}
	cols := make([]string, len(required))
	for i, f := range required {
		cols[i] = t.col(f)
	}
	return ReadCSV(bytes.NewReader(b), t.File, 0, cols...)
}

// get reads a field of a row through the table's column map.
func (t *Table) get(r Row, field string) string { return r.Get(t.col(field)) }

// Load reads the plan a definition describes, with its data files (open
// reads a file named in the definition), and the zones it defines.
func Load(d Definition, open func(name string) ([]byte, error)) (Plan, []Unit, error) {
	var p Plan
	d.Apply(&p)
	f := d.Files
	if f == nil {
		return p, nil, nil
	}
	fail := func(err error) (Plan, []Unit, error) { return p, nil, fmt.Errorf("plan %s: %w", d.ID, err) }
	if f.Catalogue != nil {
		cat, err := loadCatalogue(f.Catalogue, open)
		if err != nil {
			return fail(err)
		}
		p.Catalogue = cat
	}
	var zones []Unit
	if f.Zones != nil {
		var err error
		if zones, err = loadZones(&p, f.Zones, open); err != nil {
			return fail(err)
		}
	}
	if f.Groups != nil {
		rows, err := f.Groups.rows(open, "code", "group")
		if err != nil {
			return fail(err)
		}
		p.Groups = map[string]string{}
		for _, r := range rows {
			p.Groups[f.Groups.get(r, "code")] = f.Groups.get(r, "group")
		}
	}
	if f.Assignments != "" {
		b, err := open(f.Assignments)
		if err != nil {
			return fail(err)
		}
		picks, lines, err := ReadPicks(bytes.NewReader(b), f.Assignments, 0)
		if err != nil {
			return fail(err)
		}
		for i, a := range picks {
			in, ok := p.Industry(a.Industry)
			if !ok {
				return fail(fmt.Errorf("%s: line %d: industry %q is not in the catalogue", f.Assignments, lines[i], a.Industry))
			}
			a.Industry = in.Code
			p.Assignments = append(p.Assignments, a)
		}
	}
	if f.Clusters != "" {
		b, err := open(f.Clusters)
		if err != nil {
			return fail(err)
		}
		if p.Clusters, _, err = ReadClusters(bytes.NewReader(b), f.Clusters, 0); err != nil {
			return fail(err)
		}
	}
	return p, zones, nil
}

func loadCatalogue(t *Table, open func(string) ([]byte, error)) ([]Industry, error) {
	rows, err := t.rows(open, "code", "name", "tier")
	if err != nil {
		return nil, err
	}
	var out []Industry
	for _, r := range rows {
		tier, err := strconv.Atoi(t.get(r, "tier"))
		if err != nil {
			return nil, fmt.Errorf("%s: line %d: %s %q is not a whole number", t.File, r.Line, t.col("tier"), t.get(r, "tier"))
		}
		confirmed := t.get(r, "confirmed")
		out = append(out, Industry{Code: t.get(r, "code"), Name: t.get(r, "name"), NameEn: t.get(r, "name_en"), Tier: tier,
			TierName: t.get(r, "tier_name"), TierNameEn: t.get(r, "tier_name_en"), Confirmed: confirmed == "" || confirmed == "yes"})
	}
	return out, nil
}

// loadZones reads units known only by an approximate point; a zone's
// max_main becomes its per-unit limit in the plan's rules.
func loadZones(p *Plan, t *Table, open func(string) ([]byte, error)) ([]Unit, error) {
	rows, err := t.rows(open, "code", "name", "hosts", "lon", "lat")
	if err != nil {
		return nil, err
	}
	if p.Rules.UnitLimits == nil {
		p.Rules.UnitLimits = map[string]map[Role]int{}
	}
	var out []Unit
	for _, r := range rows {
		lon, err1 := strconv.ParseFloat(t.get(r, "lon"), 64)
		lat, err2 := strconv.ParseFloat(t.get(r, "lat"), 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%s: line %d: %s/%s are not numbers", t.File, r.Line, t.col("lon"), t.col("lat"))
		}
		code := t.get(r, "code")
		if s := t.get(r, "max_main"); s != "" {
			maxMain, err := strconv.Atoi(s)
			if err != nil {
				return nil, fmt.Errorf("%s: line %d: %s %q is not a whole number", t.File, r.Line, t.col("max_main"), s)
			}
			if l, _ := p.Rules.Limit(code, Main); l != maxMain {
				p.Rules.UnitLimits[code] = map[Role]int{Main: maxMain}
			}
		}
		note := t.get(r, "note")
		if k := t.get(r, "zone_kind"); k != "" {
			note = k + ": " + note
		}
		// The points are given to 0.01° (about 1 km), coarser than the
		// GCJ-02 offset, so they are taken as they are.
		pt := orb.Point{lon, lat}
		out = append(out, Unit{Code: code, Name: t.get(r, "name"), NameEn: t.get(r, "name_en"), Kind: KindZone, Parent: p.Region,
			Approximate: true, Hosts: strings.Split(t.get(r, "hosts"), ";"), Note: note, Geom: pt, Label: pt, Seat: pt})
	}
	return out, nil
}
