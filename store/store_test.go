package store_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/internal/testdb"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/readmodel"
	"github.com/indmap/indmap/store"
	"github.com/paulmach/orb"
)

func rawDB(t *testing.T, path string) *sql.DB {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestGeoPackageLayout(t *testing.T) {
	st := testdb.Seeded(t, "chongqing-districts")
	path := st.Path()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	db := rawDB(t, path)
	checks := []struct {
		query string
		want  string
	}{
		{"PRAGMA application_id", "1196444487"},
		{"PRAGMA user_version", "10300"},
		{"SELECT count(*) FROM gpkg_spatial_ref_sys WHERE srs_id IN (-1, 0, 4326)", "3"},
		{"SELECT data_type || ',' || srs_id FROM gpkg_contents WHERE table_name = 'units'", "features,4326"},
		{"SELECT geometry_type_name FROM gpkg_geometry_columns WHERE table_name = 'units'", "GEOMETRY"},
		{"SELECT extension_name FROM gpkg_extensions WHERE table_name = 'units'", "gpkg_rtree_index"},
		{"SELECT count(*) FROM units", "42"}, // 38 districts, 3 zones, the derived 两江新区
		{"SELECT count(*) FROM rtree_units_geom", "42"},
		{"SELECT count(*) FROM units WHERE valid_to = '2026-01-25'", "2"},
		{"SELECT count(*) FROM division_changes", "4"},
		{"SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'rtree_units_geom_%'", "6"},
		{"SELECT count(*) FROM units u JOIN rtree_units_geom r ON r.id = u.fid WHERE u.code = '500103' AND r.minx > 106.4 AND r.maxx < 106.7", "1"},
		// 83 surveyed pairs, and the 7 of the derived 两江新区 (2026).
		{"SELECT count(*) FROM adjacency", "90"},
		{"SELECT count(*) FROM assignments WHERE source = ''", "0"},
		{"SELECT round(min_x) || ',' || round(max_y) FROM gpkg_contents WHERE table_name = 'units'", "105.0,32.0"},
		{"PRAGMA integrity_check", "ok"},
	}
	for _, c := range checks {
		var got string
		if err := db.QueryRow(c.query).Scan(&got); err != nil {
			t.Errorf("%s: %v", c.query, err)
		} else if got != c.want {
			t.Errorf("%s = %s, want %s", c.query, got, c.want)
		}
	}
	var blob []byte
	if err := db.QueryRow(`SELECT geom FROM units WHERE code = '500103'`).Scan(&blob); err != nil {
		t.Fatal(err)
	}
	// GP header: magic, version 0, little-endian with an xy envelope, SRS 4326.
	if string(blob[:2]) != "GP" || blob[2] != 0 || blob[3] != 0x03 || blob[4] != 0xE6 || blob[5] != 0x10 {
		t.Errorf("GeoPackage header % x", blob[:8])
	}
	g, err := store.DecodeGeometry(blob)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := g.(orb.MultiPolygon); !ok {
		t.Errorf("500103 decodes to %T", g)
	}
}

func TestGeometryRoundTrip(t *testing.T) {
	for _, g := range []orb.Geometry{
		orb.Point{106.53, 29.66},
		orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}, {{0.2, 0.1}, {0.8, 0.7}, {0.8, 0.1}, {0.2, 0.1}}}},
	} {
		b, err := store.EncodeGeometry(g)
		if err != nil {
			t.Fatal(err)
		}
		back, err := store.DecodeGeometry(b)
		if err != nil {
			t.Fatal(err)
		}
		if !orb.Equal(g, back) {
			t.Errorf("round trip %v -> %v", g, back)
		}
	}
	if _, err := store.DecodeGeometry([]byte("XX")); err == nil {
		t.Error("garbage decoded")
	}
}

func TestSnapshot(t *testing.T) {
	ctx := context.Background()
	st := testdb.Seeded(t, "chongqing-districts", "shandong-cities")
	snap, err := readmodel.Load(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	cq, ok := snap.Plan(plan.ChongqingID)
	if !ok {
		t.Fatal("no chongqing plan")
	}
	if n := len(snap.PlanUnits(cq)); n != 41 {
		t.Errorf("chongqing plan has %d units, want 38 districts + 3 zones", n)
	}
	sd, _ := snap.Plan(plan.ShandongID)
	if n := len(snap.PlanUnits(sd)); n != 16 {
		t.Errorf("shandong plan has %d units, want 16 cities", n)
	}
	if len(cq.Assignments) != 36 || cq.Rules.UnitLimits["cq-gaoxin"][plan.Main] != 3 || len(sd.Clusters) != 24 || sd.Groups["370200"] != "胶东经济圈" ||
		cq.AsOf != "2023-11" || sd.Display["district"].MinZoom != 8 || cq.Catalogue[0].NameEn == "" {
		t.Errorf("plans not stored whole: %d assignments, limits %v, %d clusters", len(cq.Assignments), cq.Rules.UnitLimits, len(sd.Clusters))
	}
	// 渝中区 borders 江北区 until 2026-01-25 and the 两江新区 drawn for it after.
	if got := strings.Join(snap.NeighboursOf("500103"), ","); got != "500000-liangjiang,500105,500106,500107,500108" {
		t.Errorf("渝中区 neighbours %s", got)
	}
	if got := strings.Join(snap.NeighboursOf("370200"), ","); got != "370600,370700,371100" {
		t.Errorf("青岛市 neighbours %s", got)
	}
	z, _ := snap.Unit("cq-liangjiang")
	if !z.Approximate || z.Kind != plan.KindZone || strings.Join(z.Hosts, ";") != "500105;500112;500109" {
		t.Errorf("zone %+v", z)
	}
	if _, ok := z.Geom.(orb.Point); !ok {
		t.Errorf("zone geometry %T", z.Geom)
	}
	// 解放碑 lies in 渝中区.
	at := snap.UnitsAt(orb.Point{106.5775, 29.5574}, "")
	if len(at) != 1 || at[0].Code != "500103" {
		t.Errorf("units at 解放碑: %v", at)
	}
	u, _ := snap.Unit("500107")
	if len(u.Repairs) == 0 || !strings.Contains(strings.Join(u.Repairs, ";"), "merged") {
		t.Errorf("九龙坡区 repairs not recorded: %v", u.Repairs)
	}
}

func TestZoneReplacedByPolygon(t *testing.T) {
	ctx := context.Background()
	st := testdb.Seeded(t, "chongqing-districts")
	sq := orb.MultiPolygon{{{{106.5, 29.6}, {106.6, 29.6}, {106.6, 29.7}, {106.5, 29.6}}}}
	res, err := st.ImportBoundaries(ctx, []geo.Boundary{{Code: "cq-liangjiang", Name: "两江新区", Level: "district",
		Geom: sq, AreaKm2: geo.AreaKm2(sq), Label: geo.LabelPoint(sq)}}, geo.DefaultAdjacency)
	if err != nil {
		t.Fatal(err)
	}
	if res.ZonesReplaced != 1 || res.Added != 0 {
		t.Errorf("result %+v", res)
	}
	snap, _ := readmodel.Load(ctx, st)
	z, _ := snap.Unit("cq-liangjiang")
	if z.Approximate || z.Kind != plan.KindZone || z.Parent != "500000" || len(z.Hosts) != 3 {
		t.Errorf("zone after polygon import: %+v", z)
	}
	if _, ok := z.Geom.(orb.MultiPolygon); !ok {
		t.Errorf("zone geometry %T", z.Geom)
	}
}

func TestFailedWritesLeaveDataAsItWas(t *testing.T) {
	ctx := context.Background()
	st := testdb.Seeded(t, "chongqing-districts")
	before, _ := readmodel.Load(ctx, st)
	good := testdb.Boundaries(t, "shandong-cities")
	bad := append(good, geo.Boundary{Code: "370000", Name: "山东省", Level: "province", Geom: good[0].Geom})
	if _, err := st.ImportBoundaries(ctx, bad, geo.DefaultAdjacency); err == nil || !strings.Contains(err.Error(), `level "province"`) {
		t.Fatalf("err = %v", err)
	}
	_, err := readmodel.ImportPlanFile(ctx, st, plan.ChongqingID, strings.NewReader("unit_code,unit_name,role,industry,detail,source\n500103,渝中区,main,CQ-SIS,,\n999999,x,main,CQ-SIS,,\n"), "bad.csv", readmodel.ImportOptions{})
	var invalid *readmodel.InvalidError
	if !errors.As(err, &invalid) || invalid.Report.Violations[0].Rule != plan.RuleUnknownUnit || invalid.Report.Violations[0].Lines[0] != 3 {
		t.Fatalf("err = %v", err)
	}
	after, _ := readmodel.Load(ctx, st)
	if after.Version != before.Version || len(after.Units) != len(before.Units) || len(after.Neighbours) != len(before.Neighbours) {
		t.Errorf("failed writes changed data: version %d→%d, units %d→%d", before.Version, after.Version, len(before.Units), len(after.Units))
	}
	p, _ := after.Plan(plan.ChongqingID)
	if len(p.Assignments) != 36 {
		t.Errorf("assignments %d after a failed import", len(p.Assignments))
	}
}

func TestImportPlanFile(t *testing.T) {
	ctx := context.Background()
	st := testdb.Seeded(t, "chongqing-districts", "shandong-cities")
	v0, _ := st.DataVersion(ctx)
	f, err := readmodel.ImportPlanFile(ctx, st, plan.ChongqingID, strings.NewReader(
		"unit_code,unit_name,role,industry,detail,source\n500103,渝中区,main,软件信息服务,,my.csv\ncq-wansheng,万盛经开区,special,CQ-NDS,,\n"), "my.csv", readmodel.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Revision.Assignments != 2 || f.Report.Subject != "my.csv" || !f.Report.Valid || f.Revision.Author != "import my.csv" {
		t.Errorf("%+v", f)
	}
	snap, _ := readmodel.Load(ctx, st)
	p, _ := snap.Plan(plan.ChongqingID)
	if len(p.Assignments) != 2 || p.Assignments[0].Industry != "CQ-SIS" || snap.Version != v0+1 {
		t.Errorf("after import: %+v, version %d→%d", p.Assignments, v0, snap.Version)
	}
	if _, err := readmodel.ImportPlanFile(ctx, st, plan.ShandongID, strings.NewReader("unit_code,unit_name,role,industry,detail,source\n370200,青岛市,main,x,,\n"), "picks.csv", readmodel.ImportOptions{}); !errors.Is(err, readmodel.ErrWrongKind) || !strings.Contains(err.Error(), "picks.csv: a district-picks file, but plan shandong-clusters is clusters") {
		t.Errorf("kind mismatch: %v", err)
	}
	if _, err := readmodel.ImportPlanFile(ctx, st, "nope", strings.NewReader(""), "x.csv", readmodel.ImportOptions{}); err == nil || !strings.Contains(err.Error(), `no plan "nope"`) {
		t.Errorf("unknown plan: %v", err)
	}
}

func TestOpenRefusesForeignFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.gpkg")
	db := rawDB(t, path)
	if _, err := db.Exec(`CREATE TABLE x (a)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := store.Open(context.Background(), path); err == nil || !strings.Contains(err.Error(), "not an indmap GeoPackage") {
		t.Errorf("err = %v", err)
	}
}

// TestOgrinfo has GDAL, an independent reader, open the GeoPackage.
func TestOgrinfo(t *testing.T) {
	ogrinfo, err := exec.LookPath("ogrinfo")
	if err != nil {
		t.Skip("ogrinfo not on PATH (CI installs gdal-bin)")
	}
	st := testdb.Seeded(t, "chongqing-districts", "shandong-cities", "shandong-counties")
	path := st.Path()
	st.Close()
	out, err := exec.Command(ogrinfo, "-ro", "-so", path, "units").CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	text := string(out)
	m := regexp.MustCompile(`Feature Count: (\d+)`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no feature count in:\n%s", text)
	}
	if n, _ := strconv.Atoi(m[1]); n != 38+3+16+137+1 {
		t.Errorf("ogrinfo counts %d features, want %d (with the derived 两江新区)", n, 38+3+16+137+1)
	}
	for _, field := range []string{"code: String", "name: String", "kind: String", "approximate: Integer(Boolean)", "area_km2: Real",
		"valid_from: String", "valid_to: String", "Geometry Column = geom"} {
		if !strings.Contains(text, field) {
			t.Errorf("ogrinfo output lacks %q:\n%s", field, text)
		}
	}
	out, err = exec.Command(ogrinfo, "-ro", "-q", path, "units", "-where", "code = '500103'").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "渝中区") || !strings.Contains(string(out), "MULTIPOLYGON") {
		t.Errorf("ogrinfo feature 500103: %v\n%.2000s", err, out)
	}
	// GDAL's own view of the spatial index.
	out, err = exec.Command(ogrinfo, "-ro", "-q", path, "-sql", "SELECT HasSpatialIndex('units', 'geom')").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "= 1") {
		t.Errorf("GDAL sees no spatial index: %v\n%s", err, out)
	}
	// GDAL's GeoPackage validator (python3-gdal, which gdal-bin depends
	// on) checks the file against the spec's requirements.
	const validator = "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py"
	if _, err := os.Stat(validator); err == nil {
		if out, err := exec.Command("/usr/bin/python3", validator, path).CombinedOutput(); err != nil {
			t.Errorf("validate_gpkg.py: %v\n%s", err, out)
		}
	}
}

// BenchmarkImportBoundaries stores the three shared boundary files (read
// and repaired beforehand) into a new GeoPackage, adjacency included.
func BenchmarkImportBoundaries(b *testing.B) {
	bs := testdb.Boundaries(b, "chongqing-districts", "shandong-cities", "shandong-counties")
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		st, err := store.Open(ctx, filepath.Join(b.TempDir(), "b.gpkg"))
		if err != nil {
			b.Fatal(err)
		}
		// The import takes the geometries over: give it a copy.
		if _, err := st.ImportBoundaries(ctx, append([]geo.Boundary(nil), bs...), geo.DefaultAdjacency); err != nil {
			b.Fatal(err)
		}
		st.Close()
	}
}

// TestEnglishNamesStored: an import stores each unit's English name;
// a unit stored without one (older files) gets it generated on load.
func TestEnglishNamesStored(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.gpkg")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sq := func(x float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x, 29.6}, {x + 0.1, 29.6}, {x + 0.1, 29.7}, {x, 29.6}}}}
	}
	var bs []geo.Boundary
	for i, b := range [][2]string{{"500115", "长寿区"}, {"500240", "石柱土家族自治县"}, {"500120", "璧山区"}} {
		g := sq(106 + float64(i))
		bs = append(bs, geo.Boundary{Code: b[0], Name: b[1], Level: "district", Parent: "500000", Geom: g, Label: geo.LabelPoint(g)})
	}
	if _, err := st.ImportBoundaries(ctx, bs, geo.DefaultAdjacency); err != nil {
		t.Fatal(err)
	}
	db := rawDB(t, path)
	for code, want := range map[string]string{"500115": "Changshou District", "500240": "Shizhu Tujia Autonomous County", "500120": "Bishan District"} {
		var got string
		if err := db.QueryRow(`SELECT name_en FROM units WHERE code = ?`, code).Scan(&got); err != nil || got != want {
			t.Errorf("stored name_en of %s = %q (%v), want %q", code, got, err, want)
		}
	}
	if _, err := db.Exec(`UPDATE units SET name_en = '' WHERE code = '500115'`); err != nil {
		t.Fatal(err)
	}
	snap, err := readmodel.Load(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if u, _ := snap.Unit("500115"); u.NameEn != "Changshou District" {
		t.Errorf("loaded without a stored English name: %q", u.NameEn)
	}
}
