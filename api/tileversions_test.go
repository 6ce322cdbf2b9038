package api_test

import (
	"strings"
	"testing"

	"github.com/indmap/indmap/api"
	"github.com/indmap/indmap/internal/testdb"
)

// TestTileVersions: TileJSON's tile URLs name what the tiles hold; such a
// URL may be cached for good; a write to a plan moves its thematic tiles'
// version and ETags, never its geometry tiles'.
func TestTileVersions(t *testing.T) {
	st := testdb.Seeded(t, "chongqing-districts")
	_, srv := serve(t, st, api.Config{Store: st, Tokens: []string{token}})
	type urls struct{ Tiles []string }
	tileURL := func(q string) string {
		var tj urls
		getJSON(t, srv.URL+"/tiles/chongqing-2023.json"+q, &tj)
		return strings.NewReplacer("{z}", "9", "{x}", "407", "{y}", "211").Replace(tj.Tiles[0])
	}
	geo1, icv1 := tileURL(""), tileURL("?industry=CQ-ICV")
	r1, _ := do(t, "GET", geo1, "", "Accept-Encoding", "gzip")
	t1, _ := do(t, "GET", icv1, "", "Accept-Encoding", "gzip")
	if r1.StatusCode != 200 || !strings.Contains(r1.Header.Get("Cache-Control"), "immutable") || !strings.Contains(t1.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("versioned tile URLs: %d %v / %v", r1.StatusCode, r1.Header, t1.Header)
	}
	if r, _ := do(t, "GET", strings.Split(geo1, "?")[0], "", "Accept-Encoding", "gzip"); strings.Contains(r.Header.Get("Cache-Control"), "immutable") ||
		r.Header.Get("ETag") != r1.Header.Get("ETag") {
		t.Errorf("the same tile without ?v=: %v", r.Header)
	}
	if r, body := do(t, "PUT", srv.URL+"/api/v1/plans/chongqing-2023/assignments", twoMains, "Authorization", "Bearer "+token); r.StatusCode != 200 {
		t.Fatalf("write: %d %s", r.StatusCode, body)
	}
	geo2, icv2 := tileURL(""), tileURL("?industry=CQ-ICV")
	r2, _ := do(t, "GET", geo2, "", "Accept-Encoding", "gzip")
	t2, _ := do(t, "GET", icv2, "", "Accept-Encoding", "gzip")
	if geo2 != geo1 || r2.Header.Get("ETag") != r1.Header.Get("ETag") || r2.Header.Get("X-Data-Version") == r1.Header.Get("X-Data-Version") {
		t.Errorf("geometry tile across a write: %s → %s, ETag %s → %s", geo1, geo2, r1.Header.Get("ETag"), r2.Header.Get("ETag"))
	}
	if icv2 == icv1 || t2.Header.Get("ETag") == t1.Header.Get("ETag") {
		t.Errorf("thematic tile across a write: %s → %s, ETag %s → %s", icv1, icv2, t1.Header.Get("ETag"), t2.Header.Get("ETag"))
	}
	if r, _ := do(t, "GET", geo1, "", "Accept-Encoding", "gzip", "If-None-Match", r1.Header.Get("ETag")); r.StatusCode != 304 {
		t.Errorf("revalidating a geometry tile after a write: %d", r.StatusCode)
	}
}
