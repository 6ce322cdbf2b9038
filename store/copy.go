package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// A table is one of indmap's tables as Copy moves it: its columns, the
// geometry column first where it has one, and which columns are
// booleans (integers in a GeoPackage, booleans in PostgreSQL).
type table struct {
	name  string
	geom  bool // the first column is the geometry
	cols  []string
	bools map[string]bool
}

// tables are indmap's tables in an order that satisfies their foreign
// keys; fids are copied, so cluster_hosts keep pointing at their
// clusters.
var tables = []table{
	{"plans", false, []string{"fid", "id", "title", "title_en", "kind", "as_of", "region", "unit_kinds", "display", "rules"}, nil},
	{"industries", false, []string{"fid", "plan_id", "code", "name", "name_en", "tier", "tier_name", "tier_name_en", "confirmed"},
		map[string]bool{"confirmed": true}},
	{"assignments", false, []string{"fid", "plan_id", "unit_code", "role", "industry", "detail", "source"}, nil},
	{"clusters", false, []string{"fid", "plan_id", "name", "industry", "level", "host_codes", "year", "source"}, nil},
	{"cluster_hosts", false, []string{"fid", "cluster_fid", "unit_code"}, nil},
	{"unit_groups", false, []string{"fid", "plan_id", "unit_code", "grp"}, nil},
	{"units", true, []string{"geom", "fid", "code", "name", "name_en", "kind", "parent", "approximate", "hosts", "area_km2",
		"label_lon", "label_lat", "seat_lon", "seat_lat", "note", "repairs", "valid_from", "valid_to"}, map[string]bool{"approximate": true}},
	{"revisions", false, []string{"fid", "plan_id", "n", "created_at", "author", "assignments", "clusters", "errors", "warnings",
		"forced", "restored_from", "content"}, map[string]bool{"forced": true}},
	{"division_changes", false, []string{"fid", "date", "from_code", "from_name", "to_code", "to_name", "share", "from_ends",
		"to_provisional", "source", "note"}, map[string]bool{"from_ends": true, "to_provisional": true}},
	{"adjacency", false, []string{"fid", "a", "b", "shared_km"}, nil},
}

// CopyResult counts the rows Copy wrote, by table.
type CopyResult map[string]int

// Copy writes everything from holds into to, in one transaction of to
// read from one snapshot of from: units with their geometry, plans,
// catalogues, assignments, clusters, every revision, division changes,
// adjacency, and the key that names write tokens. A GeoPackage and a
// PostgreSQL database copy into each other losslessly. A database that
// holds data is replaced only when replace is set; otherwise it is left
// as it was and Copy says what it holds.
func Copy(ctx context.Context, from, to *Store, replace bool) (CopyResult, error) {
	if err := from.checkFile(); err != nil {
		return nil, err
	}
	src, err := from.reader.begin(ctx, from.d.readOptions())
	if err != nil {
		return nil, from.unavailable(err)
	}
	defer src.Rollback()
	v, err := versions(ctx, src)
	if err != nil {
		return nil, err
	}
	if v.Schema != SchemaVersion {
		return nil, &SchemaError{Path: from.path, Have: v.Schema, Want: SchemaVersion}
	}
	res := CopyResult{}
	err = to.write(ctx, changeGeometry, func(tx *txn) error {
		if err := emptyOrReplace(ctx, tx, to.path, replace); err != nil {
			return err
		}
		for _, t := range tables {
			n, err := copyTable(ctx, src, tx, t)
			if err != nil {
				return fmt.Errorf("copy %s: %w", t.name, err)
			}
			res[t.name] = n
		}
		// The versions go on from the larger of the two, so that no
		// server of either database mistakes the copy for data it has.
		for _, k := range []string{"data_version", "geometry_version"} {
			n, err := metaInt(ctx, tx, k)
			if err != nil {
				return err
			}
			n = max(n, map[string]int64{"data_version": v.Data, "geometry_version": v.Geometry}[k])
			if _, err := tx.ExecContext(ctx, `UPDATE indmap_meta SET value = ? WHERE key = ?`, fmt.Sprint(n), k); err != nil {
				return err
			}
		}
		var key string
		switch err := src.QueryRowContext(ctx, `SELECT value FROM indmap_meta WHERE key = 'token_key'`).Scan(&key); err {
		case nil:
			if _, err := tx.ExecContext(ctx, `INSERT INTO indmap_meta (key, value) VALUES ('token_key', ?)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key); err != nil {
				return err
			}
		case sql.ErrNoRows:
		default:
			return err
		}
		return updateExtent(ctx, tx)
	})
	return res, err
}

// emptyOrReplace fails unless the database is empty, or empties it when
// replace is set.
func emptyOrReplace(ctx context.Context, tx *txn, name string, replace bool) error {
	var units, plans int
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM units), (SELECT count(*) FROM plans)`).Scan(&units, &plans); err != nil {
		return err
	}
	if units+plans == 0 {
		return nil
	}
	if !replace {
		return fmt.Errorf("%s holds %d units and %d plans: nothing was copied (replace them with --force)", name, units, plans)
	}
	for i := len(tables) - 1; i >= 0; i-- {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+tables[i].name); err != nil {
			return err
		}
	}
	return nil
}

func copyTable(ctx context.Context, src, dst *txn, t table) (int, error) {
	cols := strings.Join(t.cols, ", ")
	sel, params := cols, strings.TrimSuffix(strings.Repeat("?, ", len(t.cols)), ", ")
	if t.geom {
		sel = "@wkb, " + strings.Join(t.cols[1:], ", ")
		params = "@geom" + params[1:]
	}
	rows, err := src.QueryContext(ctx, `SELECT `+sel+` FROM `+t.name+` ORDER BY fid`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	ins, err := dst.PrepareContext(ctx, `INSERT INTO `+t.name+` (`+cols+`) VALUES (`+params+`)`)
	if err != nil {
		return 0, err
	}
	defer ins.Close()
	vals := make([]any, len(t.cols))
	ptrs := make([]any, len(t.cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		for i, c := range t.cols {
			switch {
			case t.geom && i == 0 && vals[0] != nil:
				b, _ := vals[0].([]byte)
				g, err := src.d.decode(b)
				if err != nil {
					return n, fmt.Errorf("row %d: %w", n+1, err)
				}
				if vals[0], err = dst.d.encode(g); err != nil {
					return n, fmt.Errorf("row %d: %w", n+1, err)
				}
			case t.bools[c]:
				vals[i] = truthy(vals[i])
			case c == "content" || c == "display" || c == "rules":
				if b, ok := vals[i].([]byte); ok {
					vals[i] = string(b)
				}
			}
		}
		if _, err := ins.ExecContext(ctx, vals...); err != nil {
			return n, fmt.Errorf("row %d: %w", n+1, err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	if dst.d.postgres {
		// New rows are numbered after the copied ones.
		if _, err := dst.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t.name+`', 'fid'), coalesce(max(fid), 0) + 1, false) FROM `+t.name); err != nil {
			return n, err
		}
	}
	return n, nil
}

// truthy reads a boolean column as either database gives it.
func truthy(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case int64:
		return v != 0
	case float64:
		return v != 0
	case string:
		return v == "1" || v == "true" || v == "t"
	}
	return false
}
