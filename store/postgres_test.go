package store_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/indmap/indmap/internal/testdb"
	"github.com/indmap/indmap/internal/testpg"
	"github.com/indmap/indmap/store"
	"github.com/jackc/pgx/v5"
	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/ewkb"
)

// TestMigrationsLikeTheGeoPackage: a new database gets the GeoPackage's
// migrations, with the same numbers and names, recorded once; opening it
// again runs none; the data and geometry versions start as a new
// GeoPackage's do.
func TestPostgresMigrationsLikeTheGeoPackage(t *testing.T) {
	ctx := context.Background()
	dsn := testpg.DB(t)
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(st.Migrated, store.Migrations()) {
		t.Errorf("migrated %v, the GeoPackage's list is %v", st.Migrated, store.Migrations())
	}
	v, err := st.Versions(ctx)
	if err != nil || v.Schema != store.SchemaVersion || v.Data != 0 || v.Geometry != 0 {
		t.Errorf("versions %+v, %v", v, err)
	}
	st.Close()
	again, err := store.Open(ctx, dsn)
	if err != nil || len(again.Migrated) != 0 {
		t.Fatalf("second open: migrated %v, %v", again.Migrated, err)
	}
	defer again.Close()

	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	conn.QueryRow(ctx, `SELECT count(*) FROM indmap_migrations`).Scan(&n)
	if n != len(store.Migrations()) {
		t.Errorf("%d migrations recorded", n)
	}
	// PostGIS knows the geometry column, in WGS 84, with a GiST index.
	var srid int
	var typ string
	if err := conn.QueryRow(ctx, `SELECT srid, type FROM geometry_columns WHERE f_table_name = 'units' AND f_geometry_column = 'geom'`).Scan(&srid, &typ); err != nil || srid != 4326 {
		t.Errorf("geometry_columns: srid %d type %s, %v", srid, typ, err)
	}
	var gist int
	conn.QueryRow(ctx, `SELECT count(*) FROM pg_indexes WHERE tablename = 'units' AND indexdef ILIKE '%USING gist (geom)%'`).Scan(&gist)
	if gist != 1 {
		t.Errorf("%d GiST indexes on units.geom", gist)
	}
	// A multipolygon written as EWKB (go-geom) is stored as PostGIS reads
	// it: valid, in SRID 4326, with its area.
	mp := geom.NewMultiPolygon(geom.XY).MustSetCoords([][][]geom.Coord{{{{106, 29}, {107, 29}, {107, 30}, {106, 30}, {106, 29}}}}).SetSRID(4326)
	b, err := ewkb.Marshal(mp, ewkb.NDR)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO units (geom, code, name, kind) VALUES (ST_GeomFromEWKB($1::bytea), '500120', '璧山区', 'district')`, b); err != nil {
		t.Fatal(err)
	}
	var valid bool
	var gotSRID int
	var wkt string
	if err := conn.QueryRow(ctx, `SELECT ST_IsValid(geom), ST_SRID(geom), ST_AsText(geom) FROM units WHERE code = '500120'`).Scan(&valid, &gotSRID, &wkt); err != nil ||
		!valid || gotSRID != 4326 || wkt != "MULTIPOLYGON(((106 29,107 29,107 30,106 30,106 29)))" {
		t.Errorf("stored unit: valid %v srid %d %s, %v", valid, gotSRID, wkt, err)
	}
}

// TestServersStartingTogetherMigrateOnce: eight servers opening one new
// database at once all succeed, and exactly one of them migrates it.
func TestServersStartingTogetherMigrateOnce(t *testing.T) {
	ctx := context.Background()
	dsn := testpg.DB(t)
	var wg sync.WaitGroup
	migrated := make([]int, 8)
	errs := make([]error, 8)
	for i := range migrated {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := store.Open(ctx, dsn)
			if err != nil {
				errs[i] = err
				return
			}
			migrated[i] = len(st.Migrated)
			st.Close()
		}()
	}
	wg.Wait()
	total := 0
	for i, n := range migrated {
		if errs[i] != nil {
			t.Errorf("server %d: %v", i, errs[i])
		}
		total += n
	}
	if total != len(store.Migrations()) {
		t.Errorf("migrations run: %v, want %d in all", migrated, len(store.Migrations()))
	}
}

// TestNewerSchemaRefused: a database of a newer indmap is refused with
// the reason and left as it is.
func TestPostgresNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	dsn := testpg.DB(t)
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	newer := store.SchemaVersion + 1
	if _, err := conn.Exec(ctx, `UPDATE indmap_meta SET value = $1 WHERE key = 'schema_version'`, strconv.Itoa(newer)); err != nil {
		t.Fatal(err)
	}
	_, err = store.Open(ctx, dsn)
	if !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("open: %v", err)
	}
	var v int
	conn.QueryRow(ctx, `SELECT value::int FROM indmap_meta WHERE key = 'schema_version'`).Scan(&v)
	if v != newer {
		t.Errorf("schema_version %d after a refused open", v)
	}
}

func TestIsURL(t *testing.T) {
	for db, want := range map[string]bool{
		"postgres://u@h/db": true, "postgresql://h/db?sslmode=disable": true,
		"indmap.gpkg": false, "/srv/postgres.gpkg": false, "": false,
		"POSTGRES://u@h/db": true, "host=10.0.0.5 dbname=indmap user=u": true, "dbname=x": true, "hosts.gpkg": false,
	} {
		if store.IsURL(db) != want {
			t.Errorf("IsURL(%q) != %v", db, want)
		}
	}
	// The password never printed, however it is given.
	for db, want := range map[string]string{
		"postgres://u:s3cret@h/db":                          "postgres://u:xxxxx@h/db",
		"postgres://u@h/db?password=s3cret&sslmode=disable": "postgres://u@h/db?password=xxxxx&sslmode=disable",
		"host=h user=u password=s3cret dbname=d":            "host=h user=u password=xxxxx dbname=d",
		"host=h password='s3 cret' dbname=d":                "host=h password=xxxxx dbname=d",
		"indmap.gpkg":                                       "indmap.gpkg",
	} {
		if got := store.Redact(db); got != want {
			t.Errorf("Redact(%q) = %q, want %q", db, got, want)
		}
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	testpg.Stop()
	os.Exit(code)
}

// TestOgrinfoPostgres: GDAL's PostgreSQL driver, an independent reader,
// sees the units of a database indmap wrote as a PostGIS layer in WGS 84
// with a spatial index, every feature, and every polygon valid by
// PostGIS' own test.
func TestOgrinfoPostgres(t *testing.T) {
	ogrinfo, err := exec.LookPath("ogrinfo")
	if err != nil {
		t.Skip("ogrinfo not on PATH (CI installs gdal-bin)")
	}
	ctx := context.Background()
	dsn := testpg.DB(t)
	pg, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	testdb.Seed(t, pg, "chongqing-districts", "shandong-cities", "shandong-counties")
	u, _ := url.Parse(dsn)
	conn := fmt.Sprintf("PG:host=%s port=%s dbname=%s user=%s", u.Hostname(), u.Port(), strings.TrimPrefix(u.Path, "/"), u.User.Username())
	out, err := exec.Command(ogrinfo, "-ro", "-so", conn, "units").CombinedOutput()
	text := string(out)
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	want := 38 + 3 + 16 + 137 + 1
	for _, s := range []string{fmt.Sprintf("Feature Count: %d", want), `ID["EPSG",4326]`, "Geometry Column = geom", "FID Column = fid",
		"code: String", "approximate: Integer(Boolean)", "area_km2: Real"} {
		if !strings.Contains(text, s) {
			t.Errorf("ogrinfo output lacks %q:\n%s", s, text)
		}
	}
	out, err = exec.Command(ogrinfo, "-ro", "-q", conn, "-sql",
		"SELECT count(*) AS invalid FROM units WHERE geom IS NOT NULL AND NOT ST_IsValid(geom)").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "invalid (Integer64) = 0") {
		t.Errorf("PostGIS finds invalid polygons: %v\n%s", err, out)
	}
	out, err = exec.Command(ogrinfo, "-ro", "-q", conn, "units", "-where", "code = '500103'").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "渝中区") || !strings.Contains(string(out), "MULTIPOLYGON") {
		t.Errorf("ogrinfo feature 500103: %v\n%.2000s", err, out)
	}
}
