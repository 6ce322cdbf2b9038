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
	"sync"
	"syscall"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Store is an open GeoPackage.
type Store struct {
	path string
	dsn  string // a PostgreSQL database's URL, with its password
	// timeout bounds each operation on PostgreSQL (Options.RequestTimeout).
	timeout time.Duration
	// Writes go through one connection with immediate transactions, so
	// writers queue instead of failing to upgrade a read lock; reads use a
	// pool and, in WAL mode, never wait for a writer.
	writer   db
	reader   db
	d        *dialect
	readOnly bool
	// Migrated lists the migrations Open ran on the file (none when it
	// was current).
	Migrated []Step
	// computed, when set, runs between computing an import and taking
	// the write lock (tests write there).
	computed func()
	// opened is the file as opened (see checkFile).
	opened      os.FileInfo
	truncateWAL sync.Once
}

// ErrReadOnly is returned by writes to a store opened read-only.
var ErrReadOnly = errors.New("database is read-only")

// Open opens the database at db: a GeoPackage file (created when
// missing) or a PostgreSQL URL (see IsURL), and migrates an older schema
// (Migrated says what ran). A file the process cannot write is opened
// read-only (ReadOnly reports it).
func Open(ctx context.Context, db string) (*Store, error) {
	return OpenWith(ctx, db, Options{})
}

// OpenReadOnly opens an existing database for reading only: nothing is
// created or migrated, and a database of another schema is refused.
func OpenReadOnly(ctx context.Context, db string) (*Store, error) {
	return OpenWith(ctx, db, Options{ReadOnly: true})
}

// Options tune how a database is opened.
type Options struct {
	// ReadOnly opens it for reading only (a PostgreSQL hot standby, a
	// file on read-only media): nothing is created or migrated.
	ReadOnly bool
	// MaxConns caps PostgreSQL connections (0: 8).
	MaxConns int
	// StatementTimeout cancels a PostgreSQL statement that runs longer
	// (0: 30 s).
	StatementTimeout time.Duration
	// RequestTimeout bounds, on this side, each read and write a
	// server makes to PostgreSQL (0: none): a database that hangs
	// without closing its connections (frozen, partitioned) cannot
	// cancel statements itself, and a request must not wait for it
	// forever.
	RequestTimeout time.Duration
}

// OpenWith opens the database at db as o says (see Open).
func OpenWith(ctx context.Context, db string, o Options) (*Store, error) {
	if IsURL(db) {
		return openPostgres(ctx, db, o)
	}
	if o.ReadOnly {
		if _, err := os.Stat(db); err != nil {
			return nil, fmt.Errorf("open %s: %w", db, err)
		}
	}
	return openFile(ctx, db, o.ReadOnly)
}

func openFile(ctx context.Context, path string, readOnly bool) (*Store, error) {
	registerFunctions()
	s := &Store{path: path, readOnly: readOnly, d: sqliteDialect}
	_, statErr := os.Stat(path)
	exists := statErr == nil
	if exists && !readOnly {
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
	if s.readOnly {
		r, err := sql.Open("sqlite", "file:"+path+"?mode=ro&"+pragmas)
		if err != nil {
			return nil, err
		}
		s.reader = db{r, s.d}
		s.writer = s.reader
	} else {
		w, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate&_pragma=journal_mode(WAL)&"+pragmas)
		if err != nil {
			return nil, err
		}
		w.SetMaxOpenConns(1)
		r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas)
		if err != nil {
			w.Close()
			return nil, err
		}
		s.writer, s.reader = db{w, s.d}, db{r, s.d}
	}
	var err error
	if err := s.init(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if s.opened, err = os.Stat(path); err != nil {
		s.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return s, nil
}

func (s *Store) init(ctx context.Context) error {
	if s.readOnly {
		// A file that cannot be written cannot be migrated: it is read
		// only when it has this indmap's schema.
		have, err := schemaOf(ctx, s.reader)
		if err != nil {
			return err
		}
		if have == 0 {
			return ErrReadOnly
		}
		if have != SchemaVersion {
			return &SchemaError{Path: s.path, Have: have, Want: SchemaVersion}
		}
		return nil
	}
	steps, err := s.migrate(ctx)
	if err != nil {
		return err
	}
	s.Migrated = steps
	return nil
}

// Path names the database: the file, or the PostgreSQL URL without its
// password.
func (s *Store) Path() string { return s.path }

// ReadOnly reports whether the database is open for reading only.
func (s *Store) ReadOnly() bool { return s.readOnly }

// Close checkpoints the write-ahead log into the file, so that other
// readers (GDAL, QGIS, a copy) see one self-contained GeoPackage, and
// closes the store.
func (s *Store) Close() error {
	var errs []error
	if s.d.postgres {
		return s.writer.Close()
	}
	if !s.readOnly {
		if _, err := s.writer.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			errs = append(errs, err)
		}
		errs = append(errs, s.reader.Close())
	}
	errs = append(errs, s.writer.Close())
	return errors.Join(errs...)
}

// What a write changes: the data version moves with every change of
// data; the geometry version only with units, adjacency and divisions.
type change int

const (
	changeNothing  change = iota // bookkeeping (the token key)
	changeData                   // plans, assignments, revisions
	changeGeometry               // units, adjacency, divisions (and so the data)
)

// write runs fn in one immediate transaction and moves the versions on
// as ch says, in the same transaction. Nothing of a failed fn is kept. A
// file whose schema changed under the process (a newer indmap migrated
// it) is not written.
func (s *Store) write(ctx context.Context, ch change, fn func(*txn) error) error {
	if s.readOnly {
		return ErrReadOnly
	}
	ctx, cancel := s.bounded(ctx, s.timeout)
	defer cancel()
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Checked with the write lock held: no write lands in a file that
	// was swapped out.
	if err := s.checkFile(); err != nil {
		return err
	}
	if err := s.checkSchema(ctx, tx); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	keys := map[change][]string{changeData: {"data_version"}, changeGeometry: {"data_version", "geometry_version"}}[ch]
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, `UPDATE indmap_meta SET value = CAST(value AS INTEGER) + 1 WHERE key = ?`, k); err != nil {
			return err
		}
	}
	if ch != changeNothing {
		if err := s.announce(ctx, tx); err != nil {
			return err
		}
	}
	return s.unavailable(tx.Commit())
}

// begin starts a write transaction holding the write lock. A pooled
// PostgreSQL connection that a database restart cut fails on its first
// statement: nothing was written yet, so it is tried once more on a new
// connection.
func (s *Store) begin(ctx context.Context) (*txn, error) {
	for try := 0; ; try++ {
		tx, err := s.writer.begin(ctx, nil)
		if err == nil {
			if err = s.lockWrites(ctx, tx); err != nil {
				tx.Rollback()
			}
		}
		err = s.unavailable(err)
		if err == nil {
			return tx, nil
		}
		if try > 0 || !errors.Is(err, ErrUnavailable) {
			return nil, err
		}
	}
}

// bounded is ctx with the deadline d, on PostgreSQL when d is set.
func (s *Store) bounded(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if !s.d.postgres || d <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, d)
}

// checkSchema fails unless the file still has this indmap's schema.
func (s *Store) checkSchema(ctx context.Context, q querier) error {
	have, err := schemaOf(ctx, q)
	if err != nil {
		return err
	}
	if have != SchemaVersion {
		return &SchemaError{Path: s.path, Have: have, Want: SchemaVersion}
	}
	return nil
}

// Versions are a file's counters at one moment.
type Versions struct {
	// Data moves on with every committed change; caches and the
	// in-memory snapshot key on it.
	Data int64
	// Geometry moves on only when units, adjacency or divisions change.
	Geometry int64
	Schema   int
}

// Versions reads the file's versions in one read.
func (s *Store) Versions(ctx context.Context) (Versions, error) {
	if err := s.checkFile(); err != nil {
		return Versions{}, err
	}
	// The watcher's check is small: a database that takes longer is
	// as good as gone.
	ctx, cancel := s.bounded(ctx, min(s.timeout, 10*time.Second))
	defer cancel()
	tx, err := s.reader.begin(ctx, s.d.readOptions())
	if err != nil {
		return Versions{}, s.unavailable(err)
	}
	defer tx.Rollback()
	v, err := versions(ctx, tx)
	return v, s.unavailable(err)
}

func versions(ctx context.Context, q querier) (Versions, error) {
	var v Versions
	var err error
	if v.Schema, err = schemaOf(ctx, q); err != nil {
		return v, err
	}
	if v.Data, err = metaInt(ctx, q, "data_version"); err != nil {
		return v, err
	}
	if v.Schema >= 6 {
		v.Geometry, err = metaInt(ctx, q, "geometry_version")
	}
	return v, err
}

// DataVersion is the data version alone (see Versions).
func (s *Store) DataVersion(ctx context.Context) (int64, error) {
	return metaInt(ctx, s.reader, "data_version")
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	dialect() *dialect
}

func metaInt(ctx context.Context, q querier, key string) (int64, error) {
	var v string
	if err := q.QueryRowContext(ctx, `SELECT value FROM indmap_meta WHERE key = ?`, key).Scan(&v); err != nil {
		return 0, fmt.Errorf("%s: %w", key, err)
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
	err = s.write(ctx, changeNothing, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO indmap_meta (key, value) VALUES ('token_key', ?) ON CONFLICT (key) DO NOTHING`, hex.EncodeToString(key))
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
