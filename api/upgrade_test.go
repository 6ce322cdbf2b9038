package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/indmap/indmap/api"
	"github.com/indmap/indmap/internal/testdb"
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
				// The counts are each revision's report as the rules read it
				// now (the loaded revision was never checked when written):
				// the newest's are the stored report's; the rest is as kept.
				var rep struct{ Errors, Warnings float64 }
				getJSON(t, srv.URL+"/api/v1/plans/"+id+"/validation", &rep)
				newest := got["revisions"].([]any)[0].(map[string]any)
				if newest["errors"] != rep.Errors || newest["warnings"] != rep.Warnings {
					t.Errorf("%s: the newest revision counts %v errors, %v warnings; the stored report %+v", id, newest["errors"], newest["warnings"], rep)
				}
				for _, revs := range []any{got["revisions"], w["revisions"].(map[string]any)["revisions"]} {
					for _, r := range revs.([]any) {
						delete(r.(map[string]any), "errors")
						delete(r.(map[string]any), "warnings")
					}
				}
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

// TestReplacedFileSaid: after another file is moved over the served one,
// /readyz says so (503) and writes are refused, while reads go on from
// the data loaded before.
func TestReplacedFileSaid(t *testing.T) {
	const token = "replaced-file-token-0123456789"
	st := testdb.Seeded(t, "chongqing-districts")
	live, srv := serve(t, st, api.Config{Store: st, Tokens: []string{token}})
	path := st.Path()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(filepath.Dir(path), "other.gpkg")
	os.WriteFile(other, b, 0o644)
	if err := os.Rename(other, path); err != nil {
		t.Fatal(err)
	}
	if _, err := live.Refresh(context.Background()); !errors.Is(err, store.ErrFileChanged) {
		t.Errorf("refresh after the swap: %v", err)
	}
	resp, body := get(t, srv.URL+"/readyz")
	if resp.StatusCode != 503 || !strings.Contains(string(body), `"status":"error"`) || !strings.Contains(string(body), "another file was put in its place") {
		t.Errorf("readyz: %d %s", resp.StatusCode, body)
	}
	if resp, body := get(t, srv.URL+"/api/v1/plans"); resp.StatusCode != 200 || !strings.Contains(string(body), "chongqing-2023") {
		t.Errorf("reads: %d %.200s", resp.StatusCode, body)
	}
	csv := "unit_code,unit_name,role,industry,detail,source\n500103,渝中区,main,CQ-SIS,,https://example.org\n"
	resp, body = do(t, "PUT", srv.URL+"/api/v1/plans/chongqing-2023/assignments?force=true", csv, "Authorization", "Bearer "+token, "Content-Type", "text/csv")
	if resp.StatusCode != 503 || !strings.Contains(string(body), "nothing was stored") {
		t.Errorf("a write after the swap: %d %s", resp.StatusCode, body)
	}
}

// TestDamagedFileSaid: a served file cut short makes /readyz 503 with
// the reason at the next check, though the data version did not move.
func TestDamagedFileSaid(t *testing.T) {
	st := testdb.Seeded(t, "chongqing-districts")
	live, srv := serve(t, st, api.Config{Store: st})
	if resp, _ := get(t, srv.URL+"/readyz"); resp.StatusCode != 200 {
		t.Fatalf("readyz before: %d", resp.StatusCode)
	}
	if err := os.Truncate(st.Path(), 100<<10); err != nil {
		t.Fatal(err)
	}
	live.Refresh(context.Background())
	if resp, body := get(t, srv.URL+"/readyz"); resp.StatusCode != 503 || !strings.Contains(string(body), "truncated") {
		t.Errorf("readyz after truncation: %d %s", resp.StatusCode, body)
	}
	// What needs the file is a 503 saying why, not a 500.
	if resp, body := get(t, srv.URL+"/api/v1/plans/chongqing-2023/revisions"); resp.StatusCode != 503 || !strings.Contains(string(body), "truncated") {
		t.Errorf("revisions after truncation: %d %s", resp.StatusCode, body)
	}
}
