// Package shareddata locates the shared input data (../shared/data beside
// the checkout) for tests.
package shareddata

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Dir returns the shared data folder: $INDMAP_SHARED_DATA, else
// ../shared/data beside the module root. Tests fail, not skip, when it is
// missing: CI and every developer have it, and a skipped check hides a
// broken setup.
func Dir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("INDMAP_SHARED_DATA"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			d := filepath.Join(dir, "..", "shared", "data")
			if _, err := os.Stat(d); err != nil {
				t.Fatalf("shared data not found at %s (set INDMAP_SHARED_DATA): %v", d, err)
			}
			return d
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("module root not found")
		}
		dir = parent
	}
}

// Boundary returns the path of a shared boundary file by its short name,
// e.g. "chongqing-districts".
func Boundary(t testing.TB, name string) string {
	return filepath.Join(Dir(t), "boundaries", name+".gcj02.geojson")
}

// DataVServer serves the shared files as DataV's areas_v3/bound would:
// 500000_full, 370000_full, and each Shandong city's counties.
func DataVServer(t *testing.T) *httptest.Server {
	t.Helper()
	load := func(name string) map[string]any {
		b, err := os.ReadFile(Boundary(t, name))
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
