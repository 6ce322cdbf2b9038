package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// The WKT of EPSG:4326 as GeoPackage writers record it.
const wgs84WKT = `GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]`

var coreSchema = []string{
	`CREATE TABLE gpkg_spatial_ref_sys (
		srs_name TEXT NOT NULL,
		srs_id INTEGER NOT NULL PRIMARY KEY,
		organization TEXT NOT NULL,
		organization_coordsys_id INTEGER NOT NULL,
		definition TEXT NOT NULL,
		description TEXT)`,
	`CREATE TABLE gpkg_contents (
		table_name TEXT NOT NULL PRIMARY KEY,
		data_type TEXT NOT NULL,
		identifier TEXT UNIQUE,
		description TEXT DEFAULT '',
		last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
		min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
		srs_id INTEGER,
		CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))`,
	`CREATE TABLE gpkg_geometry_columns (
		table_name TEXT NOT NULL,
		column_name TEXT NOT NULL,
		geometry_type_name TEXT NOT NULL,
		srs_id INTEGER NOT NULL,
		z TINYINT NOT NULL,
		m TINYINT NOT NULL,
		CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
		CONSTRAINT uk_gc_table_name UNIQUE (table_name),
		CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
		CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))`,
	`CREATE TABLE gpkg_extensions (
		table_name TEXT,
		column_name TEXT,
		extension_name TEXT NOT NULL,
		definition TEXT NOT NULL,
		scope TEXT NOT NULL,
		CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))`,
	`INSERT INTO gpkg_spatial_ref_sys VALUES
		('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
		('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
		('WGS 84 geodetic', 4326, 'EPSG', 4326, '` + wgs84WKT + `', 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid')`,
}

// The feature table and its R-tree, with the triggers of the GeoPackage
// 1.3 rtree extension (Annex F.3).
var unitsSchema = []string{
	`CREATE TABLE units (
		fid INTEGER PRIMARY KEY AUTOINCREMENT,
		geom GEOMETRY,
		code TEXT NOT NULL UNIQUE,
		name TEXT NOT NULL,
		name_en TEXT NOT NULL DEFAULT '',
		kind TEXT NOT NULL,
		parent TEXT NOT NULL DEFAULT '',
		approximate BOOLEAN NOT NULL DEFAULT 0,
		hosts TEXT NOT NULL DEFAULT '',
		area_km2 DOUBLE,
		label_lon DOUBLE,
		label_lat DOUBLE,
		seat_lon DOUBLE,
		seat_lat DOUBLE,
		note TEXT NOT NULL DEFAULT '',
		repairs TEXT NOT NULL DEFAULT '',
		valid_from TEXT NOT NULL DEFAULT '',
		valid_to TEXT NOT NULL DEFAULT '')`,
	`INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id)
		VALUES ('units', 'features', 'units', 'Administrative units and functional zones (WGS 84)', 4326)`,
	`INSERT INTO gpkg_geometry_columns VALUES ('units', 'geom', 'GEOMETRY', 4326, 0, 0)`,
	`CREATE VIRTUAL TABLE rtree_units_geom USING rtree(id, minx, maxx, miny, maxy)`,
	`INSERT INTO gpkg_extensions VALUES ('units', 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')`,
	`CREATE TRIGGER rtree_units_geom_insert AFTER INSERT ON units
		WHEN (new.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom))
		BEGIN
			INSERT OR REPLACE INTO rtree_units_geom VALUES (NEW.fid,
				ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom));
		END`,
	`CREATE TRIGGER rtree_units_geom_update1 AFTER UPDATE OF geom ON units
		WHEN OLD.fid = NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
		BEGIN
			INSERT OR REPLACE INTO rtree_units_geom VALUES (NEW.fid,
				ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom));
		END`,
	`CREATE TRIGGER rtree_units_geom_update2 AFTER UPDATE OF geom ON units
		WHEN OLD.fid = NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
		BEGIN
			DELETE FROM rtree_units_geom WHERE id = OLD.fid;
		END`,
	`CREATE TRIGGER rtree_units_geom_update3 AFTER UPDATE ON units
		WHEN OLD.fid != NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
		BEGIN
			DELETE FROM rtree_units_geom WHERE id = OLD.fid;
			INSERT OR REPLACE INTO rtree_units_geom VALUES (NEW.fid,
				ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom));
		END`,
	`CREATE TRIGGER rtree_units_geom_update4 AFTER UPDATE ON units
		WHEN OLD.fid != NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
		BEGIN
			DELETE FROM rtree_units_geom WHERE id IN (OLD.fid, NEW.fid);
		END`,
	`CREATE TRIGGER rtree_units_geom_delete AFTER DELETE ON units
		WHEN old.geom NOT NULL
		BEGIN
			DELETE FROM rtree_units_geom WHERE id = OLD.fid;
		END`,
}

// attributeTables are plain tables, registered in gpkg_contents as
// "attributes" so that GDAL and QGIS list them beside the units layer.
var attributeTables = []struct{ name, ddl, description string }{
	{"plans", `CREATE TABLE plans (
		fid INTEGER PRIMARY KEY AUTOINCREMENT,
		id TEXT NOT NULL UNIQUE,
		title TEXT NOT NULL,
		kind TEXT NOT NULL,
		as_of TEXT NOT NULL DEFAULT '',
		region TEXT NOT NULL,
		unit_kinds TEXT NOT NULL,
		display TEXT NOT NULL DEFAULT '{}',
		rules TEXT NOT NULL DEFAULT '{}')`, "Regional industry plans; as_of is the date of their divisions, display the zooms of each unit kind and rules the rule profile (JSON)"},
	{"industries", `CREATE TABLE industries (
		fid INTEGER PRIMARY KEY AUTOINCREMENT,
		plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
		code TEXT NOT NULL,
		name TEXT NOT NULL,
		name_en TEXT NOT NULL DEFAULT '',
		tier INTEGER NOT NULL,
		tier_name TEXT NOT NULL,
		tier_name_en TEXT NOT NULL DEFAULT '',
		confirmed BOOLEAN NOT NULL,
		UNIQUE (plan_id, code))`, "Each plan's industry catalogue"},
	{"assignments", `CREATE TABLE assignments (
		fid INTEGER PRIMARY KEY AUTOINCREMENT,
		plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
		unit_code TEXT NOT NULL,
		role TEXT NOT NULL,
		industry TEXT NOT NULL,
		detail TEXT NOT NULL,
		source TEXT NOT NULL)`, "Industries assigned to units (district picks), with sources"},
	{"clusters", `CREATE TABLE clusters (
		fid INTEGER PRIMARY KEY AUTOINCREMENT,
		plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
		name TEXT NOT NULL,
		industry TEXT NOT NULL,
		level TEXT NOT NULL,
		host_codes TEXT NOT NULL,
		year INTEGER,
		source TEXT NOT NULL)`, "Industry clusters with their host units, with sources"},
	{"cluster_hosts", `CREATE TABLE cluster_hosts (
		fid INTEGER PRIMARY KEY AUTOINCREMENT,
		cluster_fid INTEGER NOT NULL REFERENCES clusters(fid) ON DELETE CASCADE,
		unit_code TEXT NOT NULL)`, "Cluster to host unit"},
	{"unit_groups", `CREATE TABLE unit_groups (
		fid INTEGER PRIMARY KEY AUTOINCREMENT,
		plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
		unit_code TEXT NOT NULL,
		grp TEXT NOT NULL)`, "Named groups of a plan's units (economic circles)"},
	{"revisions", `CREATE TABLE revisions (
		fid INTEGER PRIMARY KEY AUTOINCREMENT,
		plan_id TEXT NOT NULL,
		n INTEGER NOT NULL,
		created_at TEXT NOT NULL,
		author TEXT NOT NULL,
		assignments INTEGER NOT NULL,
		clusters INTEGER NOT NULL,
		errors INTEGER NOT NULL,
		warnings INTEGER NOT NULL,
		forced BOOLEAN NOT NULL,
		restored_from INTEGER,
		content TEXT NOT NULL,
		UNIQUE (plan_id, n))`, "Every accepted write of a plan's assignments, with its full content (JSON)"},
	{"division_changes", `CREATE TABLE division_changes (
		fid INTEGER PRIMARY KEY AUTOINCREMENT,
		date TEXT NOT NULL,
		from_code TEXT NOT NULL,
		from_name TEXT NOT NULL,
		to_code TEXT NOT NULL,
		to_name TEXT NOT NULL,
		share TEXT NOT NULL,
		from_ends BOOLEAN NOT NULL,
		to_provisional BOOLEAN NOT NULL,
		source TEXT NOT NULL,
		note TEXT NOT NULL,
		UNIQUE (date, from_code, to_code))`, "Changes of administrative divisions: on date, all (share whole) or part of from_code passed to to_code; from_ends says from_code was abolished"},
	{"adjacency", `CREATE TABLE adjacency (
		fid INTEGER PRIMARY KEY AUTOINCREMENT,
		a TEXT NOT NULL,
		b TEXT NOT NULL,
		shared_km DOUBLE NOT NULL,
		UNIQUE (a, b))`, "Units sharing a border (a < b), with the shared length"},
}

var metaSchema = []string{
	`CREATE TABLE indmap_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
	`INSERT INTO indmap_meta VALUES ('schema_version', '4'), ('data_version', '0')`,
	`CREATE INDEX assignments_plan ON assignments (plan_id, unit_code)`,
	`CREATE INDEX cluster_hosts_unit ON cluster_hosts (unit_code)`,
}

// createSchema4 lays out a new GeoPackage as schema 4, the first
// released one; the migrations after it bring a new file to the current
// schema in the same transaction, so a new file and a migrated one are
// the same. This is frozen: change the schema with a migration.
func createSchema4(ctx context.Context, tx *sql.Tx) error {
	stmts := append([]string{
		fmt.Sprintf("PRAGMA application_id = %d", gpkgApplicationID),
		fmt.Sprintf("PRAGMA user_version = %d", gpkgUserVersion),
	}, coreSchema...)
	stmts = append(stmts, unitsSchema...)
	for _, t := range attributeTables {
		stmts = append(stmts, t.ddl, fmt.Sprintf(
			`INSERT INTO gpkg_contents (table_name, data_type, identifier, description) VALUES ('%s', 'attributes', '%s', '%s')`,
			t.name, t.name, strings.ReplaceAll(t.description, "'", "''")))
	}
	stmts = append(stmts, metaSchema...)
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("create schema: %w: %.60s", err, s)
		}
	}
	return nil
}
