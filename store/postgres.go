package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// A PostgreSQL/PostGIS database holds the same tables, columns and
// numbered migrations as the GeoPackage, the geometry in a PostGIS column
// (SRID 4326, GiST-indexed), so that any number of indmap servers share
// one store: writes are serialised by an advisory lock held for the
// transaction (the GeoPackage's BEGIN IMMEDIATE), and each write
// notifies every server listening (Watch).

// IsURL reports whether a --db value names a PostgreSQL database: a
// postgres:// or postgresql:// URL (any case), or a libpq keyword/value
// string ("host=… dbname=…"), which would otherwise be taken for a
// file name.
func IsURL(db string) bool {
	if u, err := url.Parse(db); err == nil && (strings.EqualFold(u.Scheme, "postgres") || strings.EqualFold(u.Scheme, "postgresql")) {
		return true
	}
	return keywordDSN.MatchString(db)
}

// keywordDSN matches a libpq keyword/value connection string.
var keywordDSN = regexp.MustCompile(`^\s*(host|hostaddr|dbname|user|port|service)\s*=`)

// pgConfig parses a connection string for pgx: the scheme in lower
// case (pgx knows no other), a connect timeout when none is given (a
// host that accepts and never answers would hold every command).
func pgConfig(dsn string) (*pgx.ConnConfig, error) {
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" && IsURL(dsn) {
		u.Scheme = strings.ToLower(u.Scheme)
		dsn = u.String()
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, errors.New(redactErr(err.Error(), dsn))
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	cfg.RuntimeParams["application_name"] = "indmap"
	return cfg, nil
}

// ErrUnavailable is returned (wrapped) when the database cannot be
// reached: what was read before goes on being served, writes are
// refused, and the server recovers when the database is back.
var ErrUnavailable = errors.New("database unavailable")

// writeLock is the advisory lock key every write and migration holds
// for its transaction: writes from all servers queue on it, as the
// GeoPackage's writers queue on its write lock.
const writeLock = 0x696e646d6170 // "indmap"

// notifyChannel is the channel each write notifies with the new data
// version.
const notifyChannel = "indmap_data"

func openPostgres(ctx context.Context, dsn string, o Options) (*Store, error) {
	name := redact(dsn)
	cfg, err := pgConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	timeout := o.StatementTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	// Upgrades run on a connection of their own with no statement
	// timeout: --db-statement-timeout bounds requests, and waiting for
	// another server's migration, or a migration of a large table, may
	// take minutes (a 1 ms timeout once cancelled the write lock taken
	// before the transaction could lift it).
	upgrade := cfg.Copy()
	upgrade.RuntimeParams["statement_timeout"] = "0"
	cfg.RuntimeParams["statement_timeout"] = strconv.FormatInt(timeout.Milliseconds(), 10)
	conns := o.MaxConns
	if conns <= 0 {
		conns = 8
	}
	pool := stdlib.OpenDB(*cfg)
	pool.SetMaxOpenConns(conns)
	pool.SetMaxIdleConns(conns)
	// A connection that outlived a database restart is dropped by the
	// pool once it fails; a bounded lifetime also spreads replicas over
	// a failover's new primary.
	pool.SetConnMaxLifetime(30 * time.Minute)
	s := &Store{path: name, dsn: dsn, d: postgresDialect, readOnly: o.ReadOnly, timeout: o.RequestTimeout}
	s.writer = db{pool, s.d}
	s.reader = s.writer
	if err := s.initPostgres(ctx, upgrade); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open %s: %w", name, s.unavailable(err))
	}
	return s, nil
}

func (s *Store) initPostgres(ctx context.Context, upgrade *pgx.ConnConfig) error {
	if !s.readOnly {
		conn := stdlib.OpenDB(*upgrade)
		defer conn.Close()
		conn.SetMaxOpenConns(1)
		writer := s.writer
		s.writer = db{conn, s.d}
		steps, err := s.migrate(ctx)
		s.writer = writer
		s.Migrated = steps
		return err
	}
	have, err := schemaOf(ctx, s.reader)
	if err != nil {
		return err
	}
	if have != SchemaVersion {
		return &SchemaError{Path: s.path, Have: have, Want: SchemaVersion}
	}
	return nil
}

// pgSchemaOf reads the schema version: 0 for a database without
// indmap's tables. The table is looked up first: querying a missing one
// would abort the transaction.
func pgSchemaOf(ctx context.Context, q querier) (int, error) {
	var exists bool
	if err := q.QueryRowContext(ctx, `SELECT to_regclass('indmap_meta') IS NOT NULL`).Scan(&exists); err != nil {
		return 0, err
	}
	if !exists {
		return 0, nil
	}
	v, err := metaInt(ctx, q, "schema_version")
	return int(v), err
}

// lockWrites takes the write lock for the transaction (PostgreSQL; a
// GeoPackage transaction holds its lock from BEGIN IMMEDIATE).
func (s *Store) lockWrites(ctx context.Context, tx *txn) error {
	if !s.d.postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(writeLock))
	return err
}

// announce tells the servers listening (Watch) the new data version; the
// notification is sent when the transaction commits, and only then.
func (s *Store) announce(ctx context.Context, tx *txn) error {
	if !s.d.postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_notify(?, value) FROM indmap_meta WHERE key = 'data_version'`, notifyChannel)
	return err
}

// unavailable marks err as ErrUnavailable when it says the database
// could not be reached or went away (not when a statement failed).
func (s *Store) unavailable(err error) error {
	if err == nil || !s.d.postgres || errors.Is(err, ErrUnavailable) {
		return err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: no answer in time: %w", ErrUnavailable, err)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case len(pe.Code) == 5 && pe.Code[:2] == "08", // connection exception
			pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03", // shutdown, crash, cannot connect now
			pe.Code == "25006": // read-only transaction: a standby
			return fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		return err
	}
	var ne net.Error
	var ce *pgconn.ConnectError
	if errors.As(err, &ne) || errors.As(err, &ce) || errors.Is(err, sql.ErrConnDone) ||
		pgconn.SafeToRetry(err) || pgconn.Timeout(err) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return err
}

// Watch calls changed whenever another server (or this one) writes,
// until ctx ends: PostgreSQL's LISTEN on the write notifications, on a
// connection of its own. After a lost connection it listens again and
// calls changed once, since notifications sent meanwhile are lost. A
// GeoPackage has no notifications (its readers poll): Watch returns at
// once.
func (s *Store) Watch(ctx context.Context, changed func(), log *slog.Logger) {
	if !s.d.postgres {
		return
	}
	wait := 100 * time.Millisecond
	for ctx.Err() == nil {
		listened, err := s.listen(ctx, changed)
		if ctx.Err() != nil {
			return
		}
		var pe *pgconn.PgError
		if errors.As(err, &pe) && (pe.Code == "25006" || pe.Code == "0A000") {
			// A hot standby cannot LISTEN: its server follows writes by
			// the watcher's checks alone.
			log.Info("a standby sends no notifications: following writes by checking the data version", "db", s.path)
			return
		}
		if listened {
			wait = 100 * time.Millisecond
		}
		log.Warn("listening for writes failed; listening again", "db", s.path, "err", err, "in", wait)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// listen listens until the connection fails; listened says whether it
// got as far as listening.
func (s *Store) listen(ctx context.Context, changed func()) (listened bool, err error) {
	cfg, err := pgConfig(s.dsn)
	if err != nil {
		return false, err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		return false, err
	}
	changed() // what was written while not listening
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return true, err
		}
		changed()
	}
}

// redact drops the password from a connection string (user:password@,
// ?password=, or a keyword/value password=).
func redact(dsn string) string {
	if keywordDSN.MatchString(dsn) {
		return passwordValue.ReplaceAllString(dsn, "${1}xxxxx")
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres database"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// Redact is a --db value fit to print: a PostgreSQL connection string
// without its password; a file path as it is.
func Redact(db string) string {
	if IsURL(db) {
		return redact(db)
	}
	return db
}

// passwordValue matches a keyword/value password (quoted or not).
var passwordValue = regexp.MustCompile(`(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)

// redactErr removes dsn's password from an error message that may quote
// the connection string.
func redactErr(msg, dsn string) string {
	if u, err := url.Parse(dsn); err == nil {
		if p, ok := u.User.Password(); ok && p != "" {
			msg = strings.ReplaceAll(msg, p, "xxxxx")
		}
		if p := u.Query().Get("password"); p != "" {
			msg = strings.ReplaceAll(msg, p, "xxxxx")
		}
	}
	return passwordValue.ReplaceAllString(msg, "${1}xxxxx")
}
