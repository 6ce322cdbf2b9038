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
// runs longer (SQLSTATE 57014), and --db-max-conns caps the pool.
func TestPostgresOptions(t *testing.T) {
	ctx := context.Background()
	st, err := OpenWith(ctx, testpg.DB(t), Options{MaxConns: 3, StatementTimeout: 200 * time.Millisecond})
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
