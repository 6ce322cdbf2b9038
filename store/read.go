package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/plan"
)

func readUnits(ctx context.Context, q querier) ([]plan.Unit, error) {
	rows, err := q.QueryContext(ctx, `SELECT @wkb, code, name, name_en, kind, parent, approximate, hosts,
		coalesce(area_km2, 0), coalesce(label_lon, 0), coalesce(label_lat, 0),
		coalesce(seat_lon, 0), coalesce(seat_lat, 0), note, repairs, valid_from, valid_to FROM units ORDER BY code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []plan.Unit
	for rows.Next() {
		var u plan.Unit
		var blob []byte
		var hosts, repairs string
		if err := rows.Scan(&blob, &u.Code, &u.Name, &u.NameEn, &u.Kind, &u.Parent, &u.Approximate, &hosts, &u.AreaKm2,
			&u.Label[0], &u.Label[1], &u.Seat[0], &u.Seat[1], &u.Note, &repairs, &u.ValidFrom, &u.ValidTo); err != nil {
			return nil, err
		}
		if blob != nil {
			if u.Geom, err = q.dialect().decode(blob); err != nil {
				return nil, fmt.Errorf("unit %s: %w", u.Code, err)
			}
		}
		u.Hosts = splitList(hosts, ";")
		u.Repairs = splitList(repairs, "; ")
		out = append(out, u)
	}
	return out, rows.Err()
}

func splitList(s, sep string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, sep)
}

// readPlans reads every plan, or the one of id when given.
func readPlans(ctx context.Context, q querier, id ...string) ([]plan.Plan, error) {
	query, args := `SELECT id, title, title_en, kind, as_of, region, unit_kinds, display, rules FROM plans ORDER BY id`, []any{}
	if len(id) == 1 {
		query, args = `SELECT id, title, title_en, kind, as_of, region, unit_kinds, display, rules FROM plans WHERE id = ?`, []any{id[0]}
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var plans []plan.Plan
	for rows.Next() {
		var p plan.Plan
		var kinds, display, rules string
		if err := rows.Scan(&p.ID, &p.Title, &p.TitleEn, &p.Kind, &p.AsOf, &p.Region, &kinds, &display, &rules); err != nil {
			rows.Close()
			return nil, err
		}
		if err := json.Unmarshal([]byte(rules), &p.Rules); err != nil {
			rows.Close()
			return nil, fmt.Errorf("plan %s: rules: %w", p.ID, err)
		}
		if err := json.Unmarshal([]byte(display), &p.Display); err != nil {
			rows.Close()
			return nil, fmt.Errorf("plan %s: display: %w", p.ID, err)
		}
		p.UnitKinds = splitList(kinds, ",")
		p.Groups = map[string]string{}
		plans = append(plans, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range plans {
		if err := readPlanDetail(ctx, q, &plans[i]); err != nil {
			return nil, fmt.Errorf("plan %s: %w", plans[i].ID, err)
		}
	}
	return plans, nil
}

// each runs query and calls scan for every row.
func each(ctx context.Context, q querier, query string, scan func(*sql.Rows) error, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func readPlanDetail(ctx context.Context, q querier, p *plan.Plan) error {
	err := each(ctx, q, `SELECT code, name, name_en, tier, tier_name, tier_name_en, confirmed FROM industries WHERE plan_id = ? ORDER BY fid`,
		func(r *sql.Rows) error {
			var in plan.Industry
			err := r.Scan(&in.Code, &in.Name, &in.NameEn, &in.Tier, &in.TierName, &in.TierNameEn, &in.Confirmed)
			p.Catalogue = append(p.Catalogue, in)
			return err
		}, p.ID)
	if err != nil {
		return err
	}
	err = each(ctx, q, `SELECT unit_code, role, industry, detail, source FROM assignments WHERE plan_id = ? ORDER BY fid`,
		func(r *sql.Rows) error {
			var a plan.Assignment
			err := r.Scan(&a.Unit, &a.Role, &a.Industry, &a.Detail, &a.Source)
			p.Assignments = append(p.Assignments, a)
			return err
		}, p.ID)
	if err != nil {
		return err
	}
	err = each(ctx, q, `SELECT name, industry, level, host_codes, coalesce(year, 0), source FROM clusters WHERE plan_id = ? ORDER BY fid`,
		func(r *sql.Rows) error {
			var c plan.Cluster
			var hosts string
			err := r.Scan(&c.Name, &c.Industry, &c.Level, &hosts, &c.Year, &c.Source)
			c.Hosts = splitList(hosts, ";")
			p.Clusters = append(p.Clusters, c)
			return err
		}, p.ID)
	if err != nil {
		return err
	}
	return each(ctx, q, `SELECT unit_code, grp FROM unit_groups WHERE plan_id = ?`,
		func(r *sql.Rows) error {
			var u, g string
			err := r.Scan(&u, &g)
			p.Groups[u] = g
			return err
		}, p.ID)
}

func readDivisionChanges(ctx context.Context, q querier) ([]plan.DivisionChange, error) {
	var out []plan.DivisionChange
	err := each(ctx, q, `SELECT date, from_code, from_name, to_code, to_name, share, from_ends, to_provisional, source, note
		FROM division_changes ORDER BY date, fid`, func(r *sql.Rows) error {
		var d plan.DivisionChange
		err := r.Scan(&d.Date, &d.From, &d.FromName, &d.To, &d.ToName, &d.Share, &d.Ends, &d.ToProvisional, &d.Source, &d.Note)
		out = append(out, d)
		return err
	})
	return out, err
}

// linkUnits gives units their predecessors and successors.
func linkUnits(units []plan.Unit, changes []plan.DivisionChange) {
	byCode := make(map[string]int, len(units))
	for i, u := range units {
		byCode[u.Code] = i
	}
	for _, d := range changes {
		if i, ok := byCode[d.From]; ok {
			units[i].Successors = append(units[i].Successors, plan.UnitLink{Code: d.To, Name: d.ToName, Share: d.Share, Date: d.Date})
		}
		if i, ok := byCode[d.To]; ok {
			units[i].Predecessors = append(units[i].Predecessors, plan.UnitLink{Code: d.From, Name: d.FromName, Share: d.Share, Date: d.Date})
		}
	}
}

func readNeighbours(ctx context.Context, q querier) ([]geo.Neighbour, error) {
	var out []geo.Neighbour
	err := each(ctx, q, `SELECT a, b, shared_km FROM adjacency ORDER BY a, b`, func(r *sql.Rows) error {
		var n geo.Neighbour
		err := r.Scan(&n.A, &n.B, &n.SharedKm)
		out = append(out, n)
		return err
	})
	return out, err
}

// Data is what the store holds at one data version: rows, as stored.
// The read model (package readmodel) builds what is read from it.
type Data struct {
	Version int64
	// Geometry is nil when it is the one the caller said it has (see
	// Load).
	Geometry *Geometry
	Plans    []plan.Plan
	// Revisions is each plan's newest revision.
	Revisions map[string]int
}

// Geometry is the units, with their links to predecessors and
// successors, and their adjacency, at one geometry version. It is never
// modified once loaded: snapshots share it until it changes.
type Geometry struct {
	Version    int64
	Units      []plan.Unit // by code
	Neighbours []geo.Neighbour
}

// Load reads the store at one data version, in one read transaction. The
// geometry (the bulk of it) is read only when its version is not have:
// a write of a plan's assignments reloads plans only.
func (s *Store) Load(ctx context.Context, have int64) (*Data, error) {
	ctx, cancel := s.bounded(ctx, 2*s.timeout) // a nation's units take a while
	defer cancel()
	d, err := s.load(ctx, have)
	return d, s.unavailable(err)
}

func (s *Store) load(ctx context.Context, have int64) (*Data, error) {
	tx, err := s.reader.begin(ctx, s.d.readOptions())
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := s.checkSchema(ctx, tx); err != nil {
		return nil, err
	}
	v, err := versions(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	d := &Data{Version: v.Data}
	if v.Geometry != have || have == 0 {
		if d.Geometry, err = readGeometry(ctx, tx, v.Geometry); err != nil {
			return nil, err
		}
	}
	if d.Plans, err = readPlans(ctx, tx); err != nil {
		return nil, fmt.Errorf("load plans: %w", err)
	}
	if d.Revisions, err = readRevisionHeads(ctx, tx); err != nil {
		return nil, fmt.Errorf("load revisions: %w", err)
	}
	return d, nil
}

func readGeometry(ctx context.Context, q querier, version int64) (*Geometry, error) {
	units, err := readUnits(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("load units: %w", err)
	}
	ns, err := readNeighbours(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("load adjacency: %w", err)
	}
	changes, err := readDivisionChanges(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("load division changes: %w", err)
	}
	linkUnits(units, changes)
	return &Geometry{Version: version, Units: units, Neighbours: ns}, nil
}
