package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/indmap/indmap/api"
	"github.com/indmap/indmap/internal/testdb"
	"github.com/indmap/indmap/internal/testhttp"
	"github.com/indmap/indmap/readmodel"
	"github.com/indmap/indmap/store"
)

const token = "s3cret-planner-token"

func writeServer(t *testing.T, tokens []string, logs io.Writer) (*store.Store, *httptest.Server) {
	t.Helper()
	st := testdb.Seeded(t, "chongqing-districts", "shandong-cities")
	if logs == nil {
		logs = io.Discard
	}
	_, srv := serve(t, st, api.Config{Store: st, Tokens: tokens,
		WriteOrigins: []string{"https://planner.example"}, Log: slog.New(slog.NewTextHandler(logs, nil))})
	return st, srv
}

func do(t *testing.T, method, url, body string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	return testhttp.Do(t, method, url, strings.NewReader(body), hdr...)
}

const threeMains = "unit_code,unit_name,role,industry,detail,source\n500120,璧山区,main,CQ-ICV,,a\n500120,璧山区,main,CQ-EIM,,a\n500120,璧山区,main,CQ-ADM,,a\n"
const twoMains = "unit_code,unit_name,role,industry,detail,source\n500120,璧山区,main,智能网联新能源汽车,,a\n500120,璧山区,main,CQ-EIM,,a\n"

func TestWritesNeedATokenAndValidate(t *testing.T) {
	var logs bytes.Buffer
	st, srv := writeServer(t, []string{"other-token", token}, &logs)
	url := srv.URL + "/api/v1/plans/chongqing-2023/assignments"
	auth := "Bearer " + token
	ctx := context.Background()
	v0, _ := st.DataVersion(ctx)

	for _, tc := range []struct {
		name, auth string
		code       int
	}{
		{"no token", "", 401},
		{"wrong scheme", "Basic " + token, 401},
		{"wrong token", "Bearer nope", 401},
		{"token prefix", "Bearer " + token[:5], 401},
	} {
		resp, body := do(t, "PUT", url, twoMains, "Authorization", tc.auth, "Content-Type", "text/csv")
		if resp.StatusCode != tc.code || !strings.Contains(string(body), `"status":401`) || resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: %d %s", tc.name, resp.StatusCode, body)
		}
	}
	// Errors: 422 with the report, nothing stored.
	resp, body := do(t, "PUT", url, threeMains, "Authorization", auth)
	var pr struct {
		Status int
		Report struct {
			Valid      bool
			Violations []struct{ Rule string }
		}
	}
	json.Unmarshal(body, &pr)
	if resp.StatusCode != 422 || pr.Report.Valid || pr.Report.Violations[0].Rule == "" {
		t.Errorf("3 mains: %d %s", resp.StatusCode, body)
	}
	if v, _ := st.DataVersion(ctx); v != v0 {
		t.Errorf("a refused write moved the data version %d → %d", v0, v)
	}
	// Bad bodies: 400 or 413, nothing stored.
	for _, tc := range []struct {
		body string
		code int
	}{
		{"", 400},
		{"unit_code,role\n500120,main\n", 400},
		{`{"units": []}`, 400},
		{"cluster,industry,level,host_codes,year,source\nx,y,national,370200,2024,\n", 400},
		{strings.Repeat("x", 50<<20), 413},
	} {
		resp, body := do(t, "PUT", url, tc.body, "Authorization", auth)
		if resp.StatusCode != tc.code {
			t.Errorf("body %.40q: %d %.200s", tc.body, resp.StatusCode, body)
		}
	}
	if v, _ := st.DataVersion(ctx); v != v0 {
		t.Errorf("bad bodies moved the data version")
	}
	// A valid write: 200, a revision, new data at once (API and tiles).
	resp, body = do(t, "PUT", url, twoMains, "Authorization", auth)
	var res struct {
		Revision struct {
			N      int
			Author string
		}
		DataVersion int64 `json:"data_version"`
		Report      struct{ Valid bool }
	}
	json.Unmarshal(body, &res)
	if resp.StatusCode != 200 || !res.Report.Valid || res.DataVersion != v0+1 || !strings.HasPrefix(res.Revision.Author, "token:") {
		t.Fatalf("write: %d %s", resp.StatusCode, body)
	} // The id is keyed: it is not the token's plain hash, which would let
	// anyone test guesses offline.
	if plain := sha256.Sum256([]byte(token)); res.Revision.Author == "token:"+hex.EncodeToString(plain[:4]) {
		t.Errorf("the author id is the token's plain hash: %s", res.Revision.Author)
	}

	if f := unit(t, srv, "500120"); len(f.Properties.Plans[0].Main) != 2 || f.Properties.Plans[0].Main[0].Code != "CQ-ICV" {
		t.Errorf("璧山区 after the write: %+v", f.Properties.Plans)
	}
	if resp, _ := get(t, srv.URL+"/api/v1/plans/chongqing-2023/units?industry=CQ-ADM"); resp.Header.Get("X-Data-Version") != "5" && resp.Header.Get("X-Data-Version") == "" {
		t.Errorf("version header %q", resp.Header.Get("X-Data-Version"))
	}
	// force=true stores errors and says so.
	resp, body = do(t, "PUT", url+"?force=true", threeMains, "Authorization", auth)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"forced":true`) || !strings.Contains(string(body), "despite errors") {
		t.Errorf("forced: %d %s", resp.StatusCode, body)
	}
	// Logs name the token's id, never the token.
	if strings.Contains(logs.String(), token) || !strings.Contains(logs.String(), "token=token:") {
		t.Errorf("logs: %s", logs.String())
	}
	// Revisions: the plan load, the write and the forced write; restore
	// the write.
	var revs struct {
		Revisions []struct {
			N      int
			Forced bool
		}
	}
	getJSON(t, srv.URL+"/api/v1/plans/chongqing-2023/revisions", &revs)
	if len(revs.Revisions) != 3 || revs.Revisions[0].N != 3 || !revs.Revisions[0].Forced {
		t.Fatalf("revisions %+v", revs)
	}
	resp, body = do(t, "POST", srv.URL+"/api/v1/plans/chongqing-2023/revisions/1/restore", "", "Authorization", auth)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"restored_from":1`) {
		t.Errorf("restore: %d %s", resp.StatusCode, body)
	}
	snap, _ := readmodel.Load(ctx, st)
	if p, _ := snap.Plan("chongqing-2023"); len(p.Assignments) != 36 {
		t.Errorf("restored plan has %d assignments, want the 36 loaded", len(p.Assignments))
	}
	if resp, _ := do(t, "POST", srv.URL+"/api/v1/plans/chongqing-2023/revisions/99/restore", "", "Authorization", auth); resp.StatusCode != 404 {
		t.Errorf("restore of a missing revision: %d", resp.StatusCode)
	}
	if resp, _ := do(t, "POST", srv.URL+"/api/v1/plans/chongqing-2023/revisions/1/restore", ""); resp.StatusCode != 401 {
		t.Errorf("restore without a token: %d", resp.StatusCode)
	}
	if resp, _ := do(t, "PUT", srv.URL+"/api/v1/plans/nope/assignments", twoMains, "Authorization", auth); resp.StatusCode != 404 {
		t.Errorf("unknown plan: %d", resp.StatusCode)
	}
}

func TestWritesDisabledWithoutTokens(t *testing.T) {
	_, srv := writeServer(t, nil, nil)
	resp, body := do(t, "PUT", srv.URL+"/api/v1/plans/chongqing-2023/assignments", twoMains, "Authorization", "Bearer x")
	if resp.StatusCode != 403 || !strings.Contains(string(body), "writes are disabled") {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
}

func TestCORS(t *testing.T) {
	_, srv := writeServer(t, []string{token}, nil)
	// Reads from anywhere.
	resp, _ := do(t, "GET", srv.URL+"/api/v1/plans", "", "Origin", "https://anyone.example")
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("read: %v", resp.Header)
	}
	// Preflight for a write: only the listed origin.
	resp, _ = do(t, "OPTIONS", srv.URL+"/api/v1/plans/chongqing-2023/assignments", "", "Origin", "https://planner.example", "Access-Control-Request-Method", "PUT")
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != "https://planner.example" {
		t.Errorf("preflight from the planner: %d %v", resp.StatusCode, resp.Header)
	}
	resp, _ = do(t, "OPTIONS", srv.URL+"/api/v1/plans/chongqing-2023/assignments", "", "Origin", "https://evil.example", "Access-Control-Request-Method", "PUT")
	if resp.StatusCode != 403 || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from elsewhere: %d %v", resp.StatusCode, resp.Header)
	}
	resp, _ = do(t, "PUT", srv.URL+"/api/v1/plans/chongqing-2023/assignments", twoMains, "Origin", "https://evil.example", "Authorization", "Bearer "+token)
	if resp.StatusCode != 403 {
		t.Errorf("write from elsewhere: %d", resp.StatusCode)
	}
	// Validation stores nothing: any origin.
	resp, _ = do(t, "OPTIONS", srv.URL+"/api/v1/plans/chongqing-2023/validate", "", "Origin", "https://anyone.example", "Access-Control-Request-Method", "POST")
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("validate preflight: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := api.New(api.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	for _, prefix := range []string{"/api/v1", "/ogc"} {
		got, want := strings.Join(api.RouteKeys(e.Echo, prefix), "\n"), strings.Join(api.DocumentedKeys(prefix), "\n")
		if got != want {
			t.Errorf("%s: routes\n%s\ndocumented\n%s", prefix, got, want)
		}
	}
	_, srv := newServer(t)
	var doc struct {
		OpenAPI string
		Paths   map[string]map[string]any
	}
	if code := getJSON(t, srv.URL+"/api/v1/openapi.json", &doc); code != 200 || doc.OpenAPI != "3.0.3" || doc.Paths["/api/v1/plans/{id}/units"]["get"] == nil {
		t.Errorf("openapi.json: %d %+v", code, doc.OpenAPI)
	}
}

func TestMetricsRequestIDAndGzip(t *testing.T) {
	_, srv := newServer(t)
	get(t, srv.URL+"/api/v1/plans")
	get(t, srv.URL+"/tiles/chongqing-2023/0/0/0.mvt")
	resp, body := get(t, srv.URL+"/metrics")
	for _, want := range []string{`indmap_http_requests_total{code="200",method="GET",route="/api/v1/plans"} 1`,
		`indmap_http_request_duration_seconds_count{route="/tiles/:plan/:z/:x/:y"} 1`, "indmap_tile_cache_misses_total 1", "indmap_data_version "} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
	if resp, _ := get(t, srv.URL+"/readyz"); resp.StatusCode != 200 {
		t.Errorf("readyz %d", resp.StatusCode)
	}
	resp, body = get(t, srv.URL+"/api/v1/nothing", "X-Request-Id", "abc123")
	if resp.Header.Get("X-Request-Id") != "abc123" || !strings.Contains(string(body), `"request_id":"abc123"`) {
		t.Errorf("request id: %v %s", resp.Header, body)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/plans/chongqing-2023/units", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	raw, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	raw.Body.Close()
	if raw.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("GeoJSON not gzipped: %v", raw.Header)
	}
}

func TestWriteRateLimit(t *testing.T) {
	st := testdb.Seeded(t, "chongqing-districts")
	_, srv := serve(t, st, api.Config{Store: st, Tokens: []string{token}, WritesPerMinute: 2})
	url := srv.URL + "/api/v1/plans/chongqing-2023/assignments"
	for i, want := range []int{200, 200, 429} {
		resp, body := do(t, "PUT", url, twoMains, "Authorization", "Bearer "+token)
		if resp.StatusCode != want {
			t.Errorf("write %d: %d, want %d: %s", i+1, resp.StatusCode, want, body)
		}
		if want == 429 && resp.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}
}

// TestNamedTokenAuthor: a token configured with its holder's name
// (--tokens-file name:token) writes revisions under that name; another
// token keeps its keyed id.
func TestNamedTokenAuthor(t *testing.T) {
	st := testdb.Seeded(t, "chongqing-districts")
	other := "another-planner-token-0123"
	_, srv := serve(t, st, api.Config{Store: st, Tokens: []string{token, other}, Authors: map[string]string{token: "王工 (规划处)"}})
	url := srv.URL + "/api/v1/plans/chongqing-2023/assignments"
	for _, c := range []struct{ token, body, want string }{{token, twoMains, "王工 (规划处)"}, {other, threeMainsMinusOne, "token:"}} {
		resp, body := do(t, "PUT", url+"?force=true", c.body, "Authorization", "Bearer "+c.token, "Content-Type", "text/csv")
		var res struct{ Revision struct{ Author string } }
		json.Unmarshal(body, &res)
		if resp.StatusCode != 200 || !strings.HasPrefix(res.Revision.Author, c.want) {
			t.Errorf("author %q (%d %s), want %q", res.Revision.Author, resp.StatusCode, body, c.want)
		}
	}
	var revs struct{ Revisions []struct{ Author string } }
	getJSON(t, srv.URL+"/api/v1/plans/chongqing-2023/revisions", &revs)
	if len(revs.Revisions) < 2 || !slices.ContainsFunc(revs.Revisions, func(r struct{ Author string }) bool { return r.Author == "王工 (规划处)" }) {
		t.Errorf("revisions %+v", revs.Revisions)
	}
}

const threeMainsMinusOne = "unit_code,unit_name,role,industry,detail,source\n500120,璧山区,main,智能网联新能源汽车,,a\n"

// TestRevisionCounts: the revision list's counts are each revision's
// report: the current one's equal the stored plan's report, the one
// loaded with the defaults (never checked when written) included.
func TestRevisionCounts(t *testing.T) {
	_, srv := writeServer(t, []string{token}, nil)
	type counts struct{ N, Errors, Warnings int }
	var revs struct{ Revisions []counts }
	var rep struct {
		Errors, Warnings int
		Revision         int
	}
	getJSON(t, srv.URL+"/api/v1/plans/chongqing-2023/revisions", &revs)
	getJSON(t, srv.URL+"/api/v1/plans/chongqing-2023/validation", &rep)
	if len(revs.Revisions) != 1 || revs.Revisions[0].Errors != rep.Errors || revs.Revisions[0].Warnings != rep.Warnings || rep.Warnings == 0 {
		t.Fatalf("the loaded revision %+v, the stored report %+v", revs.Revisions, rep)
	}
	// A forced write with an error: the new revision counts it, the old
	// keeps its own.
	resp, body := do(t, "PUT", srv.URL+"/api/v1/plans/chongqing-2023/assignments?force=true", threeMains, "Authorization", "Bearer "+token, "Content-Type", "text/csv")
	if resp.StatusCode != 200 {
		t.Fatalf("forced write: %d %s", resp.StatusCode, body)
	}
	getJSON(t, srv.URL+"/api/v1/plans/chongqing-2023/revisions", &revs)
	getJSON(t, srv.URL+"/api/v1/plans/chongqing-2023/validation", &rep)
	if len(revs.Revisions) != 2 || revs.Revisions[0].Errors != rep.Errors || rep.Errors == 0 || revs.Revisions[1].Errors != 0 || revs.Revisions[1].Warnings == 0 {
		t.Errorf("revisions %+v, the stored report %+v", revs.Revisions, rep)
	}
}
