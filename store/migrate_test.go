package store_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/indmap/indmap/internal/testdb"
	"github.com/indmap/indmap/store"
)

// releasedFiles are the GeoPackages in testdata/schemas, one made by each
// released schema with the commit that wrote it (see make.sh there).
func releasedFiles(t *testing.T) []string {
	files, err := filepath.Glob("testdata/schemas/*.gpkg")
	if err != nil || len(files) < 2 {
		t.Fatalf("released schemas: %v %v", files, err)
	}
	return files
}

// copyFile copies a test file to a temporary folder.
func copyFile(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

func fileHash(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	io.Copy(h, f)
	return fmt.Sprintf("%x", h.Sum(nil))
}

// schemaOf lists every table's columns (name, type, not null, default),
// every index and every trigger of a file: what a migration must make
// equal to a new file's. Column order is left out: SQLite adds a
// migrated column at the end.
func schemaOf(t *testing.T, path string) []string {
	t.Helper()
	db := rawDB(t, path)
	var out []string
	rows, err := db.Query(`SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var typ, name, tbl string
		rows.Scan(&typ, &name, &tbl)
		out = append(out, typ+" "+name+" on "+tbl)
		if typ == "table" {
			tables = append(tables, name)
		}
	}
	rows.Close()
	for _, tbl := range tables {
		cols, err := db.Query(`SELECT name, type, "notnull", coalesce(dflt_value, 'NULL'), pk FROM pragma_table_info(?)`, tbl)
		if err != nil {
			t.Fatal(err)
		}
		for cols.Next() {
			var name, typ, dflt string
			var notnull, pk int
			cols.Scan(&name, &typ, &notnull, &dflt, &pk)
			out = append(out, fmt.Sprintf("column %s.%s %s notnull=%d default=%s pk=%d", tbl, name, typ, notnull, dflt, pk))
		}
		cols.Close()
	}
	var app, user int
	db.QueryRow(`PRAGMA application_id`).Scan(&app)
	db.QueryRow(`PRAGMA user_version`).Scan(&user)
	out = append(out, fmt.Sprintf("application_id %d user_version %d", app, user))
	sort.Strings(out)
	return out
}

// TestMigrateReleasedSchemas: every released file is migrated in place,
// once, to a schema equal to a new file's, keeping its data version,
// plans and every revision; a dry run changes nothing.
func TestMigrateReleasedSchemas(t *testing.T) {
	ctx := context.Background()
	fresh := filepath.Join(t.TempDir(), "fresh.gpkg")
	st, err := store.Open(ctx, fresh)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	want := schemaOf(t, fresh)
	for _, src := range releasedFiles(t) {
		t.Run(filepath.Base(src), func(t *testing.T) {
			path := copyFile(t, src)
			before := fileHash(t, path)
			released := releasedSchema(t, src)
			have, steps, err := store.Inspect(ctx, path)
			if err != nil || have != released || len(steps) != store.SchemaVersion-released || len(steps) > 0 && steps[0].Version != released+1 {
				t.Fatalf("inspect: schema %d, steps %v, %v", have, steps, err)
			}
			if fileHash(t, path) != before {
				t.Fatal("a dry run changed the file")
			}
			db := rawDB(t, path)
			var dataVersion, geometryVersion string
			var revisions int
			db.QueryRow(`SELECT value FROM indmap_meta WHERE key = 'data_version'`).Scan(&dataVersion)
			db.QueryRow(`SELECT value FROM indmap_meta WHERE key = 'geometry_version'`).Scan(&geometryVersion)
			if geometryVersion == "" { // before schema 6: geometry starts at the data version
				geometryVersion = dataVersion
			}
			db.QueryRow(`SELECT count(*) FROM revisions`).Scan(&revisions)
			db.Close()

			st, err := store.Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			if len(st.Migrated) != len(steps) {
				t.Errorf("migrated %v, inspect said %v", st.Migrated, steps)
			}
			v, err := st.Versions(ctx)
			if err != nil || v.Schema != store.SchemaVersion || fmt.Sprint(v.Data) != dataVersion || fmt.Sprint(v.Geometry) != geometryVersion {
				t.Errorf("versions after migrating: %+v (data version was %s, geometry %s), %v", v, dataVersion, geometryVersion, err)
			}
			for _, id := range []string{"chongqing-2023", "shandong-clusters"} {
				rs, err := st.Revisions(ctx, id)
				if err != nil || len(rs) < 2 {
					t.Errorf("%s: revisions %v, %v", id, rs, err)
				}
				for _, r := range rs {
					if _, _, err := st.RevisionContent(ctx, id, r.N); err != nil {
						t.Errorf("%s revision %d: %v", id, r.N, err)
					}
				}
			}
			st.Close()
			if got := schemaOf(t, path); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("migrated schema differs from a new file's:\n%s", diffLines(want, got))
			}
			db = rawDB(t, path)
			var n int
			db.QueryRow(`SELECT count(*) FROM revisions`).Scan(&n)
			if n != revisions {
				t.Errorf("%d revisions after migrating, %d before", n, revisions)
			}
			var newest int
			db.QueryRow(`SELECT count(*), max(version) FROM indmap_migrations`).Scan(&n, &newest)
			if n < len(steps) || newest != store.SchemaVersion {
				t.Errorf("%d migrations recorded (newest %d), %d run", n, newest, len(steps))
			}
			var integrity string
			db.QueryRow(`PRAGMA integrity_check`).Scan(&integrity)
			if integrity != "ok" {
				t.Errorf("integrity: %s", integrity)
			}
			db.Close()
			// Opened again: nothing left to do.
			st, err = store.Open(ctx, path)
			if err != nil || len(st.Migrated) != 0 {
				t.Errorf("second open: migrated %v, %v", st.Migrated, err)
			}
			st.Close()
		})
	}
}

// releasedSchema is the schema a released file was written with, from
// its name (v4-9e4eb40.gpkg: schema 4).
func releasedSchema(t *testing.T, path string) int {
	t.Helper()
	var v int
	if _, err := fmt.Sscanf(filepath.Base(path), "v%d-", &v); err != nil {
		t.Fatalf("%s: no schema in the name: %v", path, err)
	}
	return v
}

func diffLines(want, got []string) string {
	w, g := map[string]bool{}, map[string]bool{}
	for _, s := range want {
		w[s] = true
	}
	for _, s := range got {
		g[s] = true
	}
	var out []string
	for _, s := range want {
		if !g[s] {
			out = append(out, "- "+s)
		}
	}
	for _, s := range got {
		if !w[s] {
			out = append(out, "+ "+s)
		}
	}
	return strings.Join(out, "\n")
}

// setSchema writes a schema version into a file behind the store's back,
// as a newer (or older) indmap would have.
func setSchema(t *testing.T, path string, v int) {
	t.Helper()
	db := rawDB(t, path)
	if _, err := db.Exec(`UPDATE indmap_meta SET value = ? WHERE key = 'schema_version'`, fmt.Sprint(v)); err != nil {
		t.Fatal(err)
	}
	db.Close()
}

// TestNewerSchemaRefused: a file written by a newer indmap is neither
// opened nor changed; one migrated by a newer indmap while open is
// neither read nor written.
func TestNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	path := copyFile(t, releasedFiles(t)[0])
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	setSchema(t, path, store.SchemaVersion+1)
	before := fileHash(t, path)
	_, err = store.Open(ctx, path)
	if !errors.Is(err, store.ErrSchemaTooNew) || !strings.Contains(err.Error(), "upgrade indmap") {
		t.Errorf("open of a newer file: %v", err)
	}
	if _, _, err := store.Inspect(ctx, path); !errors.Is(err, store.ErrSchemaTooNew) {
		t.Errorf("inspect of a newer file: %v", err)
	}
	if fileHash(t, path) != before {
		t.Error("refusing a newer file changed it")
	}

	// Open at the current schema, then a newer indmap migrates it.
	setSchema(t, path, store.SchemaVersion)
	st, err = store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	setSchema(t, path, store.SchemaVersion+1)
	if _, err := st.Load(ctx, 0); !errors.Is(err, store.ErrSchemaTooNew) {
		t.Errorf("load after a newer indmap migrated the file: %v", err)
	}
	if _, err := st.WriteAssignments(ctx, "chongqing-2023", nil, nil, store.WriteMeta{Author: "t"}); !errors.Is(err, store.ErrSchemaTooNew) {
		t.Errorf("write after a newer indmap migrated the file: %v", err)
	}
}

// TestReadOnlyOldFileRefused: an old file opened read-only cannot be
// migrated: it is refused with the advice to migrate it, not half read,
// and left as it was.
func TestReadOnlyOldFileRefused(t *testing.T) {
	path := copyFile(t, releasedFiles(t)[0])
	before := fileHash(t, path)
	_, err := store.OpenReadOnly(context.Background(), path)
	if !errors.Is(err, store.ErrSchemaOld) || !strings.Contains(err.Error(), "indmap migrate") {
		t.Errorf("read-only open of an old file: %v", err)
	}
	if fileHash(t, path) != before {
		t.Error("a read-only open changed the file")
	}
	if os.Geteuid() != 0 { // root writes files without write permission
		os.Chmod(path, 0o444)
		if _, err := store.Open(context.Background(), path); !errors.Is(err, store.ErrSchemaOld) {
			t.Errorf("open of an old file without write permission: %v", err)
		}
	}
}

// TestNewFileIsCurrent: a new file is made by the migrations, at the
// current schema, with its versions.
func TestNewFileIsCurrent(t *testing.T) {
	st := testdb.Seeded(t, "chongqing-districts")
	v, err := st.Versions(context.Background())
	if err != nil || v.Schema != store.SchemaVersion || v.Geometry == 0 || v.Data <= v.Geometry {
		t.Errorf("versions of a seeded file: %+v, %v", v, err)
	}
	db := rawDB(t, st.Path())
	var n int
	db.QueryRow(`SELECT count(*) FROM indmap_migrations`).Scan(&n)
	if n != store.SchemaVersion-3 {
		t.Errorf("%d migrations recorded for a new file", n)
	}
}
