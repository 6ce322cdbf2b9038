package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/topo"
	"github.com/paulmach/orb"
)

// ImportResult says what a boundary import did.
type ImportResult struct {
	Added, Replaced int
	// ZonesReplaced counts approximate zone points replaced by polygons.
	ZonesReplaced int
	Neighbours    int
}

// unitKind maps DataV levels onto unit kinds.
func unitKind(level string) (string, error) {
	switch level {
	case "city":
		return plan.KindCity, nil
	case "district", "":
		return plan.KindDistrict, nil
	}
	return "", fmt.Errorf("level %q is not imported (want city or district)", level)
}

// ImportBoundaries stores boundaries (replacing units with the same code,
// including an approximate zone point), makes the polygons of each kind
// a partition and recomputes the adjacency graph of all stored polygons,
// in one transaction. The partition is computed before anything is
// written, so each unit's geometry is written once. It takes the
// boundaries' geometries over (bs[i].Geom is nil afterwards), so that a
// nationwide import does not hold them twice.
func (s *Store) ImportBoundaries(ctx context.Context, bs []geo.Boundary, adj geo.AdjacencyOptions) (ImportResult, error) {
	var res ImportResult
	// DataV files have no English: names are romanised here, once.
	names, err := plan.DefaultNames()
	if err != nil {
		return res, err
	}
	err = s.write(ctx, true, func(tx *sql.Tx) error {
		stored, err := readUnits(ctx, tx)
		if err != nil {
			return err
		}
		old := make(map[string]int, len(stored))
		for i, u := range stored {
			old[u.Code] = i
		}
		// The units after this import: the stored ones not replaced, then
		// the new ones.
		var all []plan.Unit
		replaced := map[string]bool{}
		for _, b := range bs {
			replaced[b.Code] = true
		}
		for _, u := range stored {
			if !replaced[u.Code] {
				all = append(all, u)
			}
		}
		kinds := make([]string, len(bs))
		for i, b := range bs {
			kind, err := unitKind(b.Level)
			if err != nil {
				return fmt.Errorf("boundary %d (%s %s): %w", i+1, b.Code, b.Name, err)
			}
			if j, ok := old[b.Code]; ok && stored[j].Kind == plan.KindZone {
				kind = plan.KindZone // a surveyed zone is still a zone
			}
			kinds[i] = kind
		}
		first := len(all)
		for i, b := range bs {
			all = append(all, plan.Unit{Code: b.Code, Kind: kinds[i], Geom: b.Geom, Label: b.Label,
				Repairs: append(append([]string(nil), b.Repairs.Fixed...), b.Repairs.Unfixed...)})
			bs[i].Geom = nil
		}
		stored = nil
		parts, err := partition(all)
		if err != nil {
			return err
		}
		for i, b := range bs {
			u, p := all[first+i], parts[first+i]
			blob, err := EncodeGeometry(p.geom)
			if err != nil {
				return fmt.Errorf("boundary %s: %w", b.Code, err)
			}
			repairs := strings.Join(append(u.Repairs, p.notes...), "; ")
			nameEn := names.English(b.Code, b.Name)
			if _, ok := old[b.Code]; !ok {
				res.Added++
				_, err = tx.ExecContext(ctx, `INSERT INTO units (geom, code, name, name_en, kind, parent, approximate, area_km2,
					label_lon, label_lat, seat_lon, seat_lat, repairs) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)`,
					blob, b.Code, b.Name, nameEn, u.Kind, b.Parent, geo.AreaKm2(p.geom), p.label[0], p.label[1], b.Seat[0], b.Seat[1], repairs)
			} else {
				var approximate bool
				if err := tx.QueryRowContext(ctx, `SELECT approximate FROM units WHERE code = ?`, b.Code).Scan(&approximate); err != nil {
					return fmt.Errorf("boundary %s: %w", b.Code, err)
				}
				res.Replaced++
				if approximate {
					res.ZonesReplaced++
				}
				_, err = tx.ExecContext(ctx, `UPDATE units SET geom = ?, name = ?, name_en = ?, kind = ?, approximate = 0, area_km2 = ?,
					label_lon = ?, label_lat = ?, seat_lon = ?, seat_lat = ?, repairs = ?,
					parent = CASE WHEN ? = '' THEN parent ELSE ? END WHERE code = ?`,
					blob, b.Name, nameEn, u.Kind, geo.AreaKm2(p.geom), p.label[0], p.label[1], b.Seat[0], b.Seat[1], repairs, b.Parent, b.Parent, b.Code)
			}
			if err != nil {
				return fmt.Errorf("boundary %s: %w", b.Code, err)
			}
		}
		// Stored units whose borders the partition moved.
		for i, u := range all[:first] {
			p := parts[i]
			if p.geom == nil || !p.changed {
				continue
			}
			blob, err := EncodeGeometry(p.geom)
			if err != nil {
				return fmt.Errorf("unit %s: %w", u.Code, err)
			}
			repairs := strings.Join(append(withoutPartitionNotes(u.Repairs), p.notes...), "; ")
			if _, err := tx.ExecContext(ctx, `UPDATE units SET geom = ?, area_km2 = ?, label_lon = ?, label_lat = ?, repairs = ? WHERE code = ?`,
				blob, geo.AreaKm2(p.geom), p.label[0], p.label[1], repairs, u.Code); err != nil {
				return fmt.Errorf("unit %s: %w", u.Code, err)
			}
		}
		var shapes []geo.Shape
		shared := map[string]map[string]float64{}
		for i, u := range all {
			if parts[i].geom != nil {
				shapes = append(shapes, geo.Shape{ID: u.Code, Group: u.Kind, Geom: parts[i].geom})
				shared[u.Code] = parts[i].shared
			}
		}
		n, err := relink(ctx, tx, shapes, func(a, b string) float64 { return shared[a][b] }, adj)
		res.Neighbours = n
		if err != nil {
			return err
		}
		_, err = deriveSuccessors(ctx, tx)
		return err
	})
	return res, err
}

// part is a unit's share of the partition.
type part struct {
	geom    orb.MultiPolygon // nil for a unit without a polygon
	notes   []string
	label   orb.Point
	changed bool
	shared  map[string]float64 // metres of border with each neighbour
}

// partition makes the polygons of each kind a planar partition (see
// topo.Partition: no overlaps, no slivers between neighbours, every moved
// area noted). It takes the units' geometries over.
func partition(units []plan.Unit) ([]part, error) {
	byKind := map[string][]int{}
	var kinds []string
	for i, u := range units {
		// Derived polygons (approximate) are drawn from the surveyed ones
		// and overlap their predecessors: they take no part.
		if _, ok := u.Geom.(orb.MultiPolygon); ok && !u.Approximate {
			if byKind[u.Kind] == nil {
				kinds = append(kinds, u.Kind)
			}
			byKind[u.Kind] = append(byKind[u.Kind], i)
		}
	}
	sort.Strings(kinds)
	out := make([]part, len(units))
	for _, kind := range kinds {
		in := make([]topo.Unit, len(byKind[kind]))
		before := make([]uint64, len(byKind[kind]))
		for k, i := range byKind[kind] {
			in[k] = topo.Unit{Code: units[i].Code, Geom: units[i].Geom.(orb.MultiPolygon)}
			// Partition takes the geometry over; a hash tells whether it
			// changed.
			before[k] = geomHash(in[k].Geom)
			units[i].Geom = nil
		}
		res, err := topo.Partition(in, topo.DefaultSliverM)
		if err != nil {
			return nil, fmt.Errorf("%s units: %w", kind, err)
		}
		for k, i := range byKind[kind] {
			r := res[k]
			// Partitioning moves borders by metres: a label point still
			// inside stays, which spares most label searches.
			label := units[i].Label
			if !geo.Contains(r.Geom, label) {
				label = geo.LabelPoint(r.Geom)
			}
			out[i] = part{geom: r.Geom, notes: r.Notes, label: label, changed: geomHash(r.Geom) != before[k], shared: r.Shared}
		}
	}
	return out, nil
}

// relink replaces the adjacency table with the neighbours among the
// shapes (a pair sharing a long enough border in the partition needs no
// measuring) and updates the layer extent.
func relink(ctx context.Context, tx *sql.Tx, shapes []geo.Shape, known func(a, b string) float64, opt geo.AdjacencyOptions) (int, error) {
	ns := geo.NeighboursKnown(shapes, opt, known)
	if _, err := tx.ExecContext(ctx, `DELETE FROM adjacency`); err != nil {
		return 0, err
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO adjacency (a, b, shared_km) VALUES (?, ?, ?)`)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	for _, n := range ns {
		if _, err := stmt.ExecContext(ctx, n.A, n.B, n.SharedKm); err != nil {
			return 0, err
		}
	}
	return len(ns), updateExtent(ctx, tx)
}

// geomHash is a hash of a multipolygon's coordinates.
func geomHash(mp orb.MultiPolygon) uint64 {
	h := fnv.New64a()
	var b [8]byte
	for _, p := range mp {
		for _, r := range p {
			for _, q := range r {
				binary.LittleEndian.PutUint64(b[:], math.Float64bits(q[0]))
				h.Write(b[:])
				binary.LittleEndian.PutUint64(b[:], math.Float64bits(q[1]))
				h.Write(b[:])
			}
			h.Write([]byte{0})
		}
		h.Write([]byte{1})
	}
	return h.Sum64()
}

// withoutPartitionNotes drops the notes of an earlier partition: a new
// import partitions again and says what it moved then.
func withoutPartitionNotes(notes []string) []string {
	var out []string
	for _, n := range notes {
		if !strings.HasPrefix(n, "partition: ") {
			out = append(out, n)
		}
	}
	return out
}

// updateExtent records the units layer's bounds in gpkg_contents, where
// GIS clients read a layer's extent.
func updateExtent(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `UPDATE gpkg_contents SET
		min_x = (SELECT min(minx) FROM rtree_units_geom), max_x = (SELECT max(maxx) FROM rtree_units_geom),
		min_y = (SELECT min(miny) FROM rtree_units_geom), max_y = (SELECT max(maxy) FROM rtree_units_geom),
		last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE table_name = 'units'`)
	return err
}

// PutZones stores units known only by an approximate point. A zone that
// already has a polygon keeps it.
func (s *Store) PutZones(ctx context.Context, zones []plan.Unit) error {
	return s.write(ctx, true, func(tx *sql.Tx) error {
		for _, z := range zones {
			blob, err := EncodeGeometry(z.Geom)
			if err != nil {
				return fmt.Errorf("zone %s: %w", z.Code, err)
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO units (geom, code, name, name_en, kind, parent, approximate, hosts,
				label_lon, label_lat, seat_lon, seat_lat, note) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (code) DO NOTHING`,
				blob, z.Code, z.Name, z.NameEn, z.Kind, z.Parent, strings.Join(z.Hosts, ";"),
				z.Label[0], z.Label[1], z.Seat[0], z.Seat[1], z.Note)
			if err != nil {
				return fmt.Errorf("zone %s: %w", z.Code, err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE units SET hosts = ?, note = ?, name_en = ? WHERE code = ?`,
				strings.Join(z.Hosts, ";"), z.Note, z.NameEn, z.Code); err != nil {
				return err
			}
		}
		return updateExtent(ctx, tx)
	})
}

// PutPlan stores a plan with its catalogue, groups, limits and
// assignments or clusters, replacing any stored plan of the same id.
func (s *Store) PutPlan(ctx context.Context, p plan.Plan) error {
	return s.write(ctx, true, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM plans WHERE id = ?`, p.ID); err != nil {
			return err
		}
		rules, err := json.Marshal(p.Rules)
		if err != nil {
			return err
		}
		display, err := json.Marshal(p.Display)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO plans (id, title, title_en, kind, as_of, region, unit_kinds, display, rules) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.ID, p.Title, p.TitleEn, string(p.Kind), p.AsOf, p.Region, strings.Join(p.UnitKinds, ","), string(display), string(rules)); err != nil {
			return err
		}
		for _, in := range p.Catalogue {
			if _, err := tx.ExecContext(ctx, `INSERT INTO industries (plan_id, code, name, name_en, tier, tier_name, tier_name_en, confirmed)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, p.ID, in.Code, in.Name, in.NameEn, in.Tier, in.TierName, in.TierNameEn, in.Confirmed); err != nil {
				return fmt.Errorf("plan %s: industry %s: %w", p.ID, in.Code, err)
			}
		}
		for unit, grp := range p.Groups {
			if _, err := tx.ExecContext(ctx, `INSERT INTO unit_groups (plan_id, unit_code, grp) VALUES (?, ?, ?)`, p.ID, unit, grp); err != nil {
				return err
			}
		}
		if err := replaceAssignments(ctx, tx, p.ID, p.Assignments, p.Clusters); err != nil {
			return err
		}
		_, err = addRevision(ctx, tx, p.ID, p.Assignments, p.Clusters, WriteMeta{Author: "plan load"})
		return err
	})
}

func replaceAssignments(ctx context.Context, tx *sql.Tx, planID string, as []plan.Assignment, cs []plan.Cluster) error {
	for _, q := range []string{`DELETE FROM assignments WHERE plan_id = ?`, `DELETE FROM clusters WHERE plan_id = ?`} {
		if _, err := tx.ExecContext(ctx, q, planID); err != nil {
			return err
		}
	}
	for _, a := range as {
		if _, err := tx.ExecContext(ctx, `INSERT INTO assignments (plan_id, unit_code, role, industry, detail, source) VALUES (?, ?, ?, ?, ?, ?)`,
			planID, a.Unit, string(a.Role), a.Industry, a.Detail, a.Source); err != nil {
			return err
		}
	}
	for _, c := range cs {
		r, err := tx.ExecContext(ctx, `INSERT INTO clusters (plan_id, name, industry, level, host_codes, year, source) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			planID, c.Name, c.Industry, string(c.Level), strings.Join(c.Hosts, ";"), c.Year, c.Source)
		if err != nil {
			return err
		}
		fid, _ := r.LastInsertId()
		for _, h := range c.Hosts {
			if _, err := tx.ExecContext(ctx, `INSERT INTO cluster_hosts (cluster_fid, unit_code) VALUES (?, ?)`, fid, h); err != nil {
				return err
			}
		}
	}
	return nil
}

// ErrInvalid is returned (as an *InvalidError) by a write of a plan with
// errors that was not forced.
var ErrInvalid = errors.New("the plan breaks its rules")

// An InvalidError carries the report of a refused write.
type InvalidError struct{ Report plan.Report }

func (e *InvalidError) Error() string {
	return fmt.Sprintf("%s breaks %d rules (errors); nothing was stored: %v", e.Report.Subject, e.Report.Errors, ErrInvalid)
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

// A Checked is a write that passed the rules (or was forced): what was
// stored and the report of what was stored.
type Checked struct {
	Revision Revision
	Report   plan.Report
}

// WriteChecked validates a parsed plan file against p's units and rules
// in snap and stores it as p's assignments (or clusters), unless it
// breaks a rule with severity error and force is false: then it stores
// nothing and returns an *InvalidError with the report. Every writer
// (the API's PUT, indmap import plan) goes through here, so the same
// file gets the same verdict everywhere. subject names the file in the
// report.
func (s *Store) WriteChecked(ctx context.Context, snap *Snapshot, p *plan.Plan, parsed plan.Parsed, subject string, force bool, m WriteMeta) (Checked, error) {
	if m.Expect != nil {
		// A precondition comes before the work (RFC 9110 §13.2.1): a
		// stale writer hears so before its file's errors. The check that
		// counts is the one inside the write's transaction.
		cur, err := currentRevision(ctx, s.reader, p.ID)
		if err != nil {
			return Checked{}, err
		}
		if cur != *m.Expect {
			return Checked{}, &ConflictError{Plan: p.ID, Expected: *m.Expect, Current: cur}
		}
	}
	report, err := snap.Validate(p, parsed, "")
	if err != nil {
		return Checked{}, err
	}
	report.Subject = subject
	if !report.Valid && !force {
		return Checked{Report: report}, &InvalidError{Report: report}
	}
	as, cs := p.Normalize(parsed)
	m.Errors, m.Warnings, m.Forced = report.Errors, report.Warnings, !report.Valid
	rev, err := s.WriteAssignments(ctx, p.ID, as, cs, m)
	return Checked{Revision: rev, Report: report}, err
}

// ImportOptions say how ImportPlanFile reads and writes a file.
type ImportOptions struct {
	Limits plan.Limits
	// Force stores a plan with errors.
	Force bool
	Meta  WriteMeta
}

// ImportPlanFile reads a planner's plan file (CSV, JSON or .xlsx) for a
// stored plan and writes it through WriteChecked, atomically: on any
// error nothing is stored. The author defaults to "import NAME".
func (s *Store) ImportPlanFile(ctx context.Context, planID string, r io.Reader, name string, opt ImportOptions) (Checked, error) {
	snap, err := s.Load(ctx)
	if err != nil {
		return Checked{}, err
	}
	p, err := snap.LookupPlan(planID)
	if err != nil {
		return Checked{}, fmt.Errorf("%s: %w", name, err)
	}
	parsed, err := plan.ParseFileLimits(r, name, opt.Limits)
	if err != nil {
		return Checked{}, err
	}
	if opt.Meta.Author == "" {
		opt.Meta.Author = "import " + name
	}
	res, err := s.WriteChecked(ctx, snap, p, parsed, name, opt.Force, opt.Meta)
	if err != nil && !errors.Is(err, ErrInvalid) {
		err = fmt.Errorf("%s: %w", name, err)
	}
	return res, err
}

// PutDefinition creates a plan from a definition, or applies it to the
// stored plan of the same id, keeping its assignments; it reports whether
// the plan is new.
func (s *Store) PutDefinition(ctx context.Context, d plan.Definition) (bool, error) {
	snap, err := s.Load(ctx)
	if err != nil {
		return false, err
	}
	var p plan.Plan
	old, exists := snap.Plan(d.ID)
	if exists {
		p = *old
	}
	if !exists && len(d.Catalogue) == 0 {
		return false, fmt.Errorf("plan %s is new: its definition needs a catalogue", d.ID)
	}
	if exists && old.Kind != d.Kind {
		return false, fmt.Errorf("plan %s is %s; a definition cannot make it %s", d.ID, old.Kind, d.Kind)
	}
	d.Apply(&p)
	return !exists, s.PutPlan(ctx, p)
}
