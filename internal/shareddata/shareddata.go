// Package shareddata locates the shared input data (../shared/data beside
// the checkout) for tests.
package shareddata

import (
	"os"
	"path/filepath"
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
