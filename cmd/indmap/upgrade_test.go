package main

import (
	"crypto/sha256"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/indmap/indmap/internal/testpg"
	"github.com/indmap/indmap/store"
)

// oldFile copies the GeoPackage made by a released schema (see
// store/testdata/schemas) to a temporary folder.
func oldFile(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../store/testdata/schemas/v4-9e4eb40.gpkg")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "old.gpkg")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func sum(t *testing.T, path string) [32]byte {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func setSchemaVersion(t *testing.T, path string, v int) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE indmap_meta SET value = ? WHERE key = 'schema_version'`, fmt.Sprint(v)); err != nil {
		t.Fatal(err)
	}
}

// TestMigrateCommand: --dry-run says what would run and changes nothing;
// then the file is migrated once, and what needed the new schema works.
func TestMigrateCommand(t *testing.T) {
	db := oldFile(t)
	before := sum(t, db)
	code, out, errOut := cli(t, nil, "migrate", "--db", db, "--dry-run")
	if code != 0 || !strings.Contains(out, "schema 4 → ") || !strings.Contains(out, "would run 2 migrations") || !strings.Contains(out, "plans.title_en") {
		t.Fatalf("dry run: %d\n%s%s", code, out, errOut)
	}
	if sum(t, db) != before {
		t.Fatal("the dry run changed the file")
	}
	if code, out, errOut = cli(t, nil, "migrate", "--db", db); code != 0 || !strings.Contains(out, "ran 2 migrations") {
		t.Fatalf("migrate: %d\n%s%s", code, out, errOut)
	}
	if code, out, _ = cli(t, nil, "migrate", "--db", db); code != 0 || !strings.Contains(out, "current; nothing to do") {
		t.Errorf("second migrate: %d %s", code, out)
	}
	if code, out, errOut = cli(t, nil, "validate", "--db", db, "--plan", "chongqing-2023", "--lang", "en"); code != 1 || !strings.Contains(out, "stored revision 4") {
		t.Errorf("validate after migrating: %d\n%s%s", code, out, errOut)
	}
	setSchemaVersion(t, db, store.SchemaVersion+1)
	if code, _, errOut = cli(t, nil, "migrate", "--db", db); code != 1 || !strings.Contains(errOut, "newer indmap") {
		t.Errorf("migrate of a newer file: %d %s", code, errOut)
	}
}

// TestServeUpgradesAndRefusesNewer: indmap serve migrates an old file
// and serves its revisions; when a newer indmap migrates the file under
// it, it goes on serving what it loaded, says why in /healthz and
// /readyz, and refuses writes; a newer file at start is refused with a
// clear message and no claim of data it does not have.
func TestServeUpgradesAndRefusesNewer(t *testing.T) {
	bin := binary(t)
	db := oldFile(t)
	_, base, _ := startServerEnv(t, bin, db, "INDMAP_TOKENS=upgrade-test-token-0123456789")
	if b := body(t, base+"/api/v1/plans/chongqing-2023/revisions"); !strings.Contains(b, `"etag":"\"r4\""`) {
		t.Fatalf("revisions after the upgrade: %s", b)
	}
	setSchemaVersion(t, db, store.SchemaVersion+1)
	deadline := time.Now().Add(5 * time.Second)
	var health string
	for time.Now().Before(deadline) {
		if health = body(t, base+"/healthz"); strings.Contains(health, `"status":"error"`) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(health, "newer indmap") || !strings.Contains(health, `"data_version"`) {
		t.Errorf("healthz after a newer indmap migrated the file: %s", health)
	}
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 {
		t.Errorf("readyz: %d", resp.StatusCode)
	}
	if b := body(t, base+"/api/v1/plans"); !strings.Contains(b, "chongqing-2023") {
		t.Errorf("reads stopped: %s", b)
	}
	req, _ := http.NewRequest("PUT", base+"/api/v1/plans/chongqing-2023/assignments?force=true",
		strings.NewReader("unit_code,unit_name,role,industry,detail,source\n500103,渝中区,main,CQ-SIS,,https://example.org\n"))
	req.Header.Set("Authorization", "Bearer upgrade-test-token-0123456789")
	req.Header.Set("Content-Type", "text/csv")
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 {
		t.Errorf("a write to a file of a newer schema: %d", resp.StatusCode)
	}

	// At start: refused, with the reason, and no claim of data.
	out, err := exec.Command(bin, "serve", "--db", db, "--addr", freeAddr(t)).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "upgrade indmap") || strings.Contains(string(out), "previous data") {
		t.Errorf("serve of a newer file: %v\n%s", err, out)
	}
}

// TestMigratePostgres: indmap migrate brings a PostgreSQL database to
// the schema (the GeoPackage's migrations), says what it would do with
// --dry-run, and never prints the password; init, validate and import
// then work on it as on a file, and none of them makes a file named
// after the URL.
func TestMigratePostgres(t *testing.T) {
	dsn := testpg.DB(t)
	u, _ := url.Parse(dsn)
	u.User = url.UserPassword(u.User.Username(), "s3cret-password")
	withPassword := u.String() // trust authentication: any password does
	// An empty database is not data: read commands refuse it and leave
	// it empty, as they refuse a missing file.
	for _, args := range [][]string{{"validate", "--plan", "chongqing-2023"}, {"copy", "--to", filepath.Join(t.TempDir(), "x.gpkg")}} {
		flag := "--db"
		if args[0] == "copy" {
			flag = "--from"
		}
		code, out, errOut := cli(t, nil, append(args, flag, withPassword)...)
		if code == 0 || !strings.Contains(errOut, "holds no indmap data") || strings.Contains(out+errOut, "s3cret") {
			t.Errorf("%s on an empty database: %d\n%s%s", args[0], code, out, errOut)
		}
	}
	code, out, errOut := cli(t, nil, "migrate", "--db", withPassword, "--dry-run")
	if code != 0 || !strings.Contains(out, "schema 0 → ") || !strings.Contains(out, "would run 3 migrations") || strings.Contains(out, "s3cret") {
		t.Fatalf("dry run: %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut = cli(t, nil, "migrate", "--db", withPassword); code != 0 || !strings.Contains(out, "ran 3 migrations") || !strings.Contains(out, "geometry_version") {
		t.Fatalf("migrate: %d\n%s%s", code, out, errOut)
	}
	if code, out, _ = cli(t, nil, "migrate", "--db", dsn); code != 0 || !strings.Contains(out, "current; nothing to do") {
		t.Errorf("second migrate: %d %s", code, out)
	}
	bdir := boundariesDir(t)
	changes, _ := filepath.Abs("../../plan/defaults/division-changes.csv")
	dir := t.TempDir()
	t.Chdir(dir) // a file named after the URL would land here
	for _, args := range [][]string{
		{"init", "--db", withPassword, "--boundaries", bdir},
		{"validate", "--db", withPassword, "--plan", "chongqing-2023"},
		{"import", "changes", "--db", withPassword, changes},
	} {
		code, out, errOut := cli(t, nil, args...)
		if code != 0 || strings.Contains(out+errOut, "s3cret") {
			t.Errorf("%s: %d\n%s%s", args[0], code, out, errOut)
		}
	}
	// A second init does not overwrite what is there.
	if code, out, errOut := cli(t, nil, "init", "--db", dsn, "--boundaries", bdir); code == 0 || !strings.Contains(errOut, "--force") {
		t.Errorf("second init: %d\n%s%s", code, out, errOut)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files made: %v", entries)
	}
}
