package geo_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/internal/shareddata"
)

// dataVServer serves the shared files as DataV's areas_v3/bound would:
// 500000_full, 370000_full, and each Shandong city's counties.
func dataVServer(t *testing.T) *httptest.Server {
	t.Helper()
	load := func(name string) map[string]any {
		b, err := os.ReadFile(shareddata.Boundary(t, name))
		if err != nil {
			t.Fatal(err)
		}
		var fc map[string]any
		if err := json.Unmarshal(b, &fc); err != nil {
			t.Fatal(err)
		}
		return fc
	}
	files := map[string]map[string]any{"500000": load("chongqing-districts"), "370000": load("shandong-cities")}
	counties := load("shandong-counties")
	for _, f := range counties["features"].([]any) {
		props := f.(map[string]any)["properties"].(map[string]any)
		parent := props["parent"].(string)
		if files[parent] == nil {
			files[parent] = map[string]any{"type": "FeatureCollection", "features": []any{}}
		}
		files[parent]["features"] = append(files[parent]["features"].([]any), f)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/areas_v3/bound/"), "_full.json")
		fc, ok := files[code]
		if !ok {
			http.NotFound(w, r)
			return
		}
		json.NewEncoder(w).Encode(fc)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestFetch(t *testing.T) {
	srv := dataVServer(t)
	dir := t.TempDir()
	files, err := geo.Fetcher{Client: srv.Client(), BaseURL: srv.URL + "/areas_v3/bound"}.Fetch(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"chongqing-districts.gcj02.geojson": 38, "shandong-cities.gcj02.geojson": 16, "shandong-counties.gcj02.geojson": 137}
	if len(files) != 3 {
		t.Fatalf("files %v", files)
	}
	for _, f := range files {
		bs, err := geo.ReadDataVFile(f.Path, geo.ReadOptions{CRS: geo.GCJ02})
		if err != nil {
			t.Fatal(err)
		}
		if n := want[filepath.Base(f.Path)]; len(bs) != n || f.Features != n {
			t.Errorf("%s: %d features, want %d", f.Path, len(bs), n)
		}
	}
}

func TestFetchFailureWritesNothing(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/500000") {
			w.Write([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"adcode":500101,"name":"万州区"},"geometry":{"type":"Polygon","coordinates":[[[108,30],[108.1,30],[108.1,30.1],[108,30]]]}}]}`))
			return
		}
		w.Write([]byte(`<html>rate limited</html>`))
	}))
	defer srv.Close()
	dir := t.TempDir()
	_, err := geo.Fetcher{Client: srv.Client(), BaseURL: srv.URL}.Fetch(context.Background(), dir)
	if err == nil || !strings.Contains(err.Error(), "370000_full.json") {
		t.Fatalf("err = %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files left after a failed fetch: %v", entries)
	}
}
