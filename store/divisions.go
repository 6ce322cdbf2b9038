package store

import (
	"context"
	"database/sql"
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
	err := s.write(ctx, true, func(tx *sql.Tx) error {
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
		var err error
		created, err = deriveSuccessors(ctx, tx)
		return err
	})
	return created, err
}

// deriveSuccessors (re)draws every successor without a surveyed polygon
// from the stored changes and polygons; a boundary import calls it too,
// so derived units follow their predecessors.
func deriveSuccessors(ctx context.Context, tx *sql.Tx) ([]string, error) {
	all, err := readDivisionChanges(ctx, tx)
	if err != nil || len(all) == 0 {
		return nil, err
	}
	units, err := readUnits(ctx, tx)
	if err != nil {
		return nil, err
	}
	byCode := map[string]plan.Unit{}
	for _, u := range units {
		byCode[u.Code] = u
	}
	var drawn []string
	for _, to := range successorsToDerive(all, byCode) {
		ok, err := deriveSuccessor(ctx, tx, to, all, byCode)
		if err != nil {
			return nil, fmt.Errorf("successor %s: %w", to, err)
		}
		if ok {
			drawn = append(drawn, to)
		}
	}
	return drawn, updateExtent(ctx, tx)
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

// deriveSuccessor creates (or redraws) unit to from the predecessors that
// ended in it: the union of their polygons, marked approximate, with a
// note saying what is left out (parts of units that did not end, which
// no polygon delimits). It reports false when no predecessor with a
// polygon is loaded.
func deriveSuccessor(ctx context.Context, tx *sql.Tx, to string, all []plan.DivisionChange, byCode map[string]plan.Unit) (bool, error) {
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
		return false, nil
	}
	geom, err := topo.Union(parts...)
	if err != nil {
		return false, err
	}
	if len(geom) == 0 {
		return false, errors.New("the union of its predecessors is empty")
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
	blob, err := EncodeGeometry(geom)
	if err != nil {
		return false, err
	}
	label := geo.LabelPoint(geom)
	// Plain UPDATE or INSERT (not an upsert), so that the GeoPackage
	// R-tree triggers see an ordinary change.
	res, err := tx.ExecContext(ctx, `UPDATE units SET geom = ?, name = ?, area_km2 = ?, label_lon = ?, label_lat = ?,
		seat_lon = ?, seat_lat = ?, note = ?, valid_from = ? WHERE code = ?`,
		blob, name, geo.AreaKm2(geom), label[0], label[1], label[0], label[1], text, date, to)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		_, err = tx.ExecContext(ctx, `INSERT INTO units (geom, code, name, kind, parent, approximate, area_km2, label_lon, label_lat,
			seat_lon, seat_lat, note, valid_from) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)`,
			blob, to, name, first.Kind, first.Parent, geo.AreaKm2(geom), label[0], label[1], label[0], label[1], text, date)
	}
	return err == nil, err
}
