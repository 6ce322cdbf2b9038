package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"strings"
	"time"

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
	// Unchanged counts replaced units whose stored row was already what
	// the import would write: they are not written again.
	Unchanged  int
	Neighbours int
	// Computed is how long computing the import took (no lock held);
	// Locked how long the write lock was held to write it.
	Computed, Locked time.Duration
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

// ErrMoved is returned by an import when another writer changed the
// units while it computed: nothing was stored; read the files again and
// retry.
var ErrMoved = errors.New("the stored boundaries changed during the import")

// ImportBoundaries stores boundaries (replacing units with the same code,
// including an approximate zone point), makes the polygons of each kind
// a partition, recomputes the adjacency graph of all stored polygons and
// redraws derived successors. Everything is computed from the units
// stored at one geometry version before the write lock is taken; the
// write (one transaction) goes ahead only if that version is still
// current, else it fails with ErrMoved and stores nothing. Readers and
// planners' writes go on while it computes. It takes the boundaries'
// geometries over (bs[i].Geom is nil afterwards), so that a nationwide
// import does not hold them twice.
func (s *Store) ImportBoundaries(ctx context.Context, bs []geo.Boundary, adj geo.AdjacencyOptions) (ImportResult, error) {
	if s.readOnly {
		return ImportResult{}, ErrReadOnly
	}
	start := time.Now()
	ip, err := s.planImport(ctx, bs, adj)
	if err != nil {
		return ImportResult{}, err
	}
	ip.res.Computed = time.Since(start)
	if s.computed != nil {
		s.computed()
	}
	start = time.Now()
	err = s.write(ctx, changeGeometry, func(tx *txn) error {
		v, err := versions(ctx, tx)
		if err != nil {
			return err
		}
		if v.Geometry != ip.geometry {
			return fmt.Errorf("%w (geometry version %d, now %d)", ErrMoved, ip.geometry, v.Geometry)
		}
		return ip.apply(ctx, tx)
	})
	if err != nil {
		return ImportResult{}, err
	}
	ip.res.Locked = time.Since(start)
	return ip.res, nil
}

// An importPlan is a boundary import computed and ready to write.
type importPlan struct {
	geometry int64 // the geometry version it was computed from
	res      ImportResult
	rows     []unitRow
	pairs    []geo.Neighbour
	derived  []derived
}

// unitRow is one unit to insert or update.
type unitRow struct {
	code, name, nameEn, kind, parent, repairs string
	blob                                      []byte
	area                                      float64
	label, seat                               orb.Point
	insert, moved                             bool // moved: a stored unit whose border the partition moved
}

// planImport reads the stored units at one geometry version and computes
// what the import writes: each kind's partition, the adjacency, the
// derived successors, every geometry encoded.
func (s *Store) planImport(ctx context.Context, bs []geo.Boundary, adj geo.AdjacencyOptions) (*importPlan, error) {
	// DataV files have no English: names are romanised here, once.
	names, err := plan.DefaultNames()
	if err != nil {
		return nil, err
	}
	tx, err := s.reader.begin(ctx, s.d.readOptions())
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	v, err := versions(ctx, tx)
	if err != nil {
		return nil, err
	}
	stored, err := readUnits(ctx, tx)
	if err != nil {
		return nil, err
	}
	changes, err := readDivisionChanges(ctx, tx)
	if err != nil {
		return nil, err
	}
	tx.Rollback()
	ip := &importPlan{geometry: v.Geometry}
	// What the import needs of the stored units it replaces (not their
	// geometry, which is let go as soon as the partition has read it).
	// A re-imported unit whose row would not change is not written.
	type storedUnit struct {
		kind        string
		approximate bool
		same        func(r unitRow, geom uint64) bool
	}
	old := make(map[string]storedUnit, len(stored))
	for _, u := range stored {
		var h uint64
		if mp, ok := u.Geom.(orb.MultiPolygon); ok {
			h = geomHash(mp)
		}
		u := u
		u.Geom = nil
		old[u.Code] = storedUnit{u.Kind, u.Approximate, func(r unitRow, geom uint64) bool {
			return !u.Approximate && h == geom && r.name == u.Name && r.nameEn == u.NameEn && r.kind == u.Kind &&
				r.area == u.AreaKm2 && r.label == u.Label && r.seat == u.Seat && r.repairs == strings.Join(u.Repairs, "; ") &&
				(r.parent == "" || r.parent == u.Parent)
		}}
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
	stored = nil
	first := len(all)
	for i, b := range bs {
		kind, err := unitKind(b.Level)
		if err != nil {
			return nil, fmt.Errorf("boundary %d (%s %s): %w", i+1, b.Code, b.Name, err)
		}
		if o, ok := old[b.Code]; ok && o.kind == plan.KindZone {
			kind = plan.KindZone // a surveyed zone is still a zone
		}
		all = append(all, plan.Unit{Code: b.Code, Name: b.Name, Kind: kind, Parent: b.Parent, Geom: b.Geom, Label: b.Label,
			Repairs: append(append([]string(nil), b.Repairs.Fixed...), b.Repairs.Unfixed...)})
		bs[i].Geom = nil
	}
	level := plan.MapLevels(all)
	parts, err := partition(all, level)
	if err != nil {
		return nil, err
	}
	// Adjacency and derived successors first: then each geometry is
	// encoded and let go in turn, so that the import never holds a unit's
	// polygon and its encoding for all units at once.
	var shapes []geo.Shape
	shared := map[string]map[string]float64{}
	for i, u := range all {
		if parts[i].geom != nil {
			sh := geo.Shape{ID: u.Code, Group: level(u), Geom: parts[i].geom}
			if sh.Group != u.Kind {
				sh.Also = u.Kind
			}
			shapes = append(shapes, sh)
			shared[u.Code] = parts[i].shared
			all[i].Geom = parts[i].geom
		}
	}
	ip.pairs = geo.NeighboursKnown(shapes, adj, func(a, b string) float64 { return shared[a][b] })
	ip.res.Neighbours = len(ip.pairs)
	shapes, shared = nil, nil
	if ip.derived, err = deriveSuccessors(changes, all); err != nil {
		return nil, err
	}
	// Derived successors border units too (import's pairs know only the
	// surveyed ones).
	ip.pairs = append(ip.pairs, derivedNeighbours(ip.derived, all)...)
	for i, b := range bs {
		u, p := all[first+i], parts[first+i]
		blob, err := s.d.encode(p.geom)
		if err != nil {
			return nil, fmt.Errorf("boundary %s: %w", b.Code, err)
		}
		o, exists := old[b.Code]
		if exists {
			ip.res.Replaced++
			if o.approximate {
				ip.res.ZonesReplaced++
			}
		} else {
			ip.res.Added++
		}
		row := unitRow{code: b.Code, name: b.Name, nameEn: names.English(b.Code, b.Name), kind: u.Kind,
			parent: b.Parent, repairs: strings.Join(append(u.Repairs, p.notes...), "; "), blob: blob,
			area: geo.AreaKm2(p.geom), label: p.label, seat: b.Seat, insert: !exists}
		if !exists || !o.same(row, geomHash(p.geom)) {
			ip.rows = append(ip.rows, row)
		} else {
			ip.res.Unchanged++
		}
		all[first+i].Geom, parts[first+i].geom = nil, nil
	}
	// Stored units whose borders the partition moved.
	for i, u := range all[:first] {
		p := parts[i]
		if p.geom != nil && p.changed {
			blob, err := s.d.encode(p.geom)
			if err != nil {
				return nil, fmt.Errorf("unit %s: %w", u.Code, err)
			}
			ip.rows = append(ip.rows, unitRow{code: u.Code, moved: true, blob: blob, area: geo.AreaKm2(p.geom), label: p.label,
				repairs: strings.Join(append(withoutPartitionNotes(u.Repairs), p.notes...), "; ")})
		}
		all[i].Geom, parts[i].geom = nil, nil
	}
	return ip, nil
}

// apply writes a computed import.
func (ip *importPlan) apply(ctx context.Context, tx *txn) error {
	insert, err := tx.PrepareContext(ctx, `INSERT INTO units (geom, code, name, name_en, kind, parent, approximate, area_km2,
		label_lon, label_lat, seat_lon, seat_lat, repairs) VALUES (@geom, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer insert.Close()
	moved, err := tx.PrepareContext(ctx, `UPDATE units SET geom = @geom, area_km2 = ?, label_lon = ?, label_lat = ?, repairs = ? WHERE code = ?`)
	if err != nil {
		return err
	}
	defer moved.Close()
	replace, err := tx.PrepareContext(ctx, `UPDATE units SET geom = @geom, name = ?, name_en = ?, kind = ?, approximate = ?, area_km2 = ?,
		label_lon = ?, label_lat = ?, seat_lon = ?, seat_lat = ?, repairs = ?,
		parent = CASE WHEN ? = '' THEN parent ELSE ? END WHERE code = ?`)
	if err != nil {
		return err
	}
	defer replace.Close()
	for _, r := range ip.rows {
		switch {
		case r.insert:
			_, err = insert.ExecContext(ctx, r.blob, r.code, r.name, r.nameEn, r.kind, r.parent, false, r.area,
				r.label[0], r.label[1], r.seat[0], r.seat[1], r.repairs)
		case r.moved:
			_, err = moved.ExecContext(ctx, r.blob, r.area, r.label[0], r.label[1], r.repairs, r.code)
		default:
			_, err = replace.ExecContext(ctx, r.blob, r.name, r.nameEn, r.kind, false, r.area, r.label[0], r.label[1], r.seat[0], r.seat[1],
				r.repairs, r.parent, r.parent, r.code)
		}
		if err != nil {
			return fmt.Errorf("unit %s: %w", r.code, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM adjacency`); err != nil {
		return err
	}
	pair, err := tx.PrepareContext(ctx, `INSERT INTO adjacency (a, b, shared_km) VALUES (?, ?, ?)`)
	if err != nil {
		return err
	}
	defer pair.Close()
	for _, n := range ip.pairs {
		if _, err := pair.ExecContext(ctx, n.A, n.B, n.SharedKm); err != nil {
			return err
		}
	}
	return writeDerived(ctx, tx, ip.derived)
}

// part is a unit's share of the partition.
type part struct {
	geom    orb.MultiPolygon // nil for a unit without a polygon
	notes   []string
	label   orb.Point
	changed bool
	shared  map[string]float64 // metres of border with each neighbour
}

// partition makes the polygons of each map level a planar partition (see
// topo.Partition: no overlaps, no slivers between neighbours, every moved
// area noted). It takes the units' geometries over.
func partition(units []plan.Unit, level func(plan.Unit) string) ([]part, error) {
	byKind := map[string][]int{}
	var kinds []string
	for i, u := range units {
		// Derived polygons (approximate) are drawn from the surveyed ones
		// and overlap their predecessors: they take no part.
		if _, ok := u.Geom.(orb.MultiPolygon); ok && !u.Approximate {
			k := level(u)
			if byKind[k] == nil {
				kinds = append(kinds, k)
			}
			byKind[k] = append(byKind[k], i)
		}
	}
	plan.SortKindsChildrenFirst(kinds)
	out := make([]part, len(units))
	for _, kind := range kinds {
		in := make([]topo.Unit, len(byKind[kind]))
		before := make([]uint64, len(byKind[kind]))
		nested := make([]string, len(byKind[kind]))
		for k, i := range byKind[kind] {
			in[k] = topo.Unit{Code: units[i].Code, Geom: units[i].Geom.(orb.MultiPolygon)}
			// Partition takes the geometry over; a hash tells whether it
			// changed.
			before[k] = geomHash(in[k].Geom)
			units[i].Geom = nil
			if kind == plan.KindCity {
				var err error
				if in[k].Geom, nested[k], err = nest(units, out, level, i, in[k].Geom); err != nil {
					return nil, err
				}
			}
		}
		res, err := topo.Partition(in, topo.DefaultSliverM, topo.DefaultWeldM)
		if err != nil {
			return nil, fmt.Errorf("%s units: %w", kind, err)
		}
		for k, i := range byKind[kind] {
			r := res[k]
			if nested[k] != "" {
				r.Notes = append(r.Notes, nested[k])
			}
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

// nestTolerance is how far (a share of its area) a city's own outline
// may differ from the union of its counties for the union to replace it:
// DataV draws the two from one survey, generalised apart by metres; a
// larger difference means counties are missing.
const nestTolerance = 0.02

// nest returns city i's outline drawn from its counties already
// partitioned (out), so that the counties nest in it exactly: on a map
// showing cities and counties together no county then overlaps a
// neighbouring city. DataV's own city outline and the union of its county
// outlines differ by tens of metres along every border. A city whose
// counties are not all there keeps its own outline.
func nest(units []plan.Unit, out []part, level func(plan.Unit) string, i int, own orb.MultiPolygon) (orb.MultiPolygon, string, error) {
	var kids []orb.MultiPolygon
	for j, u := range units {
		if u.Parent == units[i].Code && out[j].geom != nil && level(u) == plan.KindDistrict {
			kids = append(kids, out[j].geom)
		}
	}
	if len(kids) == 0 {
		return own, "", nil
	}
	union, err := topo.Union(kids...)
	if err != nil {
		return nil, "", fmt.Errorf("city %s: its counties' union: %w", units[i].Code, err)
	}
	a, b := geo.AreaKm2(own), geo.AreaKm2(union)
	if math.Abs(a-b) > nestTolerance*a {
		return own, "", nil
	}
	return union, fmt.Sprintf("partition: outline drawn from its %d counties (nested exactly, the areas differed by %.1f of %.0f km²)", len(kids), math.Abs(a-b), a), nil
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
func updateExtent(ctx context.Context, tx *txn) error {
	if tx.d.postgres {
		return nil // PostGIS computes extents when asked
	}
	_, err := tx.ExecContext(ctx, `UPDATE gpkg_contents SET
		min_x = (SELECT min(minx) FROM rtree_units_geom), max_x = (SELECT max(maxx) FROM rtree_units_geom),
		min_y = (SELECT min(miny) FROM rtree_units_geom), max_y = (SELECT max(maxy) FROM rtree_units_geom),
		last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE table_name = 'units'`)
	return err
}

// PutZones stores units known only by an approximate point. A zone that
// already has a polygon keeps it.
func (s *Store) PutZones(ctx context.Context, zones []plan.Unit) error {
	return s.write(ctx, changeGeometry, func(tx *txn) error {
		for _, z := range zones {
			blob, err := s.d.encode(z.Geom)
			if err != nil {
				return fmt.Errorf("zone %s: %w", z.Code, err)
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO units (geom, code, name, name_en, kind, parent, approximate, hosts,
				label_lon, label_lat, seat_lon, seat_lat, note) VALUES (@geom, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (code) DO NOTHING`,
				blob, z.Code, z.Name, z.NameEn, z.Kind, z.Parent, true, strings.Join(z.Hosts, ";"),
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
	return s.write(ctx, changeData, func(tx *txn) error { return putPlan(ctx, tx, p) })
}

func putPlan(ctx context.Context, tx *txn, p plan.Plan) error {
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
}

func replaceAssignments(ctx context.Context, tx *txn, planID string, as []plan.Assignment, cs []plan.Cluster) error {
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
		var fid int64
		err := tx.QueryRowContext(ctx, `INSERT INTO clusters (plan_id, name, industry, level, host_codes, year, source) VALUES (?, ?, ?, ?, ?, ?, ?)
			RETURNING fid`, planID, c.Name, c.Industry, string(c.Level), strings.Join(c.Hosts, ";"), c.Year, c.Source).Scan(&fid)
		if err != nil {
			return err
		}
		for _, h := range c.Hosts {
			if _, err := tx.ExecContext(ctx, `INSERT INTO cluster_hosts (cluster_fid, unit_code) VALUES (?, ?)`, fid, h); err != nil {
				return err
			}
		}
	}
	return nil
}

// PutDefinition creates a plan from a definition, or applies it to the
// stored plan of the same id, keeping its assignments (read and written
// in one transaction); it reports whether the plan is new.
func (s *Store) PutDefinition(ctx context.Context, d plan.Definition) (bool, error) {
	var created bool
	err := s.write(ctx, changeData, func(tx *txn) error {
		plans, err := readPlans(ctx, tx, d.ID)
		if err != nil {
			return err
		}
		var p plan.Plan
		exists := len(plans) == 1
		if exists {
			p = plans[0]
		}
		if !exists && len(d.Catalogue) == 0 {
			return fmt.Errorf("plan %s is new: its definition needs a catalogue", d.ID)
		}
		if exists && p.Kind != d.Kind {
			return fmt.Errorf("plan %s is %s; a definition cannot make it %s", d.ID, p.Kind, d.Kind)
		}
		d.Apply(&p)
		created = !exists
		return putPlan(ctx, tx, p)
	})
	return created, err
}
