package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/topo"
	"github.com/paulmach/orb"
)

// PutDivisionChanges stores changes of divisions (replacing a record of
// the same date, from and to) and applies them to the units, in one
// transaction: a unit that ended is valid to the change's date; a
// successor that is not loaded is created from its predecessors, valid
// from that date, with a derived polygon marked approximate (see
// deriveSuccessor). It returns the codes of the units it drew.
func (s *Store) PutDivisionChanges(ctx context.Context, changes []plan.DivisionChange) ([]string, error) {
	var created []string
	err := s.write(ctx, changeGeometry, func(tx *txn) error {
		for _, d := range changes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO division_changes (date, from_code, from_name, to_code, to_name, share,
				from_ends, to_provisional, source, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (date, from_code, to_code) DO UPDATE SET from_name = excluded.from_name, to_name = excluded.to_name,
				share = excluded.share, from_ends = excluded.from_ends, to_provisional = excluded.to_provisional,
				source = excluded.source, note = excluded.note`,
				d.Date, d.From, d.FromName, d.To, d.ToName, d.Share, d.Ends, d.ToProvisional, d.Source, d.Note); err != nil {
				return fmt.Errorf("division change %s %s → %s: %w", d.Date, d.From, d.To, err)
			}
			if d.Ends {
				if _, err := tx.ExecContext(ctx, `UPDATE units SET valid_to = ? WHERE code = ?`, d.Date, d.From); err != nil {
					return err
				}
			}
		}
		all, err := readDivisionChanges(ctx, tx)
		if err != nil {
			return err
		}
		units, err := readUnits(ctx, tx)
		if err != nil {
			return err
		}
		// Few and small: drawn inside the transaction.
		ds, err := deriveSuccessors(all, units)
		if err != nil {
			return err
		}
		for _, d := range ds {
			created = append(created, d.code)
		}
		if err := writeDerivedNeighbours(ctx, tx, ds, derivedNeighbours(ds, units)); err != nil {
			return err
		}
		return writeDerived(ctx, tx, ds)
	})
	return created, err
}

// A derived unit is a successor drawn from its predecessors.
type derived struct {
	code, name, kind, parent, note, date string
	geom                                 orb.MultiPolygon
	label                                orb.Point
}

// deriveSuccessors draws every successor without a surveyed polygon from
// the changes and the units' polygons (after a boundary import, the
// imported ones), so derived units follow their predecessors. It reads
// and writes nothing, so an import runs it before taking the write lock.
func deriveSuccessors(all []plan.DivisionChange, units []plan.Unit) ([]derived, error) {
	if len(all) == 0 {
		return nil, nil
	}
	byCode := map[string]plan.Unit{}
	for _, u := range units {
		byCode[u.Code] = u
	}
	var out []derived
	for _, to := range successorsToDerive(all, byCode) {
		d, ok, err := deriveSuccessor(to, all, byCode)
		if err != nil {
			return nil, fmt.Errorf("successor %s: %w", to, err)
		}
		if ok {
			out = append(out, d)
		}
	}
	return out, nil
}

// derivedNeighbours finds the units each derived successor borders: the
// units in force on its date (its predecessors aside, which it replaces)
// whose outlines lie along its own, measured as import measures every
// pair (geo.Neighbours with the default tolerances).
func derivedNeighbours(ds []derived, units []plan.Unit) []geo.Neighbour {
	var out []geo.Neighbour
	for _, d := range ds {
		box := d.geom.Bound().Pad(0.01)
		// Pairs are measured within a kind, as import measures them.
		shapes := []geo.Shape{{ID: d.code, Group: d.kind, Geom: d.geom}}
		for _, u := range units {
			if u.Code == d.code || u.Geom == nil || (u.ValidTo != "" && u.ValidTo <= d.date) || (u.ValidFrom != "" && u.ValidFrom > d.date) {
				continue
			}
			mp, ok := u.Geom.(orb.MultiPolygon)
			if !ok || !box.Intersects(mp.Bound()) {
				continue
			}
			shapes = append(shapes, geo.Shape{ID: u.Code, Group: u.Kind, Geom: mp})
		}
		for _, n := range geo.Neighbours(shapes, geo.DefaultAdjacency) {
			if n.A == d.code || n.B == d.code {
				out = append(out, n)
			}
		}
	}
	return out
}

// writeDerivedNeighbours replaces the derived successors' pairs.
func writeDerivedNeighbours(ctx context.Context, tx *txn, ds []derived, pairs []geo.Neighbour) error {
	for _, d := range ds {
		if _, err := tx.ExecContext(ctx, `DELETE FROM adjacency WHERE a = ? OR b = ?`, d.code, d.code); err != nil {
			return err
		}
	}
	for _, n := range pairs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO adjacency (a, b, shared_km) VALUES (?, ?, ?)`, n.A, n.B, n.SharedKm); err != nil {
			return err
		}
	}
	return nil
}

// writeDerived stores derived units (plain UPDATE or INSERT, not an
// upsert, so that the GeoPackage R-tree triggers see an ordinary change)
// and the layer's new extent.
func writeDerived(ctx context.Context, tx *txn, ds []derived) error {
	for _, d := range ds {
		area := geo.AreaKm2(d.geom)
		blob, err := tx.d.encode(d.geom)
		if err != nil {
			return fmt.Errorf("successor %s: %w", d.code, err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE units SET geom = @geom, name = ?, area_km2 = ?, label_lon = ?, label_lat = ?,
			seat_lon = ?, seat_lat = ?, note = ?, valid_from = ? WHERE code = ?`,
			blob, d.name, area, d.label[0], d.label[1], d.label[0], d.label[1], d.note, d.date, d.code)
		if err != nil {
			return fmt.Errorf("successor %s: %w", d.code, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			_, err = tx.ExecContext(ctx, `INSERT INTO units (geom, code, name, kind, parent, approximate, area_km2, label_lon, label_lat,
				seat_lon, seat_lat, note, valid_from) VALUES (@geom, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				blob, d.code, d.name, d.kind, d.parent, true, area, d.label[0], d.label[1], d.label[0], d.label[1], d.note, d.date)
			if err != nil {
				return fmt.Errorf("successor %s: %w", d.code, err)
			}
		}
	}
	return updateExtent(ctx, tx)
}

// successorsToDerive lists successors with no surveyed polygon: not
// loaded, or loaded as a derived (approximate, non-zone) unit.
func successorsToDerive(all []plan.DivisionChange, byCode map[string]plan.Unit) []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range all {
		u, loaded := byCode[d.To]
		if seen[d.To] || loaded && (!u.Approximate || u.Kind == plan.KindZone) {
			continue
		}
		seen[d.To] = true
		out = append(out, d.To)
	}
	sort.Strings(out)
	return out
}

// deriveSuccessor draws unit to from the predecessors that ended in it:
// the union of their polygons, marked approximate, with a note saying
// what is left out (parts of units that did not end, which no polygon
// delimits). It reports false when no predecessor with a polygon is
// loaded.
func deriveSuccessor(to string, all []plan.DivisionChange, byCode map[string]plan.Unit) (derived, bool, error) {
	var (
		parts            []orb.MultiPolygon
		from, left       []string
		first            plan.Unit
		name, date, note string
		provisional      bool
	)
	for _, d := range all {
		if d.To != to {
			continue
		}
		name, date, provisional = d.ToName, d.Date, d.ToProvisional
		u, ok := byCode[d.From]
		mp, isPoly := u.Geom.(orb.MultiPolygon)
		if !ok || !isPoly || !d.Ends {
			left = append(left, fmt.Sprintf("%s's part (%s)", d.FromName, d.Note))
			continue
		}
		if len(parts) == 0 {
			first = u
		}
		parts = append(parts, mp)
		from = append(from, d.FromName)
		if d.Share == plan.Part && d.Note != "" {
			note = d.Note
		}
	}
	if len(parts) == 0 {
		return derived{}, false, nil
	}
	geom, err := topo.Union(parts...)
	if err != nil {
		return derived{}, false, err
	}
	if len(geom) == 0 {
		return derived{}, false, errors.New("the union of its predecessors is empty")
	}
	text := fmt.Sprintf("approximate: drawn as the union of the former %s", strings.Join(from, " and "))
	if note != "" {
		text += " (of which only " + note + ")"
	}
	if len(left) > 0 {
		text += "; not drawn: " + strings.Join(left, "; ")
	}
	if provisional {
		text += fmt.Sprintf("; %s is a provisional code until the official one is known", to)
	}
	return derived{code: to, name: name, kind: first.Kind, parent: first.Parent, note: text, date: date,
		geom: geom, label: geo.LabelPoint(geom)}, true, nil
}
