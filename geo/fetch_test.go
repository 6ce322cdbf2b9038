package geo_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/internal/shareddata"
)

func TestFetch(t *testing.T) {
	srv := shareddata.DataVServer(t)
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
