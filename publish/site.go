package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/indmap/indmap/readmodel"
	"github.com/indmap/indmap/tiles"
)

// Source is what a site is built from: one snapshot, its tile index, and
// the server's HTTP handler over them. Themes, TileJSON, styles, plans
// and glyphs are the server's own answers, asked in process, so the
// published site and the server never differ in what they say.
type Source struct {
	Snapshot *readmodel.Snapshot
	Index    *tiles.Index
	Handler  http.Handler
	// BaseURL is the handler's public URL (api.Config.PublicURL): the
	// prefix of the links in its answers that the site rewrites.
	BaseURL string
	// Static is the page's files (static.FS).
	Static fs.FS
	// MaxZoom is the archives' deepest zoom.
	MaxZoom int
	// ServerURL, when set, is an indmap server the published page links
	// to for what needs one (the planner's workbench).
	ServerURL string
}

// Version is version.json: what a reader loads first, naming every
// other object of the published map.
type Version struct {
	Format      int                  `json:"format"`
	DataVersion int64                `json:"data_version"`
	PublishedAt time.Time            `json:"published_at"`
	Plans       string               `json:"plans"`  // the plan list (GET /api/v1/plans)
	Assets      string               `json:"assets"` // the page's folder (modules, CSS, MapLibre)
	Fonts       string               `json:"fonts"`  // the glyphs' folder: {fontstack}/{range}.pbf under it
	ServerURL   string               `json:"server_url,omitempty"`
	Files       map[string]PlanFiles `json:"files"`
}

// PlanFiles are one plan's published objects.
type PlanFiles struct {
	Tag      string `json:"tag"` // the plan's content tag, as the server's
	Tiles    string `json:"tiles"`
	TileJSON string `json:"tilejson"`
	Style    string `json:"style"`
	StyleEn  string `json:"style_en"`
	Theme    string `json:"theme"`
	// What the page asks the server for, answered in advance: the
	// catalogue with its counts, each unit's panel (no outline), each
	// industry's ranked sites (no origin: the page measures distances
	// and sorts as the server would) and the search entries.
	Industries string `json:"industries"`
	Units      string `json:"units"`
	Sites      string `json:"sites"`
	Search     string `json:"search"`
}

// Build makes every object of the site and version.json.
func Build(ctx context.Context, src Source) ([]Object, Object, error) {
	var objs []Object
	add := func(key string, body []byte, mutable bool) error {
		o, err := newObject(key, body, mutable)
		objs = append(objs, o)
		return err
	}
	v := Version{Format: 1, DataVersion: src.Snapshot.Version, PublishedAt: time.Now().UTC().Truncate(time.Second),
		ServerURL: src.ServerURL, Files: map[string]PlanFiles{}}

	fonts, fontObjs, err := glyphRanges(src)
	if err != nil {
		return nil, Object{}, err
	}
	v.Fonts = fonts
	objs = append(objs, fontObjs...)

	plansJSON, err := get(src.Handler, "/api/v1/plans")
	if err != nil {
		return nil, Object{}, err
	}
	v.Plans = hashedKey("data", "plans", ".json", plansJSON)
	if err := add(v.Plans, plansJSON, false); err != nil {
		return nil, Object{}, err
	}
	for _, p := range src.Snapshot.Plans {
		if !src.Index.HasPlan(p.ID) {
			continue
		}
		f, planObjs, err := planFiles(ctx, src, p.ID, fonts)
		if errors.Is(err, tiles.ErrNoTiles) {
			continue // none of the plan's units is loaded: no map to publish
		}
		if err != nil {
			return nil, Object{}, fmt.Errorf("plan %s: %w", p.ID, err)
		}
		v.Files[p.ID] = f
		for _, o := range planObjs {
			// Plans share some objects (the search entries): once each.
			if !slices.ContainsFunc(objs, func(x Object) bool { return x.Key == o.Key }) {
				objs = append(objs, o)
			}
		}
	}

	assets, assetObjs, err := page(src.Static)
	if err != nil {
		return nil, Object{}, err
	}
	v.Assets = assets
	objs = append(objs, assetObjs...)
	index, err := fs.ReadFile(src.Static, "index.html")
	if err != nil {
		return nil, Object{}, err
	}
	// The entry page names the hashed folder: it changes with each
	// publish of new page files, so it is revalidated, never cached.
	// The marker tells the page it is a published site: it reads
	// version.json, not the API.
	index = []byte(strings.ReplaceAll(string(index), `"/static/`, `"`+assets))
	index = []byte(strings.Replace(string(index), "<head>\n", "<head>\n"+`<meta name="indmap-site" content="version.json">`+"\n", 1))
	if err := add("index.html", index, true); err != nil {
		return nil, Object{}, err
	}
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return nil, Object{}, err
	}
	version, err := newObject("version.json", b, true)
	return objs, version, err
}

// planFiles makes a plan's archive, theme, TileJSON and styles.
func planFiles(ctx context.Context, src Source, id, fonts string) (PlanFiles, []Object, error) {
	f := PlanFiles{Tag: src.Snapshot.PlanTag(id)}
	var objs []Object
	add := func(key string, body []byte) error {
		o, err := newObject(key, body, false)
		objs = append(objs, o)
		return err
	}
	archive, err := pmtiles(ctx, src, id)
	if err != nil {
		return f, nil, err
	}
	f.Tiles = hashedKey("tiles", id, ".pmtiles", archive)
	if err := add(f.Tiles, archive); err != nil {
		return f, nil, err
	}
	theme, err := get(src.Handler, "/api/v1/plans/"+id+"/theme")
	if err != nil {
		return f, nil, err
	}
	// The data version moves with every plan's write: version.json
	// carries it, and a theme without it stays the same object until its
	// own plan changes.
	if theme, err = without(theme, "data_version"); err != nil {
		return f, nil, err
	}
	f.Theme = hashedKey("themes", id, ".json", theme)
	if err := add(f.Theme, theme); err != nil {
		return f, nil, err
	}
	// Links to the server become links into the site: the source is the
	// archive (MapLibre reads it through the pmtiles protocol), glyphs
	// the published folder. Keys are relative to the site's root.
	links := map[string]string{
		src.BaseURL + "/tiles/" + id + ".json": "pmtiles://" + f.Tiles,
		src.BaseURL + "/fonts/":                fonts,
	}
	tj, err := get(src.Handler, "/tiles/"+id+".json")
	if err != nil {
		return f, nil, err
	}
	var tileJSON map[string]any
	if err := json.Unmarshal(tj, &tileJSON); err != nil {
		return f, nil, err
	}
	tileJSON["tiles"] = []string{"pmtiles://" + f.Tiles + "/{z}/{x}/{y}"}
	if tj, err = json.Marshal(tileJSON); err != nil {
		return f, nil, err
	}
	f.TileJSON = hashedKey("tilejson", id, ".json", tj)
	if err := add(f.TileJSON, tj); err != nil {
		return f, nil, err
	}
	for lang, key := range map[string]*string{"zh": &f.Style, "en": &f.StyleEn} {
		style, err := get(src.Handler, "/styles/"+id+".json?lang="+lang)
		if err != nil {
			return f, nil, err
		}
		if style, err = relink(style, links); err != nil {
			return f, nil, err
		}
		// MapLibre reads a source's credit from its TileJSON; the
		// archive's source has none to read, so the style carries it.
		if style, err = credited(style, tileJSON["attribution"]); err != nil {
			return f, nil, err
		}
		*key = hashedKey("styles", id+"."+lang, ".json", style)
		if err := add(*key, style); err != nil {
			return f, nil, err
		}
	}
	data, err := planData(src, id)
	if err != nil {
		return f, nil, err
	}
	for _, d := range []struct {
		key  *string
		name string
		body []byte
	}{{&f.Industries, "industries", data.industries}, {&f.Units, "units", data.units}, {&f.Sites, "sites", data.sites}, {&f.Search, "search", data.search}} {
		name := id
		if d.name == "search" {
			name = "all" // the same for every plan
		}
		*d.key = hashedKey(d.name, name, ".json", d.body)
		if err := add(*d.key, d.body); err != nil {
			return f, nil, err
		}
	}
	return f, objs, nil
}

// credited gives the style's indmap source the attribution.
func credited(style []byte, attribution any) ([]byte, error) {
	if attribution == nil {
		return style, nil
	}
	var s map[string]any
	if err := json.Unmarshal(style, &s); err != nil {
		return nil, err
	}
	sources, _ := s["sources"].(map[string]any)
	src, ok := sources["indmap"].(map[string]any)
	if !ok {
		return style, nil
	}
	src["attribution"] = attribution
	return json.Marshal(s)
}

// without is a JSON object without the named keys.
func without(doc []byte, keys ...string) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(doc, &m); err != nil {
		return nil, err
	}
	for _, k := range keys {
		delete(m, k)
	}
	return json.Marshal(m)
}

// pmtiles writes a plan's archive (deduplicated) and reads it back.
func pmtiles(ctx context.Context, src Source, id string) ([]byte, error) {
	dir, err := os.MkdirTemp("", "indmap-publish-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, id+".pmtiles")
	if _, err := src.Index.WritePMTiles(ctx, id, src.MaxZoom, p); err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}

// relink replaces, in every string of a JSON document, the prefixes
// links names with their values (a prefix matched whole or followed by
// "?" or "/").
func relink(doc []byte, links map[string]string) ([]byte, error) {
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return nil, err
	}
	var walk func(any) any
	walk = func(x any) any {
		switch x := x.(type) {
		case string:
			for from, to := range links {
				if rest, ok := strings.CutPrefix(x, from); ok && (rest == "" || rest[0] == '?' || strings.HasSuffix(from, "/")) {
					if strings.HasPrefix(to, "pmtiles://") {
						return to // the archive holds every industry's tiles
					}
					return to + rest
				}
			}
			return x
		case []any:
			for i := range x {
				x[i] = walk(x[i])
			}
		case map[string]any:
			for k := range x {
				x[k] = walk(x[k])
			}
		}
		return x
	}
	return json.Marshal(walk(v))
}

// glyphRanges publishes the glyph ranges the map's labels need (the units'
// names in both languages, and Latin) for the fonts the styles name,
// under one folder named by the hash of them all.
func glyphRanges(src Source) (string, []Object, error) {
	ranges := map[int]bool{0: true, 256: true, 8192: true, 12288: true}
	for _, u := range src.Snapshot.Units {
		for _, r := range u.Name + u.NameEn {
			ranges[int(r)/256*256] = true
		}
	}
	for _, p := range src.Snapshot.Plans {
		for _, g := range p.Groups {
			for _, r := range g {
				ranges[int(r)/256*256] = true
			}
		}
	}
	starts := make([]int, 0, len(ranges))
	for s := range ranges {
		starts = append(starts, s)
	}
	sort.Ints(starts)
	type file struct {
		name string
		body []byte
	}
	var files []file
	var parts [][]byte
	for _, stack := range []string{"Noto Sans Regular", "Noto Sans Bold"} {
		for _, s := range starts {
			name := fmt.Sprintf("%s/%d-%d.pbf", stack, s, s+255)
			b, err := get(src.Handler, "/fonts/"+strings.ReplaceAll(stack, " ", "%20")+fmt.Sprintf("/%d-%d.pbf", s, s+255))
			if err != nil {
				return "", nil, err
			}
			files = append(files, file{name, b})
			parts = append(parts, []byte(name), b)
		}
	}
	dir := "fonts/" + hashOf(parts...) + "/"
	objs := make([]Object, 0, len(files))
	for _, f := range files {
		o, err := newObject(dir+f.name, f.body, false)
		if err != nil {
			return "", nil, err
		}
		objs = append(objs, o)
	}
	return dir, objs, nil
}

// page publishes the page's files (all but the entry HTML) under one
// folder named by the hash of them all: its modules import each other
// by relative paths, which a folder keeps.
func page(static fs.FS) (string, []Object, error) {
	type file struct {
		name string
		body []byte
	}
	var files []file
	var parts [][]byte
	err := fs.WalkDir(static, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == "index.html" || strings.HasSuffix(p, ".go") || strings.HasPrefix(path.Base(p), ".") {
			return err
		}
		b, err := fs.ReadFile(static, p)
		if err != nil {
			return err
		}
		files = append(files, file{p, b})
		parts = append(parts, []byte(p), b)
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	dir := "assets/" + hashOf(parts...) + "/"
	objs := make([]Object, 0, len(files))
	for _, f := range files {
		o, err := newObject(path.Join(dir, f.name), f.body, false)
		if err != nil {
			return "", nil, err
		}
		objs = append(objs, o)
	}
	return dir, objs, nil
}

// get asks the handler, in process, for target.
func get(h http.Handler, target string) ([]byte, error) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	if rec.Code != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %d %.200s", target, rec.Code, rec.Body.Bytes())
	}
	return rec.Body.Bytes(), nil
}
