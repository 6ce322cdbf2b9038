package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/indmap/indmap/api"
	"github.com/indmap/indmap/internal/testdb"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/readmodel"
	"github.com/indmap/indmap/static"
	"github.com/indmap/indmap/store"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// handler builds the API over st as indmap serve does: a data watcher,
// the tile server whose index it prepares, the handler, then the
// watcher started and its first snapshot awaited. A write through the
// store directly is seen after live.Refresh.
func handler(t testing.TB, st *store.Store, cfg api.Config) (*readmodel.Live, http.Handler) {
	t.Helper()
	live := readmodel.NewLive(st, time.Hour, quiet)
	cfg.Data = live
	if cfg.Log == nil {
		cfg.Log = quiet
	}
	cfg.Tiles = api.NewTileServer(cfg)
	// Building every zoom's geometry before publishing is most of a test
	// server's start; under -short a zoom is built when first asked for,
	// as the tile server does for a snapshot nobody prepared.
	if !testing.Short() {
		live.Prepare(cfg.Tiles.Prepare)
	}
	h := api.New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	live.Start(ctx)
	if err := live.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	return live, h
}

// serve is handler behind an httptest server.
func serve(t testing.TB, st *store.Store, cfg api.Config) (*readmodel.Live, *httptest.Server) {
	t.Helper()
	live, h := handler(t, st, cfg)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return live, srv
}

func newBenchServer(b testing.TB, st *store.Store) http.Handler {
	_, h := handler(b, st, api.Config{})
	return h
}

func newServer(t *testing.T) (*store.Store, *httptest.Server) {
	t.Helper()
	st, _, srv := newLiveServer(t)
	return st, srv
}

// newLiveServer is newServer with its data watcher, for tests that
// change the store directly and then call live.Refresh.
func newLiveServer(t *testing.T) (*store.Store, *readmodel.Live, *httptest.Server) {
	t.Helper()
	st := testdb.Seeded(t, "chongqing-districts", "shandong-cities")
	live, srv := serve(t, st, api.Config{Static: static.FS})
	return st, live, srv
}

func get(t *testing.T, url string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	return do(t, http.MethodGet, url, "", hdr...)
}

func TestPlans(t *testing.T) {
	_, srv := newServer(t)
	resp, body := get(t, srv.URL+"/api/v1/plans")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var got struct {
		DataVersion int64 `json:"data_version"`
		Plans       []struct {
			ID          string
			Title       string
			Kind        string
			Units       int
			Assignments int
			Clusters    int
		}
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Plans) != 3 || got.DataVersion == 0 {
		t.Fatalf("%s", body)
	}
	cq, hn, sd := got.Plans[0], got.Plans[1], got.Plans[2]
	if cq.ID != plan.ChongqingID || cq.Units != 41 || cq.Assignments != 36 || cq.Kind != "district-picks" {
		t.Errorf("chongqing %+v", cq)
	}
	if hn.ID != plan.HenanID || hn.Units != 0 || hn.Clusters != 11 {
		t.Errorf("henan (no boundaries loaded) %+v", hn)
	}
	if sd.ID != plan.ShandongID || sd.Units != 16 || sd.Clusters != 24 || sd.Kind != "clusters" {
		t.Errorf("shandong %+v", sd)
	}
}

// holding is an industry a unit holds, as the API shows it.
type holding struct {
	Code, Name, Detail, Source string
	DetailEn                   string `json:"detail_en"`
}

type feature struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Geometry   struct{ Type string }
	Properties struct {
		Code        string
		Name        string
		Kind        string
		Approximate bool
		AreaKm2     float64 `json:"area_km2"`
		Neighbours  []struct{ Code, Name string }
		Hosts       []string
		Note        string
		NoteZh      string `json:"note_zh"`
		NoteEn      string `json:"note_en"`
		Plans       []struct {
			Plan     string
			Main     []holding
			Special  []holding
			Clusters []struct {
				Name  string
				Hosts []string
			}
			Group      string
			Limits     map[string]int
			Violations []string
		}
	}
}

func unit(t *testing.T, srv *httptest.Server, code string) feature {
	t.Helper()
	resp, body := get(t, srv.URL+"/api/v1/units/"+code)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d %s", code, resp.StatusCode, body)
	}
	var f feature
	if err := json.Unmarshal(body, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestUnit(t *testing.T) {
	_, srv := newServer(t)
	f := unit(t, srv, "500117")
	p := f.Properties
	if f.Type != "Feature" || f.ID != "500117" || f.Geometry.Type != "MultiPolygon" || p.Name != "合川区" || p.Kind != "district" {
		t.Errorf("合川区: %+v", f)
	}
	if p.AreaKm2 < 2300 || p.AreaKm2 > 2400 {
		t.Errorf("合川区 area %.1f", p.AreaKm2)
	}
	if len(p.Plans) != 1 || len(p.Plans[0].Main) != 2 || len(p.Plans[0].Special) != 3 {
		t.Fatalf("合川区 plans %+v", p.Plans)
	}
	if m := p.Plans[0].Main[0]; m.Code != "CQ-ICV" || m.Name != "智能网联新能源汽车" || m.Detail != "零部件" || m.DetailEn != "Parts and components" || !strings.HasPrefix(m.Source, "https://") {
		t.Errorf("合川区 first main %+v", m)
	}
	if len(p.Neighbours) == 0 {
		t.Error("合川区 has no neighbours")
	}

	z := unit(t, srv, "cq-gaoxin")
	if !z.Properties.Approximate || z.Geometry.Type != "Point" || z.Properties.Plans[0].Limits["main"] != 3 || len(z.Properties.Hosts) != 2 {
		t.Errorf("高新区 %+v", z)
	}
	// The zone's note, English words naming places in Chinese in the
	// data, comes in each language as well.
	if zp := z.Properties; !strings.HasPrefix(zp.Note, "high-tech-zone: 直管园") || zp.NoteZh != "国家高新区：直管园位于沙坪坝区和九龙坡区；西部科学城范围更广，涉及北碚、沙坪坝、九龙坡、江津、璧山。" ||
		!strings.HasPrefix(zp.NoteEn, "National high-tech zone: its directly administered park lies in Shapingba and Jiulongpo") {
		t.Errorf("高新区's note %q, in Chinese %q, in English %q", zp.Note, zp.NoteZh, zp.NoteEn)
	}
	q := unit(t, srv, "370200")
	if q.Properties.Plans[0].Group != "胶东经济圈" || len(q.Properties.Plans[0].Clusters) < 4 {
		t.Errorf("青岛市 %+v", q.Properties.Plans)
	}
	if q.Properties.Plans[0].Main != nil {
		t.Errorf("a clusters plan shows main industries")
	}
	if names := q.Properties.Neighbours; len(names) != 3 || names[0].Name != "烟台市" {
		t.Errorf("青岛市 neighbours %+v", names)
	}
}

// TestUnitWithoutGeometry: ?geometry=none answers the same unit without
// its outline, with its bounds; another value is a 400.
func TestUnitWithoutGeometry(t *testing.T) {
	_, srv := newServer(t)
	full := unit(t, srv, "500117")
	resp, body := get(t, srv.URL+"/api/v1/units/500117?geometry=none")
	var f struct {
		Geometry   json.RawMessage
		BBox       []float64
		Properties struct{ Name string }
	}
	if err := json.Unmarshal(body, &f); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %v %s", resp.StatusCode, err, body)
	}
	if string(f.Geometry) != "null" || len(f.BBox) != 4 || f.Properties.Name != full.Properties.Name || f.BBox[0] < 105.9 || f.BBox[2] > 106.7 {
		t.Errorf("合川区 without geometry: geometry %s bbox %v name %q", f.Geometry, f.BBox, f.Properties.Name)
	}
	if len(body)*5 > len(mustGet(t, srv.URL+"/api/v1/units/500117")) {
		t.Errorf("without its outline the answer is still %d bytes", len(body))
	}
	if resp, _ := get(t, srv.URL+"/api/v1/units/500117?geometry=bbox"); resp.StatusCode != 400 {
		t.Errorf("geometry=bbox: %d", resp.StatusCode)
	}
}

func mustGet(t *testing.T, u string) []byte {
	t.Helper()
	_, b := get(t, u)
	return b
}

func TestErrorsAndCaching(t *testing.T) {
	st, live, srv := newLiveServer(t)
	resp, body := get(t, srv.URL+"/api/v1/units/999999")
	if resp.StatusCode != 404 || !strings.Contains(string(body), `"detail":"no unit with code 999999"`) || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("unknown unit: %d %s", resp.StatusCode, body)
	}
	resp, body = get(t, srv.URL+"/api/v1/nothing")
	if resp.StatusCode != 404 || !strings.Contains(string(body), `"status":404`) {
		t.Errorf("unknown path: %d %s", resp.StatusCode, body)
	}
	resp, _ = get(t, srv.URL+"/api/v1/plans")
	etag := resp.Header.Get("ETag")
	if etag == "" || resp.Header.Get("Cache-Control") != "no-cache" || resp.Header.Get("X-Data-Version") == "" {
		t.Fatalf("cache headers: %v", resp.Header)
	}
	if resp, body := get(t, srv.URL+"/api/v1/plans", "If-None-Match", etag); resp.StatusCode != 304 || len(body) != 0 {
		t.Errorf("revalidation: %d, %d bytes", resp.StatusCode, len(body))
	}
	// A write moves the data version: the old ETag no longer matches and
	// the new data is served without a restart.
	_, err := readmodel.ImportPlanFile(context.Background(), st, plan.ChongqingID, strings.NewReader(
		"unit_code,unit_name,role,industry,detail,source\n500103,渝中区,main,CQ-SIS,,test\n"), "t.csv", readmodel.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := live.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	resp, _ = get(t, srv.URL+"/api/v1/plans", "If-None-Match", etag)
	if resp.StatusCode != 200 || resp.Header.Get("ETag") == etag {
		t.Errorf("after a write: %d, ETag %s", resp.StatusCode, resp.Header.Get("ETag"))
	}
	if f := unit(t, srv, "500103"); len(f.Properties.Plans[0].Main) != 1 {
		t.Errorf("渝中区 after the write: %+v", f.Properties.Plans)
	}
}

func TestHealthAndPage(t *testing.T) {
	_, srv := newServer(t)
	resp, body := get(t, srv.URL+"/healthz")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"status":"ok"`) || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("healthz %d %s", resp.StatusCode, body)
	}
	resp, body = get(t, srv.URL+"/")
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), "/static/js/app.js") {
		t.Errorf("page %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'self'") || resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") == "" {
		t.Errorf("page security headers: %v", resp.Header)
	}
	resp, _ = get(t, srv.URL+"/embed?plan=chongqing-2023")
	if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors *") || resp.Header.Get("X-Frame-Options") != "" {
		t.Errorf("embed may not be framed: %v", resp.Header)
	}
	resp, _ = get(t, srv.URL+"/static/js/app.js")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/javascript; charset=utf-8" || resp.Header.Get("ETag") == "" {
		t.Errorf("app.js: %d %v", resp.StatusCode, resp.Header)
	}
	for _, p := range []string{"/static/../go.mod", "/static/%2e%2e/api.go", "/static/vendor/.gitkeep", "/static/nope.js"} {
		if resp, _ := get(t, srv.URL+p); resp.StatusCode != 404 {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
	var style struct {
		Version int
		Sources map[string]struct{ Type, URL string }
		Layers  []struct{ ID string }
	}
	if code := getJSON(t, srv.URL+"/styles/chongqing-2023.json", &style); code != 200 || style.Version != 8 ||
		style.Sources["indmap"].URL != srv.URL+"/tiles/chongqing-2023.json" || len(style.Layers) < 5 {
		t.Errorf("style %d %+v", code, style)
	}
	if resp, _ := get(t, srv.URL+"/styles/nope.json"); resp.StatusCode != 404 {
		t.Errorf("unknown style: %d", resp.StatusCode)
	}
}

func post(t *testing.T, url, contentType, body string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Post(url, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

type report struct {
	Plan       string
	Valid      bool
	Errors     int
	Warnings   int
	Violations []struct {
		Rule     string
		Severity string
		Units    []string
		Message  string
		Lines    []int
		Limit    *int
		Actual   *int
	}
}

func TestValidation(t *testing.T) {
	st, live, srv := newLiveServer(t)
	resp, body := get(t, srv.URL+"/api/v1/plans/chongqing-2023/validation")
	var r report
	if err := json.Unmarshal(body, &r); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if r.Plan != "chongqing-2023" || !r.Valid || r.Errors != 0 || r.Warnings == 0 {
		t.Errorf("stored plan report: %+v", r)
	}
	if resp, _ := get(t, srv.URL+"/api/v1/plans/nope/validation"); resp.StatusCode != 404 {
		t.Errorf("unknown plan: %d", resp.StatusCode)
	}

	const csv = "unit_code,unit_name,role,industry,detail,source\n500120,璧山区,main,CQ-ICV,,\n500120,璧山区,main,CQ-EIM,,\n500120,璧山区,main,CQ-ADM,,\n"
	resp, body = post(t, srv.URL+"/api/v1/plans/chongqing-2023/validate", "text/csv", csv)
	r = report{}
	json.Unmarshal(body, &r)
	if resp.StatusCode != 200 || r.Valid || r.Errors != 1 {
		t.Fatalf("3 mains: %d %s", resp.StatusCode, body)
	}
	for _, v := range r.Violations {
		if v.Rule == "main-limit" && (v.Units[0] != "500120" || *v.Limit != 2 || *v.Actual != 3 || len(v.Lines) != 3 || !strings.Contains(v.Message, "璧山区")) {
			t.Errorf("main-limit %+v", v)
		}
	}
	jsonBody := `{"assignments": [{"unit_code": "cq-liangjiang", "role": "main", "industry": "CQ-ICV"}, {"unit_code": "cq-liangjiang", "role": "main", "industry": "CQ-EIM"}, {"unit_code": "cq-liangjiang", "role": "main", "industry": "CQ-SIS"}]}`
	resp, body = post(t, srv.URL+"/api/v1/plans/chongqing-2023/validate", "application/json", jsonBody)
	r = report{}
	json.Unmarshal(body, &r)
	if resp.StatusCode != 200 || !r.Valid {
		t.Errorf("3 mains in 两江新区 (JSON): %d %s", resp.StatusCode, body)
	}
	for _, tc := range []struct{ body, want string }{
		{"unit_code,unit_name,role,industry,detail,source\n500120,璧山区,boss,CQ-ICV,,\n", "body: line 2: unknown role"},
		{"", "body: empty file"},
		{"cluster,industry,level,host_codes,year,source\nx,y,national,370200,2024,\n", "a clusters file, but plan chongqing-2023"},
		{`{"assignments": [`, "malformed JSON at line 1"},
	} {
		resp, body := post(t, srv.URL+"/api/v1/plans/chongqing-2023/validate", "text/csv", tc.body)
		if resp.StatusCode != 400 || !strings.Contains(string(body), tc.want) {
			t.Errorf("bad body %q: %d %s", tc.body, resp.StatusCode, body)
		}
	}
	if resp, _ := post(t, srv.URL+"/api/v1/plans/nope/validate", "text/csv", csv); resp.StatusCode != 404 {
		t.Errorf("validate unknown plan: %d", resp.StatusCode)
	}
	// Validating stores nothing.
	snap, _ := readmodel.Load(context.Background(), st)
	if p, _ := snap.Plan("chongqing-2023"); len(p.Assignments) != 36 {
		t.Errorf("validate changed the plan: %d assignments", len(p.Assignments))
	}
	// The violations reach the unit's data, and follow a stored change.
	if f := unit(t, srv, "500105"); strings.Join(f.Properties.Plans[0].Violations, ",") != "unit-unassigned" {
		t.Errorf("江北区 violations %v", f.Properties.Plans[0].Violations)
	}
	if _, err := readmodel.ImportPlanFile(context.Background(), st, "chongqing-2023", strings.NewReader(csv), "t.csv", readmodel.ImportOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := live.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if f := unit(t, srv, "500120"); strings.Join(f.Properties.Plans[0].Violations, ",") != "main-limit" {
		t.Errorf("璧山区 violations after storing 3 mains: %v", f.Properties.Plans[0].Violations)
	}
}

func TestTileEndpoint(t *testing.T) {
	_, srv := newServer(t)
	// z10 tile over 解放碑 (渝中区).
	const path = "/tiles/chongqing-2023/10/815/422.mvt"
	resp, body := get(t, srv.URL+path, "Accept-Encoding", "gzip")
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	h := resp.Header
	if h.Get("Content-Type") != "application/vnd.mapbox-vector-tile" || h.Get("Content-Encoding") != "gzip" ||
		h.Get("Access-Control-Allow-Origin") != "*" || !strings.HasPrefix(h.Get("Cache-Control"), "public, max-age=") ||
		h.Get("Vary") != "Accept-Encoding" {
		t.Errorf("headers %v", h)
	}
	if len(body) < 2 || body[0] != 0x1f || body[1] != 0x8b {
		t.Error("body is not gzip")
	}
	etag := h.Get("ETag")
	if resp, b := get(t, srv.URL+path, "Accept-Encoding", "gzip", "If-None-Match", etag); resp.StatusCode != 304 || len(b) != 0 {
		t.Errorf("revalidation: %d", resp.StatusCode)
	}
	// Without gzip the tile comes unpacked; .pbf is the same tile.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/tiles/chongqing-2023/10/815/422.pbf", nil)
	req.Header.Set("Accept-Encoding", "identity")
	raw, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	rawBody, _ := io.ReadAll(raw.Body)
	raw.Body.Close()
	if raw.StatusCode != 200 || raw.Header.Get("Content-Encoding") != "" || len(rawBody) == 0 || rawBody[0] == 0x1f {
		t.Errorf("identity: %d %q %d bytes", raw.StatusCode, raw.Header.Get("Content-Encoding"), len(rawBody))
	}
	d := maptile.At(orb.Point{106.5775, 29.5574}, 18)
	deep := fmt.Sprintf("/tiles/chongqing-2023/18/%d/%d.mvt", d.X, d.Y)
	for _, tc := range []struct {
		path string
		code int
	}{
		{"/tiles/chongqing-2023/10/100/100.mvt", 204}, // far from any unit
		{"/tiles/chongqing-2023/1/2/0.mvt", 400},
		{"/tiles/chongqing-2023/a/0/0.mvt", 400},
		{"/tiles/chongqing-2023/-1/0/0.mvt", 400},
		{"/tiles/chongqing-2023/23/0/0.mvt", 400},
		{"/tiles/nope/0/0/0.mvt", 404},
		{"/tiles/chongqing-2023/0/0/0.png", 404},
		{"/tiles/chongqing-2023/0/0/0.mvt?industry=造船", 400},
		{"/tiles/chongqing-2023/0/0/0.mvt?industry=CQ-ICV", 200},
		{deep, 200}, // deeper than maxzoom
	} {
		resp, body := get(t, srv.URL+tc.path)
		if resp.StatusCode != tc.code {
			t.Errorf("%s: %d, want %d (%s)", tc.path, resp.StatusCode, tc.code, body)
		}
		if tc.code == 204 && len(body) != 0 {
			t.Errorf("%s: 204 with a body", tc.path)
		}
	}
}

func TestTileJSON(t *testing.T) {
	_, srv := newServer(t)
	resp, body := get(t, srv.URL+"/tiles/chongqing-2023.json")
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	var tj struct {
		TileJSON     string    `json:"tilejson"`
		Tiles        []string  `json:"tiles"`
		MinZoom      *int      `json:"minzoom"`
		MaxZoom      int       `json:"maxzoom"`
		Bounds       []float64 `json:"bounds"`
		Center       []float64 `json:"center"`
		Attribution  string    `json:"attribution"`
		VectorLayers []struct {
			ID     string            `json:"id"`
			Fields map[string]string `json:"fields"`
		} `json:"vector_layers"`
	}
	if err := json.Unmarshal(body, &tj); err != nil {
		t.Fatal(err)
	}
	// The tile URL names the version of what the tiles hold.
	if tj.TileJSON != "3.0.0" || len(tj.Tiles) != 1 || !strings.HasPrefix(tj.Tiles[0], srv.URL+"/tiles/chongqing-2023/{z}/{x}/{y}.mvt?v=g") {
		t.Errorf("tilejson %s, tiles %v", tj.TileJSON, tj.Tiles)
	}
	if tj.MinZoom == nil || *tj.MinZoom != 0 || tj.MaxZoom != 14 || len(tj.Bounds) != 4 || tj.Bounds[0] < 105 || tj.Bounds[2] > 111 || len(tj.Center) != 3 {
		t.Errorf("zooms/bounds/center: %+v", tj)
	}
	if !strings.Contains(tj.Attribution, "DataV") || !strings.Contains(tj.Attribution, "重庆 2023 产业地图 (Chongqing 2023 industry map)") || !strings.Contains(tj.Attribution, "GeoNames") || !strings.Contains(tj.Attribution, "GSHHG") {
		t.Errorf("attribution %q", tj.Attribution)
	}
	if len(tj.VectorLayers) != 5 || tj.VectorLayers[0].ID != "units" || tj.VectorLayers[0].Fields["main"] == "" || tj.VectorLayers[1].Fields["left"] == "" ||
		tj.VectorLayers[3].ID != "places" || tj.VectorLayers[3].Fields["kind"] == "" || tj.VectorLayers[4].ID != "rivers" || tj.VectorLayers[4].Fields["level"] == "" {
		t.Errorf("vector_layers %+v", tj.VectorLayers)
	}
	if resp, _ := get(t, srv.URL+"/tiles/nope.json"); resp.StatusCode != 404 {
		t.Errorf("unknown plan TileJSON: %d", resp.StatusCode)
	}
}
