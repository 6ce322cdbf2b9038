package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/indmap/indmap/internal/testpg"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestPostgresOptions: --db-statement-timeout cancels a statement that
// runs longer (SQLSTATE 57014), but not the migrations that create the
// schema (each of which takes longer than 1 ms), and --db-max-conns caps
// the pool.
func TestPostgresOptions(t *testing.T) {
	ctx := context.Background()
	db := testpg.DB(t)
	st, err := OpenWith(ctx, db, Options{MaxConns: 3, StatementTimeout: time.Millisecond})
	if err != nil {
		t.Fatalf("creating the schema under a 1 ms statement timeout: %v", err)
	}
	st.Close()
	st, err = OpenWith(ctx, db, Options{MaxConns: 3, StatementTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Now()
	_, err = st.reader.ExecContext(ctx, `SELECT pg_sleep(5)`)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "57014" || time.Since(start) > 3*time.Second {
		t.Errorf("a 5 s statement under a 200 ms timeout: %v after %v", err, time.Since(start))
	}
	if n := st.reader.Stats().MaxOpenConnections; n != 3 {
		t.Errorf("pool of %d connections, want 3", n)
	}
}
