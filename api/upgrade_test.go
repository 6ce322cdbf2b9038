package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"github.com/indmap/indmap/api"
	"github.com/indmap/indmap/store"
)

// TestUpgradeKeepsRevisions: a file made by each released schema (see
// store/testdata/schemas/make.sh) is migrated on open (if older) and then serves
// every plan revision, its ETag and its diff exactly as the release that
// wrote it did (its answers are kept beside the file).
func TestUpgradeKeepsRevisions(t *testing.T) {
	files, _ := filepath.Glob("../store/testdata/schemas/*.gpkg")
	if len(files) < 2 {
		t.Fatalf("released schemas: %v", files)
	}
	for _, src := range files {
		t.Run(filepath.Base(src), func(t *testing.T) {
			var want map[string]any
			b, err := os.ReadFile(src[:len(src)-len(".gpkg")] + ".revisions.json")
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "old.gpkg")
			b, _ = os.ReadFile(src)
			os.WriteFile(path, b, 0o644)
			st, err := store.Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			var released int
			fmt.Sscanf(filepath.Base(src), "v%d-", &released)
			if len(st.Migrated) != store.SchemaVersion-released {
				t.Fatalf("schema %d file: migrated %v", released, st.Migrated)
			}
			_, srv := serve(t, st, api.Config{Store: st})
			for _, id := range []string{"chongqing-2023", "shandong-clusters"} {
				w := want[id].(map[string]any)
				var got map[string]any
				getJSON(t, srv.URL+"/api/v1/plans/"+id+"/revisions", &got)
				if !reflect.DeepEqual(got, w["revisions"]) {
					t.Errorf("%s revisions:\n got %v\nwant %v", id, got, w["revisions"])
				}
				diffs := w["diffs"].(map[string]any)
				if len(diffs) < 2 {
					t.Fatalf("%s: %d diffs kept", id, len(diffs))
				}
				for n, wd := range diffs {
					var gd any
					getJSON(t, srv.URL+"/api/v1/plans/"+id+"/revisions/"+n+"/diff", &gd)
					if !reflect.DeepEqual(gd, wd) {
						t.Errorf("%s revision %s diff:\n got %v\nwant %v", id, n, gd, wd)
					}
				}
				// The current revision's ETag still guards the next write.
				revs := got["revisions"].([]any)
				top := revs[0].(map[string]any)
				if top["etag"] != `"r`+strconv.Itoa(int(top["n"].(float64)))+`"` {
					t.Errorf("%s: newest revision %v", id, top)
				}
			}
			var plans map[string]any
			getJSON(t, srv.URL+"/api/v1/plans", &plans)
			for _, p := range plans["plans"].([]any) {
				if p := p.(map[string]any); p["title_en"] == "" {
					t.Errorf("plan %v has no English title after migrating", p["id"])
				}
			}
		})
	}
}
