package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"strconv"
	"strings"
	"sync"

	"github.com/paulmach/orb"
	"github.com/twpayne/go-geom/encoding/wkb"
)

// dialect is what differs between the GeoPackage (SQLite) and
// PostgreSQL/PostGIS: the row code is written once, in SQL both accept,
// with ? placeholders, @geom where a geometry is written and @wkb where
// one is read.
type dialect struct {
	postgres bool
	rebound  sync.Map // query → its PostgreSQL text
}

var (
	sqliteDialect   = &dialect{}
	postgresDialect = &dialect{postgres: true}
)

// sql returns q in the dialect's own SQL.
func (d *dialect) sql(q string) string {
	if !d.postgres {
		if strings.Contains(q, "@") {
			q = strings.NewReplacer("@geom", "?", "@wkb", "geom").Replace(q)
		}
		return q
	}
	if v, ok := d.rebound.Load(q); ok {
		return v.(string)
	}
	r := strings.NewReplacer("@geom", "ST_GeomFromWKB(?, 4326)", "@wkb", "ST_AsBinary(geom)").Replace(q)
	var b strings.Builder
	n := 0
	for _, c := range r {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	d.rebound.Store(q, b.String())
	return b.String()
}

// encode is a geometry as the dialect stores it: a GeoPackage binary
// geometry, or WKB for PostGIS (which the query wraps with its SRID).
func (d *dialect) encode(g orb.Geometry) ([]byte, error) {
	if !d.postgres {
		return EncodeGeometry(g)
	}
	if g == nil {
		return nil, nil
	}
	gg, err := toGeom(g)
	if err != nil {
		return nil, err
	}
	return wkb.Marshal(gg, binary.LittleEndian)
}

// decode reads what encode wrote (PostGIS gives WKB back through @wkb).
func (d *dialect) decode(b []byte) (orb.Geometry, error) {
	if !d.postgres {
		return DecodeGeometry(b)
	}
	g, err := wkb.Unmarshal(b)
	if err != nil {
		return nil, err
	}
	return fromGeom(g)
}

// readOptions are a consistent read's: PostgreSQL's default isolation
// gives each statement its own snapshot, so a read of several tables
// asks for one snapshot for all; SQLite's read transaction is one.
func (d *dialect) readOptions() *sql.TxOptions {
	if d.postgres {
		return &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	}
	return &sql.TxOptions{ReadOnly: true}
}

// db is a connection pool speaking the store's SQL (see dialect).
type db struct {
	*sql.DB
	d *dialect
}

func (c db) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return c.DB.ExecContext(ctx, c.d.sql(q), args...)
}

func (c db) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return c.DB.QueryContext(ctx, c.d.sql(q), args...)
}

func (c db) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return c.DB.QueryRowContext(ctx, c.d.sql(q), args...)
}

func (c db) dialect() *dialect { return c.d }

// begin starts a transaction; nil opts: a read-write one.
func (c db) begin(ctx context.Context, opts *sql.TxOptions) (*txn, error) {
	tx, err := c.DB.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &txn{Tx: tx, d: c.d}, nil
}

// txn is a transaction speaking the store's SQL (see dialect).
type txn struct {
	*sql.Tx
	d *dialect
}

func (t *txn) dialect() *dialect { return t.d }

func (t *txn) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.Tx.ExecContext(ctx, t.d.sql(q), args...)
}

func (t *txn) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.Tx.QueryContext(ctx, t.d.sql(q), args...)
}

func (t *txn) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return t.Tx.QueryRowContext(ctx, t.d.sql(q), args...)
}

func (t *txn) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	return t.Tx.PrepareContext(ctx, t.d.sql(q))
}
