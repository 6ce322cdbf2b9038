// Package postgres keeps indmap's data in PostgreSQL/PostGIS, so that
// several indmap servers can share one store: the same tables, columns
// and numbered migrations as the GeoPackage (package store), geometry
// in PostGIS columns (SRID 4326, GiST-indexed).
//
// What is here so far: opening a database, its schema migrations (run
// once, in one transaction, however many servers start at once), and
// its versions. The reads and writes of package store come next.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/indmap/indmap/store"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// IsURL reports whether a --db value names a PostgreSQL database.
func IsURL(db string) bool {
	u, err := url.Parse(db)
	return err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql")
}

// Store is a PostgreSQL database of indmap's schema.
type Store struct {
	pool *pgxpool.Pool
	name string // the URL without its password, for messages
	// Migrated lists the migrations Open ran (none when current).
	Migrated []store.Step
}

// migrationLock is the advisory lock key under which schemas are
// migrated: servers starting together migrate once, one after another.
const migrationLock = 0x696e646d6170 // "indmap"

// Open connects to the database at dsn and brings its schema up to
// date (creating it when empty). A database of a newer schema is
// refused and left as it is.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", redact(dsn), err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", redact(dsn), err)
	}
	s := &Store{pool: pool, name: redact(dsn)}
	if s.Migrated, err = s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open %s: %w", s.name, err)
	}
	return s, nil
}

// Path names the database in messages (its URL without the password).
func (s *Store) Path() string { return s.name }

// Close closes the connections.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// redact drops the password from a connection URL.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres database"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// schemaOf reads the schema version: 0 for a database without indmap's
// tables.
func schemaOf(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) (int, error) {
	var v string
	err := q.QueryRow(ctx, `SELECT value FROM indmap_meta WHERE key = 'schema_version'`).Scan(&v)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "42P01" { // undefined_table
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(v)
}

func (s *Store) migrate(ctx context.Context) ([]store.Step, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
		return nil, err
	}
	// Read inside the lock: a server that waited sees the schema the one
	// before it made. A missing table would abort the transaction, so
	// it is looked up first.
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT to_regclass('indmap_meta') IS NOT NULL`).Scan(&exists); err != nil {
		return nil, err
	}
	have := 0
	if exists {
		if have, err = schemaOf(ctx, tx); err != nil {
			return nil, err
		}
	}
	if have > store.SchemaVersion {
		return nil, &store.SchemaError{Path: s.name, Have: have, Want: store.SchemaVersion}
	}
	var done []store.Step
	for _, m := range migrations {
		if m.Version <= have {
			continue
		}
		if err := m.Up(ctx, tx); err != nil {
			return nil, fmt.Errorf("migration %d (%s): %w", m.Version, m.Name, err)
		}
		if _, err := tx.Exec(ctx, `UPDATE indmap_meta SET value = $1 WHERE key = 'schema_version'`, strconv.Itoa(m.Version)); err != nil {
			return nil, err
		}
		done = append(done, store.Step{Version: m.Version, Name: m.Name})
	}
	if len(done) == 0 {
		return nil, nil
	}
	now := time.Now().UTC().Format(time.RFC3339)
	for _, st := range done {
		if _, err := tx.Exec(ctx, `INSERT INTO indmap_migrations (version, name, applied_at) VALUES ($1, $2, $3)`, st.Version, st.Name, now); err != nil {
			return nil, err
		}
	}
	return done, tx.Commit(ctx)
}

// Versions reads the schema, data and geometry versions.
func (s *Store) Versions(ctx context.Context) (store.Versions, error) {
	var v store.Versions
	rows, err := s.pool.Query(ctx, `SELECT key, value FROM indmap_meta WHERE key IN ('schema_version', 'data_version', 'geometry_version')`)
	if err != nil {
		return v, err
	}
	defer rows.Close()
	for rows.Next() {
		var k, val string
		if err := rows.Scan(&k, &val); err != nil {
			return v, err
		}
		n, err := strconv.ParseInt(val, 10, 64)
		if err != nil {
			return v, fmt.Errorf("indmap_meta %s: %w", k, err)
		}
		switch k {
		case "schema_version":
			v.Schema = int(n)
		case "data_version":
			v.Data = n
		case "geometry_version":
			v.Geometry = n
		}
	}
	return v, rows.Err()
}

// Inspect reads a database's schema without changing it: its version
// and the migrations Open would run (indmap migrate --dry-run).
func Inspect(ctx context.Context, dsn string) (have int, steps []store.Step, err error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return 0, nil, fmt.Errorf("%s: %w", redact(dsn), err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass('indmap_meta') IS NOT NULL`).Scan(&exists); err != nil {
		return 0, nil, err
	}
	if exists {
		if have, err = schemaOf(ctx, conn); err != nil {
			return 0, nil, err
		}
	}
	if have > store.SchemaVersion {
		return have, nil, &store.SchemaError{Path: redact(dsn), Have: have, Want: store.SchemaVersion}
	}
	for _, m := range migrations {
		if m.Version > have {
			steps = append(steps, store.Step{Version: m.Version, Name: m.Name})
		}
	}
	return have, steps, nil
}
