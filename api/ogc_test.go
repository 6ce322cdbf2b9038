package api_test

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestOGCDocuments(t *testing.T) {
	_, srv := newServer(t)
	var landing struct {
		Links []struct{ Href, Rel, Type string }
	}
	if code := getJSON(t, srv.URL+"/ogc", &landing); code != 200 {
		t.Fatal(code)
	}
	rels := map[string]bool{}
	for _, l := range landing.Links {
		rels[l.Rel] = true
	}
	for _, r := range []string{"self", "service-desc", "conformance", "data"} {
		if !rels[r] {
			t.Errorf("landing page lacks rel=%s", r)
		}
	}
	var conf struct{ ConformsTo []string }
	getJSON(t, srv.URL+"/ogc/conformance", &conf)
	if len(conf.ConformsTo) != 4 || !strings.HasSuffix(conf.ConformsTo[0], "/conf/core") {
		t.Errorf("conformance %v", conf.ConformsTo)
	}
	var cols struct {
		Collections []struct {
			ID     string
			Extent struct{ Spatial struct{ BBox [][]float64 } }
		}
	}
	getJSON(t, srv.URL+"/ogc/collections", &cols)
	if len(cols.Collections) != 4 || cols.Collections[0].ID != "chongqing-2023" || cols.Collections[3].ID != "units" {
		t.Errorf("collections %+v", cols.Collections)
	}
	var items struct {
		NumberMatched  int
		NumberReturned int
		Features       []struct {
			ID         string
			Properties map[string]any
		}
	}
	getJSON(t, srv.URL+"/ogc/collections/chongqing-2023/items?limit=5&offset=35", &items)
	if items.NumberMatched != 41 || items.NumberReturned != 5 || items.Features[0].Properties["main_count"] == nil {
		t.Errorf("items %+v", items)
	}
	var one struct {
		ID         string
		Properties map[string]any
		Links      []struct{ Rel string }
	}
	getJSON(t, srv.URL+"/ogc/collections/chongqing-2023/items/500117", &one)
	if one.ID != "500117" || one.Properties["main"] != "智能网联新能源汽车|食品及农产品加工" || len(one.Links) != 2 {
		t.Errorf("item %+v", one)
	}
	for _, tc := range []struct {
		path string
		code int
	}{
		{"/ogc/collections/nope", 404},
		{"/ogc/collections/nope/items", 404},
		{"/ogc/collections/chongqing-2023/items/370200", 404},
		{"/ogc/collections/units/items/370200", 200},
		{"/ogc/collections/chongqing-2023/items?foo=1", 400},
		{"/ogc/collections/chongqing-2023/items?limit=0", 400},
		{"/ogc/collections/chongqing-2023/items?f=xml", 400},
	} {
		if resp, body := get(t, srv.URL+tc.path); resp.StatusCode != tc.code {
			t.Errorf("%s: %d, want %d: %s", tc.path, resp.StatusCode, tc.code, body)
		}
	}
	// datetime: the units that existed then. The units collection has
	// 江北区 until 2026-01-25 and the administrative 两江新区 from then.
	for _, tc := range []struct {
		when       string
		has, lacks []string
	}{
		{"2024-01-01", []string{"500105", "500112"}, []string{"500000-liangjiang"}},
		{"2026-06-01T08:00:00Z", []string{"500000-liangjiang", "500120"}, []string{"500105", "500112"}},
		{"2026-01-24/2026-01-25", []string{"500105", "500000-liangjiang"}, nil},
		{"../2025-12-31", []string{"500105"}, []string{"500000-liangjiang"}},
		{"2026-02-01/..", []string{"500000-liangjiang"}, []string{"500105"}},
	} {
		var page struct{ Features []struct{ ID string } }
		if code := getJSON(t, srv.URL+"/ogc/collections/units/items?limit=1000&datetime="+tc.when, &page); code != 200 {
			t.Errorf("datetime=%s: %d", tc.when, code)
			continue
		}
		ids := map[string]bool{}
		for _, f := range page.Features {
			ids[f.ID] = true
		}
		for _, c := range tc.has {
			if !ids[c] {
				t.Errorf("datetime=%s lacks %s", tc.when, c)
			}
		}
		for _, c := range tc.lacks {
			if ids[c] {
				t.Errorf("datetime=%s has %s", tc.when, c)
			}
		}
	}
	for _, bad := range []string{"", "..", "../..", "/", "2024-13-01", "yesterday", "2025-01-01/2024-01-01"} {
		if resp, body := get(t, srv.URL+"/ogc/collections/units/items?datetime="+bad); resp.StatusCode != 400 || !strings.Contains(string(body), "datetime") {
			t.Errorf("datetime=%q: %d %s", bad, resp.StatusCode, body)
		}
	}
	resp, body := get(t, srv.URL+"/ogc/collections?f=html")
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), "chongqing-2023") {
		t.Errorf("HTML collections: %s", resp.Header.Get("Content-Type"))
	}
	resp, _ = get(t, srv.URL+"/ogc/api")
	if resp.Header.Get("Content-Type") != "application/vnd.oai.openapi+json;version=3.0" {
		t.Errorf("api type %s", resp.Header.Get("Content-Type"))
	}
}

// TestOGCWithGDAL has GDAL's OAPIF driver, a real client, read the
// Chongqing collection whole and copy it to a GeoPackage.
func TestOGCWithGDAL(t *testing.T) {
	ogrinfo, err := exec.LookPath("ogrinfo")
	if err != nil {
		t.Skip("ogrinfo not on PATH (CI installs gdal-bin)")
	}
	_, srv := newServer(t)
	src := "OAPIF:" + srv.URL + "/ogc"
	out, err := exec.Command(ogrinfo, "-ro", "-so", src, "chongqing-2023").CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`Feature Count: (\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no feature count:\n%s", out)
	}
	if n, _ := strconv.Atoi(string(m[1])); n != 41 {
		t.Errorf("GDAL counts %d features, want 41", n)
	}
	// Polygons and the zones' points: a geometry type that takes both,
	// so that a copy needs no -nlt.
	if !strings.Contains(string(out), "Geometry: Unknown (any)") {
		t.Errorf("GDAL reads the geometry type as:\n%s", regexp.MustCompile(`Geometry: .*`).Find(out))
	}
	for _, f := range []string{"code: String", "name: String", "main: String", "special: String", "main_count: Integer", "area_km2: Real", "violations: String"} {
		if !strings.Contains(string(out), f) {
			t.Errorf("GDAL lacks field %q:\n%s", f, out)
		}
	}
	// Reading every feature follows the next links (page size 10).
	out, err = exec.Command(ogrinfo, "-ro", "-oo", "PAGE_SIZE=10", src, "chongqing-2023").CombinedOutput()
	if err != nil || strings.Count(string(out), "OGRFeature(chongqing-2023)") != 41 {
		t.Errorf("paged read: %v, %d features", err, strings.Count(string(out), "OGRFeature(chongqing-2023)"))
	}
	ogr2ogr, err := exec.LookPath("ogr2ogr")
	if err != nil {
		t.Skip("ogr2ogr not on PATH")
	}
	dst := filepath.Join(t.TempDir(), "copy.gpkg")
	if out, err := exec.Command(ogr2ogr, "-f", "GPKG", dst, src, "chongqing-2023").CombinedOutput(); err != nil || strings.Contains(string(out), "Warning") {
		t.Fatalf("ogr2ogr: %v\n%s", err, out)
	}
	out, err = exec.Command(ogrinfo, "-ro", "-so", dst, "chongqing-2023").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Feature Count: 41") {
		t.Errorf("copy: %v\n%s", err, out)
	}
}
