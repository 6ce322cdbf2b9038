package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/plan"
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
// including an approximate zone point) and recomputes the adjacency graph
// of all stored polygons, in one transaction.
func (s *Store) ImportBoundaries(ctx context.Context, bs []geo.Boundary, adj geo.AdjacencyOptions) (ImportResult, error) {
	var res ImportResult
	// DataV files have no English: names are romanised here, once.
	names, err := plan.DefaultNames()
	if err != nil {
		return res, err
	}
	err = s.write(ctx, true, func(tx *sql.Tx) error {
		for i, b := range bs {
			nameEn := names.English(b.Code, b.Name)
			kind, err := unitKind(b.Level)
			if err != nil {
				return fmt.Errorf("boundary %d (%s %s): %w", i+1, b.Code, b.Name, err)
			}
			blob, err := EncodeGeometry(b.Geom)
			if err != nil {
				return fmt.Errorf("boundary %s: %w", b.Code, err)
			}
			var oldKind string
			var approximate bool
			err = tx.QueryRowContext(ctx, `SELECT kind, approximate FROM units WHERE code = ?`, b.Code).Scan(&oldKind, &approximate)
			repairs := strings.Join(append(append([]string(nil), b.Repairs.Fixed...), b.Repairs.Unfixed...), "; ")
			switch {
			case err == sql.ErrNoRows:
				res.Added++
				_, err = tx.ExecContext(ctx, `INSERT INTO units (geom, code, name, name_en, kind, parent, approximate, area_km2,
					label_lon, label_lat, seat_lon, seat_lat, repairs) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)`,
					blob, b.Code, b.Name, nameEn, kind, b.Parent, b.AreaKm2, b.Label[0], b.Label[1], b.Seat[0], b.Seat[1], repairs)
			case err == nil:
				res.Replaced++
				if approximate {
					res.ZonesReplaced++
				}
				if oldKind == plan.KindZone {
					kind = oldKind // a surveyed zone is still a zone
				}
				_, err = tx.ExecContext(ctx, `UPDATE units SET geom = ?, name = ?, name_en = ?, kind = ?, approximate = 0, area_km2 = ?,
					label_lon = ?, label_lat = ?, seat_lon = ?, seat_lat = ?, repairs = ?,
					parent = CASE WHEN ? = '' THEN parent ELSE ? END WHERE code = ?`,
					blob, b.Name, nameEn, kind, b.AreaKm2, b.Label[0], b.Label[1], b.Seat[0], b.Seat[1], repairs, b.Parent, b.Parent, b.Code)
			}
			if err != nil {
				return fmt.Errorf("boundary %s: %w", b.Code, err)
			}
		}
		n, err := relink(ctx, tx, adj)
		res.Neighbours = n
		if err != nil {
			return err
		}
		_, err = deriveSuccessors(ctx, tx)
		return err
	})
	return res, err
}

// relink recomputes the adjacency table from every stored polygon, snaps
// neighbours' borders to each other (so that each shared border is one
// arc for the tiles; it moves borders by metres and leaves adjacency as
// it was), and updates the layer extent.
func relink(ctx context.Context, tx *sql.Tx, opt geo.AdjacencyOptions) (int, error) {
	units, err := readUnits(ctx, tx)
	if err != nil {
		return 0, err
	}
	var shapes []geo.Shape
	var snapped []plan.Unit
	for _, u := range units {
		// Derived polygons (approximate) are drawn from the surveyed ones
		// and overlap their predecessors: they take no part.
		if g, ok := u.Geom.(orb.MultiPolygon); ok && !u.Approximate {
			shapes = append(shapes, geo.Shape{ID: u.Code, Group: u.Kind, Geom: g})
			snapped = append(snapped, u)
		}
	}
	ns := geo.Neighbours(shapes, opt)
	notes := map[string][]string{}
	for _, n := range geo.Snap(shapes, ns, geo.DefaultSnapM) {
		code, _, _ := strings.Cut(n, ":")
		notes[code] = append(notes[code], n)
	}
	for i, s := range shapes {
		u := snapped[i]
		if orb.Equal(s.Geom, u.Geom) {
			continue
		}
		blob, err := EncodeGeometry(s.Geom)
		if err != nil {
			return 0, fmt.Errorf("unit %s: %w", u.Code, err)
		}
		label := geo.LabelPoint(s.Geom)
		repairs := strings.Join(append(u.Repairs, notes[u.Code]...), "; ")
		if _, err := tx.ExecContext(ctx, `UPDATE units SET geom = ?, area_km2 = ?, label_lon = ?, label_lat = ?, repairs = ? WHERE code = ?`,
			blob, geo.AreaKm2(s.Geom), label[0], label[1], repairs, u.Code); err != nil {
			return 0, fmt.Errorf("unit %s: %w", u.Code, err)
		}
	}
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
		if _, err := tx.ExecContext(ctx, `INSERT INTO plans (id, title, kind, as_of, region, unit_kinds, display, rules) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			p.ID, p.Title, string(p.Kind), p.AsOf, p.Region, strings.Join(p.UnitKinds, ","), string(display), string(rules)); err != nil {
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
