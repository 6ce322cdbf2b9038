// Package store keeps indmap's data in one OGC GeoPackage 1.3 file: the
// units as a feature table with an R-tree, plans, catalogues, assignments
// and adjacency as attribute tables, and a data version that every write
// moves on.
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Store is an open GeoPackage.
type Store struct {
	path string
	// Writes go through one connection with immediate transactions, so
	// writers queue instead of failing to upgrade a read lock; reads use a
	// pool and, in WAL mode, never wait for a writer.
	writer   *sql.DB
	reader   *sql.DB
	readOnly bool
}

// ErrReadOnly is returned by writes to a store opened read-only.
var ErrReadOnly = errors.New("database is read-only")

// Open opens the GeoPackage at path, creating it when missing. A file the
// process cannot write is opened read-only (ReadOnly reports it).
func Open(ctx context.Context, path string) (*Store, error) {
	registerFunctions()
	s := &Store{path: path}
	_, statErr := os.Stat(path)
	exists := statErr == nil
	if exists {
		if f, err := os.OpenFile(path, os.O_RDWR, 0); err != nil {
			if !errors.Is(err, os.ErrPermission) && !errors.Is(err, syscall.EROFS) {
				return nil, fmt.Errorf("open %s: %w", path, err)
			}
			s.readOnly = true
		} else {
			f.Close()
		}
	}
	// WAL lets tile and API readers go on during a planner's write.
	// synchronous=FULL: commits are rare (imports, plan edits) and a
	// planner's accepted write must survive a power cut; NORMAL could drop
	// the last commits in WAL mode.
	const pragmas = "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)"
	var err error
	if s.readOnly {
		s.reader, err = sql.Open("sqlite", "file:"+path+"?mode=ro&"+pragmas)
		if err != nil {
			return nil, err
		}
		s.writer = s.reader
	} else {
		s.writer, err = sql.Open("sqlite", "file:"+path+"?_txlock=immediate&_pragma=journal_mode(WAL)&"+pragmas)
		if err != nil {
			return nil, err
		}
		s.writer.SetMaxOpenConns(1)
		s.reader, err = sql.Open("sqlite", "file:"+path+"?"+pragmas)
		if err != nil {
			s.writer.Close()
			return nil, err
		}
	}
	if err := s.init(ctx, exists); err != nil {
		s.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return s, nil
}

func (s *Store) init(ctx context.Context, exists bool) error {
	var n int
	if err := s.writer.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name = 'indmap_meta'`).Scan(&n); err != nil {
		return err
	}
	if n == 1 {
		var v string
		if err := s.writer.QueryRowContext(ctx, `SELECT value FROM indmap_meta WHERE key = 'schema_version'`).Scan(&v); err != nil {
			return err
		}
		if v != schemaVersion {
			return fmt.Errorf("schema version %s, this indmap reads %s: recreate it with indmap init --force", v, schemaVersion)
		}
		return nil
	}
	if exists {
		var tables int
		if err := s.writer.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master`).Scan(&tables); err != nil {
			return err
		}
		if tables > 0 {
			return errors.New("not an indmap GeoPackage (no indmap_meta table)")
		}
	}
	if s.readOnly {
		return ErrReadOnly
	}
	return s.write(ctx, false, func(tx *sql.Tx) error { return createSchema(ctx, tx) })
}

// Path is the file the store reads.
func (s *Store) Path() string { return s.path }

// ReadOnly reports whether the file could only be opened for reading.
func (s *Store) ReadOnly() bool { return s.readOnly }

// Close checkpoints the write-ahead log into the file, so that other
// readers (GDAL, QGIS, a copy) see one self-contained GeoPackage, and
// closes the store.
func (s *Store) Close() error {
	var errs []error
	if !s.readOnly {
		if _, err := s.writer.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			errs = append(errs, err)
		}
		errs = append(errs, s.reader.Close())
	}
	errs = append(errs, s.writer.Close())
	return errors.Join(errs...)
}

// write runs fn in one immediate transaction; with bump, the data version
// moves on in the same transaction. Nothing of a failed fn is kept.
func (s *Store) write(ctx context.Context, bump bool, fn func(*sql.Tx) error) error {
	if s.readOnly {
		return ErrReadOnly
	}
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if bump {
		if _, err := tx.ExecContext(ctx, `UPDATE indmap_meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'data_version'`); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// DataVersion is a counter that every committed change moves on; caches
// and the in-memory snapshot key on it.
func (s *Store) DataVersion(ctx context.Context) (int64, error) {
	return dataVersion(ctx, s.reader)
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func dataVersion(ctx context.Context, q querier) (int64, error) {
	var v string
	if err := q.QueryRowContext(ctx, `SELECT value FROM indmap_meta WHERE key = 'data_version'`).Scan(&v); err != nil {
		return 0, err
	}
	return strconv.ParseInt(v, 10, 64)
}

// TokenKey is this database's secret key for naming write tokens (see
// api's token ids), made on first use and kept in indmap_meta, so that
// ids stay the same across restarts. A read-only database without one
// gets a key for this process only.
func (s *Store) TokenKey(ctx context.Context) ([]byte, error) {
	var v string
	err := s.reader.QueryRowContext(ctx, `SELECT value FROM indmap_meta WHERE key = 'token_key'`).Scan(&v)
	if err == nil {
		return hex.DecodeString(v)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if s.readOnly {
		return key, nil
	}
	// Not a data change: the data version stays.
	err = s.write(ctx, false, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO indmap_meta (key, value) VALUES ('token_key', ?)`, hex.EncodeToString(key))
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.reader.QueryRowContext(ctx, `SELECT value FROM indmap_meta WHERE key = 'token_key'`).Scan(&v); err != nil {
		return nil, err
	}
	return hex.DecodeString(v)
}
