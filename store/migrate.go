package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
)

// A migration moves the schema from the version before it to Version.
// Each is one function, run inside the transaction that runs every
// pending one, so a file is migrated whole or not at all.
type migration struct {
	Version int
	Name    string
	Up      func(ctx context.Context, tx *sql.Tx) error
}

// migrations is the schema's history, in order. The first lays out a
// new file as schema 4 (the first released one); files of schema 4 and
// later are brought up to date by those after it. Never edit a released
// migration: add one.
var migrations = []migration{
	{4, "the GeoPackage and indmap's tables (schema 4)", createSchema4},
	{5, "plans.title_en: English plan titles", addPlanTitleEn},
	{6, "geometry_version: boundaries and divisions versioned apart from plans; indmap_migrations", addGeometryVersion},
}

// SchemaVersion is the schema this indmap reads and writes.
var SchemaVersion = migrations[len(migrations)-1].Version

// A SchemaError says a file's schema is one this indmap cannot use as
// it is: newer than it knows (upgrade indmap), or older and not
// migrated (a read-only file).
type SchemaError struct {
	Path string
	Have int // the file's schema
	Want int // this indmap's
}

// ErrSchemaTooNew is returned (as a *SchemaError) for a file written by
// a newer indmap.
var ErrSchemaTooNew = errors.New("schema newer than this indmap")

// ErrSchemaOld is returned (as a *SchemaError) for a file of an older
// schema that was not migrated.
var ErrSchemaOld = errors.New("schema older than this indmap")

func (e *SchemaError) Error() string {
	if e.Have > e.Want {
		return fmt.Sprintf("%s has schema %d, written by a newer indmap; this one reads schema %d: upgrade indmap (the file was not changed)",
			e.Path, e.Have, e.Want)
	}
	return fmt.Sprintf("%s has schema %d; this indmap reads schema %d: run indmap migrate --db %s (it keeps every plan and revision)",
		e.Path, e.Have, e.Want, e.Path)
}

// Is makes errors.Is match ErrSchemaTooNew or ErrSchemaOld.
func (e *SchemaError) Is(target error) bool {
	return target == ErrSchemaTooNew && e.Have > e.Want || target == ErrSchemaOld && e.Have < e.Want
}

// A Step is one migration a file needs.
type Step struct {
	Version int    `json:"version"`
	Name    string `json:"name"`
}

// Migrations lists the schema's migrations in order: every backend
// (the GeoPackage here, PostgreSQL in store/postgres) has this list,
// with the same numbers and names.
func Migrations() []Step {
	out := make([]Step, len(migrations))
	for i, m := range migrations {
		out[i] = Step{m.Version, m.Name}
	}
	return out
}

// pending lists the migrations after schema version have.
func pending(have int) []migration {
	for i, m := range migrations {
		if m.Version > have {
			return migrations[i:]
		}
	}
	return nil
}

// schemaOf reads a file's schema version: 0 for an empty file; an
// error for a file that is not an indmap GeoPackage.
func schemaOf(ctx context.Context, q querier) (int, error) {
	if q.dialect().postgres {
		return pgSchemaOf(ctx, q)
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name = 'indmap_meta'`).Scan(&n); err != nil {
		return 0, err
	}
	if n == 0 {
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master`).Scan(&n); err != nil {
			return 0, err
		}
		if n > 0 {
			return 0, errors.New("not an indmap GeoPackage (no indmap_meta table)")
		}
		return 0, nil
	}
	var v string
	if err := q.QueryRowContext(ctx, `SELECT value FROM indmap_meta WHERE key = 'schema_version'`).Scan(&v); err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	have, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("schema version %q: %w", v, err)
	}
	if have < migrations[0].Version {
		return 0, fmt.Errorf("schema %d predates indmap's first release (schema %d): recreate the file with indmap init", have, migrations[0].Version)
	}
	return have, nil
}

// migrate brings the file to SchemaVersion in one immediate transaction
// (creating it when empty) and returns the steps it ran. The version is
// read again inside the transaction: two processes opening an old file
// at once migrate it once.
func (s *Store) migrate(ctx context.Context) ([]Step, error) {
	tx, err := s.writer.begin(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	list := migrations
	if s.d.postgres {
		// Servers starting together migrate once, one after another;
		// the version is read inside the lock.
		if err := s.lockWrites(ctx, tx); err != nil {
			return nil, err
		}
		// The statement timeout (--db-statement-timeout) bounds requests,
		// not an upgrade: a migration of a large table may take minutes.
		if _, err := tx.ExecContext(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
			return nil, err
		}
		list = pgMigrations
	}
	have, err := schemaOf(ctx, tx)
	if err != nil {
		return nil, err
	}
	if have > SchemaVersion {
		return nil, &SchemaError{Path: s.path, Have: have, Want: SchemaVersion}
	}
	var done []Step
	for _, m := range list {
		if m.Version <= have {
			continue
		}
		if err := m.Up(ctx, tx.Tx); err != nil {
			return nil, fmt.Errorf("migration %d (%s): %w", m.Version, m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE indmap_meta SET value = ? WHERE key = 'schema_version'`, strconv.Itoa(m.Version)); err != nil {
			return nil, err
		}
		done = append(done, Step{m.Version, m.Name})
	}
	if len(done) == 0 {
		return nil, nil
	}
	// Every migration is on record, with when it ran (the record is made
	// by migration 6, and written once all have run).
	now := time.Now().UTC().Format(time.RFC3339)
	for _, st := range done {
		if _, err := tx.ExecContext(ctx, `INSERT INTO indmap_migrations (version, name, applied_at) VALUES (?, ?, ?)`, st.Version, st.Name, now); err != nil {
			return nil, err
		}
	}
	return done, tx.Commit()
}

// Inspect reads a file's schema without changing it: its version and the
// migrations opening it for writing would run (indmap migrate --dry-run).
func Inspect(ctx context.Context, path string) (have int, steps []Step, err error) {
	name, conn, err := openInspect(path)
	if err != nil {
		return 0, nil, err
	}
	defer conn.Close()
	have, err = schemaOf(ctx, conn)
	if err != nil {
		return 0, nil, fmt.Errorf("%s: %w", name, err)
	}
	if have > SchemaVersion {
		return have, nil, &SchemaError{Path: name, Have: have, Want: SchemaVersion}
	}
	for _, m := range pending(have) {
		steps = append(steps, Step{m.Version, m.Name})
	}
	return have, steps, nil
}

// openInspect opens db to read its schema, changing nothing.
func openInspect(path string) (string, db, error) {
	if IsURL(path) {
		cfg, err := pgConfig(path)
		if err != nil {
			return redact(path), db{}, err
		}
		return redact(path), db{stdlib.OpenDB(*cfg), postgresDialect}, nil
	}
	c, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	return path, db{c, sqliteDialect}, err
}

// columnExists reports whether table has column.
func columnExists(ctx context.Context, tx *sql.Tx, table, column string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info(?) WHERE name = ?`, table, column).Scan(&n)
	return n > 0, err
}

// addPlanTitleEn adds plans.title_en, with the English titles the
// default plans had when it was added. Files written between commit
// 02590dd and schema 5 have the column already while saying schema 4.
func addPlanTitleEn(ctx context.Context, tx *sql.Tx) error {
	ok, err := columnExists(ctx, tx, "plans", "title_en")
	if err != nil || ok {
		return err
	}
	if _, err = tx.ExecContext(ctx, `ALTER TABLE plans ADD COLUMN title_en TEXT NOT NULL DEFAULT ''`); err != nil {
		return err
	}
	for id, title := range map[string]string{
		"chongqing-2023":    "Chongqing 2023 industry map",
		"henan-clusters":    "Henan advanced manufacturing clusters",
		"shandong-clusters": "Shandong advanced manufacturing clusters",
	} {
		if _, err := tx.ExecContext(ctx, `UPDATE plans SET title_en = ? WHERE id = ?`, title, id); err != nil {
			return err
		}
	}
	return nil
}

// addGeometryVersion adds the geometry version (a counter that writes of
// units, adjacency and division changes move on, and nothing else), so
// that a plan's write reloads plans only, and the record of migrations.
func addGeometryVersion(ctx context.Context, tx *sql.Tx) error {
	for _, q := range []string{
		`INSERT OR IGNORE INTO indmap_meta (key, value) SELECT 'geometry_version', value FROM indmap_meta WHERE key = 'data_version'`,
		`CREATE TABLE indmap_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}
