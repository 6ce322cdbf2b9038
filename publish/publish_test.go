package publish_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/indmap/indmap/internal/testdb"
	"github.com/indmap/indmap/publish"
	"github.com/indmap/indmap/store"
)

// site builds the store's site at zooms 0–8.
func site(t *testing.T, st *store.Store) ([]publish.Object, publish.Object) {
	t.Helper()
	ctx := context.Background()
	src, stop, err := publish.NewSource(ctx, st, 8, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	objs, version, err := publish.Build(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	return objs, version
}

var hashed = regexp.MustCompile(`(^|/|\.)[0-9a-f]{16}(/|\.)`)

// TestPublishToAFolder: a published site is whole (version.json names
// objects that are there, the page's entry names its hashed folder),
// every key but version.json and index.html carries its content's hash,
// objects have their types and cache rules; publishing again uploads
// only the two mutable objects, and after a plan's write only what that
// plan's write changed.
func TestPublishToAFolder(t *testing.T) {
	ctx := context.Background()
	st := testdb.Seeded(t, "chongqing-districts")
	dir := t.TempDir()
	b, err := publish.Open(ctx, publish.Target{URL: "file://" + dir})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	objs, version := site(t, st)
	stats, err := publish.Upload(ctx, b, objs, version, publish.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Uploaded != len(objs)+1 || stats.Skipped != 0 {
		t.Errorf("first publish: %+v", stats)
	}
	for _, o := range objs {
		if o.Mutable != (o.Key == "index.html") {
			t.Errorf("%s: mutable %v", o.Key, o.Mutable)
		}
		if !o.Mutable && !hashed.MatchString(o.Key) {
			t.Errorf("%s: no content hash in an immutable key", o.Key)
		}
		if want := map[bool]string{true: "no-cache", false: "public, max-age=31536000, immutable"}[o.Mutable]; o.CacheControl() != want {
			t.Errorf("%s: Cache-Control %q", o.Key, o.CacheControl())
		}
		if o.ContentType == "" || o.ContentType == "application/octet-stream" {
			t.Errorf("%s: Content-Type %q", o.Key, o.ContentType)
		}
	}
	var v publish.Version
	b2, err := os.ReadFile(filepath.Join(dir, "version.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b2, &v); err != nil {
		t.Fatal(err)
	}
	cq, ok := v.Files["chongqing-2023"]
	if !ok || v.DataVersion == 0 {
		t.Fatalf("version.json: %s", b2)
	}
	for _, key := range []string{v.Plans, cq.Tiles, cq.Theme, cq.TileJSON, cq.Style, cq.StyleEn, cq.Industries, cq.Units, cq.Sites, cq.Search,
		v.Assets + "vendor/pmtiles.js",
		v.Assets + "js/app.js", v.Assets + "vendor/maplibre-gl.mjs", v.Fonts + "Noto Sans Regular/0-255.pbf",
		v.Fonts + "Noto Sans Regular/29696-29951.pbf"} { // 璧 is U+74A7
		if _, err := os.Stat(filepath.Join(dir, key)); err != nil {
			t.Errorf("version.json names %s: %v", key, err)
		}
	}
	archive, _ := os.ReadFile(filepath.Join(dir, cq.Tiles))
	if len(archive) < 1000 || string(archive[:7]) != "PMTiles" || archive[7] != 3 {
		t.Errorf("%s is not a PMTiles v3 archive (%d bytes)", cq.Tiles, len(archive))
	}
	var style struct {
		Glyphs  string
		Sources map[string]struct{ URL string }
	}
	sb, _ := os.ReadFile(filepath.Join(dir, cq.Style))
	json.Unmarshal(sb, &style)
	if style.Sources["indmap"].URL != "pmtiles://"+cq.Tiles || style.Glyphs != v.Fonts+"{fontstack}/{range}.pbf" || strings.Contains(string(sb), "indmap.invalid") {
		t.Errorf("style's links: source %q glyphs %q", style.Sources["indmap"].URL, style.Glyphs)
	}
	// A unit's panel comes without its outline, framed by its bounds,
	// and says only what this plan gives it.
	var units struct {
		Units map[string]struct {
			Geometry   any
			BBox       []float64
			Properties struct {
				Name  string
				Plans []struct{ Plan string }
			}
		}
	}
	ub, _ := os.ReadFile(filepath.Join(dir, cq.Units))
	json.Unmarshal(ub, &units)
	if u := units.Units["500120"]; u.Properties.Name != "璧山区" || u.Geometry != nil || len(u.BBox) != 4 ||
		len(u.Properties.Plans) != 1 || u.Properties.Plans[0].Plan != "chongqing-2023" {
		t.Errorf("璧山区's published panel: %+v\n%.300s", u, ub)
	}
	index, _ := os.ReadFile(filepath.Join(dir, "index.html"))
	if !strings.Contains(string(index), `<meta name="indmap-site"`) {
		t.Errorf("index.html does not say it is a published site")
	}
	if !strings.Contains(string(index), `"`+v.Assets+`js/app.js"`) || strings.Contains(string(index), `"/static/`) {
		t.Errorf("index.html does not load the published page:\n%.600s", index)
	}

	// Again, nothing changed: only the two mutable objects are written.
	objs, version = site(t, st)
	if stats, err = publish.Upload(ctx, b, objs, version, publish.Options{}); err != nil || stats.Uploaded != 2 {
		t.Errorf("second publish: %+v, %v", stats, err)
	}
	// A plan's write: its theme (and what shows roles) change; the
	// page, the glyphs and the other plans' files do not.
	as, cs, err := st.RevisionContent(ctx, "chongqing-2023", 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.WriteAssignments(ctx, "chongqing-2023", as[1:], cs, store.WriteMeta{Author: "t"}); err != nil {
		t.Fatal(err)
	}
	objs, version = site(t, st)
	if stats, err = publish.Upload(ctx, b, objs, version, publish.Options{}); err != nil || stats.Uploaded < 3 || stats.Uploaded > 12 {
		t.Errorf("publish after a plan's write: %+v, %v", stats, err)
	}
	var after publish.Version
	b2, _ = os.ReadFile(filepath.Join(dir, "version.json"))
	json.Unmarshal(b2, &after)
	if after.Files["chongqing-2023"].Theme == cq.Theme || after.Assets != v.Assets || after.Fonts != v.Fonts ||
		after.Files["shandong-clusters"] != v.Files["shandong-clusters"] || after.DataVersion <= v.DataVersion {
		t.Errorf("after a plan's write version.json is %s", b2)
	}
}

// TestPublishWithoutLinkedUnits: a database without the districts that
// Chongqing's zones name as hosts (here, Shandong's cities alone) still
// publishes: the zones' panels keep their hosts' codes, and no panel is
// asked for a unit that is not loaded.
func TestPublishWithoutLinkedUnits(t *testing.T) {
	st := testdb.Seeded(t, "shandong-cities")
	objs, version := site(t, st)
	var v publish.Version
	if err := json.Unmarshal(version.Body, &v); err != nil {
		t.Fatal(err)
	}
	if _, ok := v.Files["shandong-clusters"]; !ok {
		t.Fatalf("Shandong's plan was not published: %s", version.Body)
	}
	cq, ok := v.Files["chongqing-2023"]
	if !ok {
		t.Skip("no Chongqing map without its districts: nothing links to them")
	}
	for _, o := range objs {
		if o.Key != cq.Units {
			continue
		}
		var units struct{ Units map[string]json.RawMessage }
		json.Unmarshal(o.Body, &units)
		if _, ok := units.Units["cq-gaoxin"]; !ok {
			t.Errorf("the zone's panel is missing: %.300s", o.Body)
		}
		if _, ok := units.Units["500106"]; ok {
			t.Errorf("a panel of a unit that is not loaded")
		}
	}
}
