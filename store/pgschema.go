package store

import (
	"context"
	"database/sql"
)

// pgMigrations are the PostgreSQL/PostGIS steps of the same numbered
// list as the GeoPackage's (migrations): the same versions and names,
// each written for PostgreSQL (a test holds the two lists equal).
var pgMigrations = []migration{
	{4, "the GeoPackage and indmap's tables (schema 4)", pgCreateSchema4},
	{5, "plans.title_en: English plan titles", pgAddPlanTitleEn},
	{6, "geometry_version: boundaries and divisions versioned apart from plans; indmap_migrations", pgAddGeometryVersion},
}

// schema4 is the PostgreSQL layout of schema 4: the GeoPackage's tables
// and columns, the geometry a PostGIS column in WGS 84 (SRID 4326) with
// a GiST index where the GeoPackage has its R-tree. Frozen: change the
// schema with a migration.
var pgSchema4 = []string{
	`CREATE TABLE units (
		fid BIGSERIAL PRIMARY KEY,
		geom geometry(Geometry, 4326),
		code TEXT NOT NULL UNIQUE,
		name TEXT NOT NULL,
		name_en TEXT NOT NULL DEFAULT '',
		kind TEXT NOT NULL,
		parent TEXT NOT NULL DEFAULT '',
		approximate BOOLEAN NOT NULL DEFAULT false,
		hosts TEXT NOT NULL DEFAULT '',
		area_km2 DOUBLE PRECISION,
		label_lon DOUBLE PRECISION,
		label_lat DOUBLE PRECISION,
		seat_lon DOUBLE PRECISION,
		seat_lat DOUBLE PRECISION,
		note TEXT NOT NULL DEFAULT '',
		repairs TEXT NOT NULL DEFAULT '',
		valid_from TEXT NOT NULL DEFAULT '',
		valid_to TEXT NOT NULL DEFAULT '')`,
	`CREATE INDEX units_geom ON units USING GIST (geom)`,
	`COMMENT ON TABLE units IS 'Administrative units and functional zones (WGS 84)'`,
	`CREATE TABLE plans (
		fid BIGSERIAL PRIMARY KEY,
		id TEXT NOT NULL UNIQUE,
		title TEXT NOT NULL,
		kind TEXT NOT NULL,
		as_of TEXT NOT NULL DEFAULT '',
		region TEXT NOT NULL,
		unit_kinds TEXT NOT NULL,
		display TEXT NOT NULL DEFAULT '{}',
		rules TEXT NOT NULL DEFAULT '{}')`,
	`CREATE TABLE industries (
		fid BIGSERIAL PRIMARY KEY,
		plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
		code TEXT NOT NULL,
		name TEXT NOT NULL,
		name_en TEXT NOT NULL DEFAULT '',
		tier INTEGER NOT NULL,
		tier_name TEXT NOT NULL,
		tier_name_en TEXT NOT NULL DEFAULT '',
		confirmed BOOLEAN NOT NULL,
		UNIQUE (plan_id, code))`,
	`CREATE TABLE assignments (
		fid BIGSERIAL PRIMARY KEY,
		plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
		unit_code TEXT NOT NULL,
		role TEXT NOT NULL,
		industry TEXT NOT NULL,
		detail TEXT NOT NULL,
		source TEXT NOT NULL)`,
	`CREATE TABLE clusters (
		fid BIGSERIAL PRIMARY KEY,
		plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
		name TEXT NOT NULL,
		industry TEXT NOT NULL,
		level TEXT NOT NULL,
		host_codes TEXT NOT NULL,
		year INTEGER,
		source TEXT NOT NULL)`,
	`CREATE TABLE cluster_hosts (
		fid BIGSERIAL PRIMARY KEY,
		cluster_fid BIGINT NOT NULL REFERENCES clusters(fid) ON DELETE CASCADE,
		unit_code TEXT NOT NULL)`,
	`CREATE TABLE unit_groups (
		fid BIGSERIAL PRIMARY KEY,
		plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
		unit_code TEXT NOT NULL,
		grp TEXT NOT NULL)`,
	`CREATE TABLE revisions (
		fid BIGSERIAL PRIMARY KEY,
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
		UNIQUE (plan_id, n))`,
	`CREATE TABLE division_changes (
		fid BIGSERIAL PRIMARY KEY,
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
		UNIQUE (date, from_code, to_code))`,
	`CREATE TABLE adjacency (
		fid BIGSERIAL PRIMARY KEY,
		a TEXT NOT NULL,
		b TEXT NOT NULL,
		shared_km DOUBLE PRECISION NOT NULL,
		UNIQUE (a, b))`,
	`CREATE TABLE indmap_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
	`INSERT INTO indmap_meta VALUES ('schema_version', '4'), ('data_version', '0')`,
	`CREATE INDEX assignments_plan ON assignments (plan_id, unit_code)`,
	`CREATE INDEX cluster_hosts_unit ON cluster_hosts (unit_code)`,
}

func pgExec(ctx context.Context, tx *sql.Tx, stmts ...string) error {
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

func pgCreateSchema4(ctx context.Context, tx *sql.Tx) error {
	return pgExec(ctx, tx, append([]string{`CREATE EXTENSION IF NOT EXISTS postgis`}, pgSchema4...)...)
}

// pgAddPlanTitleEn: as the GeoPackage's migration 5 (a PostgreSQL
// database never had the column before it).
func pgAddPlanTitleEn(ctx context.Context, tx *sql.Tx) error {
	return pgExec(ctx, tx, `ALTER TABLE plans ADD COLUMN IF NOT EXISTS title_en TEXT NOT NULL DEFAULT ''`)
}

func pgAddGeometryVersion(ctx context.Context, tx *sql.Tx) error {
	return pgExec(ctx, tx,
		`INSERT INTO indmap_meta (key, value) SELECT 'geometry_version', value FROM indmap_meta WHERE key = 'data_version' ON CONFLICT DO NOTHING`,
		`CREATE TABLE indmap_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`)
}
