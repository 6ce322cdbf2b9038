package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/store"
)

// TestReplacedFileNotWritten: a file put in the served file's place (mv
// new.gpkg served.gpkg) is noticed by the next check and the next write:
// the write is refused, nothing of the old file's write-ahead log
// reaches the new file, and the new file opens whole with its own data.
func TestReplacedFileNotWritten(t *testing.T) {
	ctx := context.Background()
	src := "testdata/schemas/v6-c38fba1.gpkg"
	served := copyFile(t, src)
	st, err := store.Open(ctx, served)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	as := []plan.Assignment{{Unit: "500103", Role: plan.Main, Industry: "CQ-SIS", Source: "https://example.org"}}
	if _, err := st.WriteAssignments(ctx, "chongqing-2023", as, nil, store.WriteMeta{Author: "test"}); err != nil {
		t.Fatal(err)
	}
	// The replacement: the released file with one more revision written
	// by another process, renamed over the served one.
	repl := filepath.Join(t.TempDir(), "new.gpkg")
	b, _ := os.ReadFile(src)
	os.WriteFile(repl, b, 0o644)
	other, err := store.Open(ctx, repl)
	if err != nil {
		t.Fatal(err)
	}
	rev, err := other.WriteAssignments(ctx, "shandong-clusters", nil, []plan.Cluster{{Name: "c", Industry: "s", Level: plan.National, Hosts: []string{"370200"}, Year: 2024}}, store.WriteMeta{Author: "other"})
	if err != nil {
		t.Fatal(err)
	}
	other.Close()
	if err := os.Rename(repl, served); err != nil {
		t.Fatal(err)
	}

	if _, err := st.Versions(ctx); !errors.Is(err, store.ErrFileChanged) || !strings.Contains(err.Error(), "another file was put in its place") {
		t.Errorf("versions after the swap: %v", err)
	}
	if _, err := st.WriteAssignments(ctx, "chongqing-2023", as, nil, store.WriteMeta{Author: "test"}); !errors.Is(err, store.ErrFileChanged) {
		t.Errorf("a write after the swap: %v", err)
	}
	st.Close()

	again, err := store.Open(ctx, served)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if got, err := again.LatestRevision(ctx, "shandong-clusters"); err != nil || got.N != rev.N || got.Author != "other" {
		t.Errorf("the new file's newest revision: %+v, %v; want %d by other", got, err, rev.N)
	}
	if rs, err := again.Revisions(ctx, "chongqing-2023"); err != nil || rs[0].Author == "test" {
		t.Errorf("the old file's write reached the new one: %+v, %v", rs, err)
	}
	if bad := integrity(t, served); bad != "ok" {
		t.Errorf("integrity of the new file: %s", bad)
	}
}

// TestDamagedFileNoticed: a served file cut short or overwritten is
// noticed by the next check, before any query trips over it.
func TestDamagedFileNoticed(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		damage func(path string) error
		want   string
	}{
		{"truncated", func(p string) error { return os.Truncate(p, 64<<10) }, "(truncated)"},
		{"overwritten", func(p string) error {
			f, err := os.OpenFile(p, os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.WriteAt([]byte("garbage garbage garbage"), 0)
			return err
		}, "not a SQLite database's"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := copyFile(t, "testdata/schemas/v6-c38fba1.gpkg")
			st, err := store.Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if _, err := st.Versions(ctx); err != nil {
				t.Fatal(err)
			}
			if err := tc.damage(path); err != nil {
				t.Fatal(err)
			}
			if _, err := st.Versions(ctx); !errors.Is(err, store.ErrFileChanged) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("versions: %v, want %q", err, tc.want)
			}
		})
	}
}

func integrity(t *testing.T, path string) string {
	t.Helper()
	db := rawDB(t, path)
	defer db.Close()
	var s string
	db.QueryRow(`PRAGMA integrity_check`).Scan(&s)
	return s
}
