package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/indmap/indmap/api"
	"github.com/indmap/indmap/internal/testdb"
	"github.com/indmap/indmap/readmodel"
	"github.com/indmap/indmap/static"
)

// sampleURLs gives a working URL for every GET route; the test below
// fails for a route that has none, so new routes are covered.
var sampleURLs = map[string]string{
	"/healthz":                               "/healthz",
	"/readyz":                                "/readyz",
	"/metrics":                               "/metrics",
	"/api/v1/plans":                          "/api/v1/plans",
	"/api/v1/units/:code":                    "/api/v1/units/500120",
	"/api/v1/plans/:id/units":                "/api/v1/plans/chongqing-2023/units?limit=2",
	"/api/v1/plans/:id/sites":                "/api/v1/plans/chongqing-2023/sites?industry=CQ-ICV",
	"/api/v1/industries":                     "/api/v1/industries?plan=chongqing-2023",
	"/api/v1/lookup":                         "/api/v1/lookup?lon=106.57&lat=29.55",
	"/api/v1/search":                         "/api/v1/search?q=bishan",
	"/api/v1/openapi.json":                   "/api/v1/openapi.json",
	"/api/v1/plans/:id/revisions":            "/api/v1/plans/chongqing-2023/revisions",
	"/api/v1/plans/:id/validation":           "/api/v1/plans/chongqing-2023/validation",
	"/api/v1/plans/:id/theme":                "/api/v1/plans/chongqing-2023/theme",
	"/ogc":                                   "/ogc",
	"/ogc/":                                  "/ogc/",
	"/ogc/conformance":                       "/ogc/conformance",
	"/ogc/api":                               "/ogc/api",
	"/ogc/collections":                       "/ogc/collections",
	"/ogc/collections/:cid":                  "/ogc/collections/chongqing-2023",
	"/ogc/collections/:cid/items":            "/ogc/collections/chongqing-2023/items?limit=2",
	"/ogc/collections/:cid/items/:fid":       "/ogc/collections/chongqing-2023/items/500120",
	"/tiles/:plan/:z/:x/:y":                  "/tiles/chongqing-2023/9/407/211.mvt",
	"/tiles/:name":                           "/tiles/chongqing-2023.json",
	"/":                                      "/",
	"/embed":                                 "/embed",
	"/static/*":                              "/static/js/app.js",
	"/styles/:name":                          "/styles/chongqing-2023.json",
	"/fonts/:stack/:range":                   "/fonts/Noto/0-255.pbf",
	"/api/v1/plans/:id/assignments":          "/api/v1/plans/chongqing-2023/assignments?format=xlsx",
	"/api/v1/plans/:id/revisions/:n/diff":    "/api/v1/plans/chongqing-2023/revisions/1/diff",
	"/api/v1/plans/:id/validate":             "", // POST only
	"/api/v1/plans/:id/diff":                 "", // POST only
	"/api/v1/plans/:id/revisions/:n/restore": "",
	"/api/v1/events":                         "/api/v1/events?probe", // a stream: HEAD only (TestEvents reads it)
}

func routes(t *testing.T) []string {
	e := api.New(api.Config{Static: static.FS, Log: quiet})
	var gets []string
	for _, r := range e.Routes() {
		if r.Method != http.MethodGet {
			continue
		}
		u, ok := sampleURLs[r.Path]
		if !ok {
			t.Errorf("GET %s has no sample URL in sampleURLs", r.Path)
			continue
		}
		if strings.HasSuffix(u, "?probe") {
			continue
		}
		gets = append(gets, u)
	}
	return gets
}

// TestHeadEverywhere: HEAD answers like GET, without a body, on every
// GET route (RFC 9110 §9.3.2).
func TestHeadEverywhere(t *testing.T) {
	_, srv := newServer(t)
	for _, u := range routes(t) {
		g, gbody := get(t, srv.URL+u, "Accept-Encoding", "identity")
		h, hbody := do(t, http.MethodHead, srv.URL+u, "", "Accept-Encoding", "identity")
		if g.StatusCode/100 != 2 || h.StatusCode != g.StatusCode || len(hbody) != 0 {
			t.Errorf("%s: GET %d (%d bytes), HEAD %d (%d bytes)", u, g.StatusCode, len(gbody), h.StatusCode, len(hbody))
		}
		for _, k := range []string{"Content-Type", "ETag", "Cache-Control", "X-Data-Version"} {
			if g.Header.Get(k) != h.Header.Get(k) {
				t.Errorf("%s: %s GET %q, HEAD %q", u, k, g.Header.Get(k), h.Header.Get(k))
			}
		}
	}
}

// TestWrongMethods: a known path with a wrong method is 405 with Allow
// (HEAD listed with GET); an invented method is 501.
func TestWrongMethods(t *testing.T) {
	_, srv := newServer(t)
	for _, tc := range []struct {
		method, path, allow string
	}{
		{"DELETE", "/api/v1/plans", "GET, HEAD"},
		{"POST", "/api/v1/units/500120", "GET, HEAD"},
		{"DELETE", "/api/v1/plans/chongqing-2023/assignments", "PUT"},
		{"GET", "/api/v1/plans/chongqing-2023/diff", "POST"},
		{"PATCH", "/ogc/collections", "GET, HEAD"},
		{"PUT", "/ogc/collections/chongqing-2023/items/500120", "GET, HEAD"},
		{"POST", "/healthz", "GET, HEAD"},
		{"DELETE", "/tiles/chongqing-2023/9/407/211.mvt", "GET, HEAD"},
	} {
		resp, body := do(t, tc.method, srv.URL+tc.path, "")
		allow := resp.Header.Get("Allow")
		if resp.StatusCode != 405 || !strings.Contains(allow, tc.allow) || !strings.Contains(string(body), "not allowed") {
			t.Errorf("%s %s: %d, Allow %q: %s", tc.method, tc.path, resp.StatusCode, allow, body)
		}
	}
	resp, _ := do(t, "X00001METHOD", srv.URL+"/api/v1/plans", "")
	if resp.StatusCode != 501 {
		t.Errorf("invented method: %d", resp.StatusCode)
	}
}

// TestMetricsBounded: invented methods and long paths add no series and
// reach neither /metrics nor the log as themselves.
func TestMetricsBounded(t *testing.T) {
	st := testdb.Seeded(t, "chongqing-districts")
	var logs bytes.Buffer
	_, srv := serve(t, st, api.Config{Log: slog.New(slog.NewTextHandler(&logs, nil))})
	seriesBefore := strings.Count(metricsText(t, srv), "indmap_http_requests_total{")
	long := strings.Repeat("M", 3000)
	for i := 0; i < 200; i++ {
		do(t, fmt.Sprintf("X%05d%s", i, long), srv.URL+"/api/v1/plans", "")
		get(t, srv.URL+"/api/v1/nothing/"+strings.Repeat("p", 2000)+fmt.Sprint(i))
	}
	text := metricsText(t, srv)
	series := strings.Count(text, "indmap_http_requests_total{")
	if series > seriesBefore+4 || strings.Contains(text, "X00001") || len(text) > 20_000 {
		t.Errorf("%d series before, %d after (%d bytes of metrics)", seriesBefore, series, len(text))
	}
	if !strings.Contains(text, `code="501",method="other"`) {
		t.Errorf("invented methods not counted as other/501:\n%s", text)
	}
	if strings.Contains(logs.String(), "X00001") || logs.Len() > 200_000 {
		t.Errorf("the log holds invented methods or long paths: %d bytes", logs.Len())
	}
}

func metricsText(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	_, b := get(t, srv.URL+"/metrics")
	return string(b)
}

// TestClientClosedIsNot500: a request whose client went away is logged
// and counted as 499, never as a 500 or an error.
func TestClientClosedIsNot500(t *testing.T) {
	st := testdb.Seeded(t, "chongqing-districts")
	var logs bytes.Buffer
	_, h := handler(t, st, api.Config{Store: st, Log: slog.New(slog.NewTextHandler(&logs, nil))})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest("GET", "/api/v1/plans/chongqing-2023/revisions", nil).WithContext(ctx)
	h.ServeHTTP(httptest.NewRecorder(), req)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	text := rec.Body.String()
	if !strings.Contains(text, `code="499",method="GET",route="/api/v1/plans/:id/revisions"`) || strings.Contains(text, `code="500"`) {
		t.Errorf("metrics:\n%s", text)
	}
	if strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "status=499") {
		t.Errorf("log:\n%s", logs.String())
	}
}

// TestConditionalRequests follows RFC 9110 §13: weak comparison, lists
// and *, errors never 304, one ETag per representation.
func TestConditionalRequests(t *testing.T) {
	_, srv := newServer(t)
	resp, _ := get(t, srv.URL+"/api/v1/units/500120")
	etag := resp.Header.Get("ETag")
	if !strings.HasPrefix(etag, `W/"`) {
		t.Fatalf("ETag %q", etag)
	}
	strong := strings.TrimPrefix(etag, "W/")
	for _, tc := range []struct {
		name, url, inm string
		want           int
	}{
		{"same", "/api/v1/units/500120", etag, 304},
		{"strong form of a weak tag", "/api/v1/units/500120", strong, 304},
		{"in a list", "/api/v1/units/500120", `"x", ` + etag + `, "y"`, 304},
		{"star", "/api/v1/units/500120", "*", 304},
		{"other tag", "/api/v1/units/500120", `"v0-json"`, 200},
		{"missing unit, matching tag", "/api/v1/units/999999", etag, 404},
		{"missing unit, star", "/api/v1/units/999999", "*", 404},
		{"bad parameter, matching tag", "/api/v1/plans/chongqing-2023/units?limit=0", `W/"v1-geo+json", ` + etag, 400},
	} {
		resp, body := get(t, srv.URL+tc.url, "If-None-Match", tc.inm)
		if resp.StatusCode != tc.want || (tc.want == 304 && len(body) != 0) {
			t.Errorf("%s: %d (%d bytes), want %d", tc.name, resp.StatusCode, len(body), tc.want)
		}
	}
	// Each representation has its own ETag; negotiated ones vary on
	// Accept.
	pairs := []struct{ a, b []string }{
		{[]string{"/api/v1/industries?plan=chongqing-2023"}, []string{"/api/v1/industries?plan=chongqing-2023", "Accept", "text/csv"}},
		{[]string{"/ogc/collections", "Accept", "application/json"}, []string{"/ogc/collections", "Accept", "text/html"}},
	}
	for _, p := range pairs {
		ra, _ := get(t, srv.URL+p.a[0], p.a[1:]...)
		rb, _ := get(t, srv.URL+p.b[0], p.b[1:]...)
		if ra.Header.Get("ETag") == rb.Header.Get("ETag") || !strings.Contains(rb.Header.Get("Vary"), "Accept") {
			t.Errorf("%v vs %v: ETags %s %s, Vary %q", p.a, p.b, ra.Header.Get("ETag"), rb.Header.Get("ETag"), rb.Header.Get("Vary"))
		}
		if r, _ := get(t, srv.URL+p.b[0], append(p.b[1:], "If-None-Match", ra.Header.Get("ETag"))...); r.StatusCode != 200 {
			t.Errorf("%v with the other representation's ETag: %d", p.b, r.StatusCode)
		}
	}
	// TileJSON, the style and static files answer 304; TileJSON and the
	// style say their data version, as the API does.
	for _, u := range []string{"/tiles/chongqing-2023.json", "/styles/chongqing-2023.json", "/static/js/app.js"} {
		r, _ := get(t, srv.URL+u)
		tag := r.Header.Get("ETag")
		if r2, _ := get(t, srv.URL+u, "If-None-Match", tag); tag == "" || r2.StatusCode != 304 {
			t.Errorf("%s: ETag %q, revalidation %d", u, tag, r2.StatusCode)
		}
		if v := r.Header.Get("X-Data-Version"); !strings.HasPrefix(u, "/static/") && (v == "" || !strings.Contains(tag, "v"+v+"-")) {
			t.Errorf("%s: X-Data-Version %q beside ETag %q", u, v, tag)
		}
	}
	// Tiles: a strong ETag per encoding; a proxy's weakened tag matches.
	// (An explicit Accept-Encoding keeps the client from unpacking.)
	tile := srv.URL + "/tiles/chongqing-2023/9/407/211.mvt"
	gz, _ := do(t, "GET", tile, "", "Accept-Encoding", "gzip")
	plain, _ := do(t, "GET", tile, "", "Accept-Encoding", "identity")
	if gz.Header.Get("ETag") == plain.Header.Get("ETag") || gz.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("tile ETags gzip %s, plain %s", gz.Header.Get("ETag"), plain.Header.Get("ETag"))
	}
	if r, _ := do(t, "GET", tile, "", "Accept-Encoding", "gzip", "If-None-Match", "W/"+gz.Header.Get("ETag")); r.StatusCode != 304 {
		t.Errorf("tile with a weakened ETag: %d", r.StatusCode)
	}
	// One ETag per content: an industry by name or by code is one tile.
	byCode, _ := do(t, "GET", tile+"?industry=CQ-ICV", "", "Accept-Encoding", "gzip")
	byName, _ := do(t, "GET", tile+"?industry="+url.QueryEscape("智能网联新能源汽车"), "", "Accept-Encoding", "gzip")
	if byCode.Header.Get("ETag") == "" || byCode.Header.Get("ETag") != byName.Header.Get("ETag") {
		t.Errorf("industry by code %s, by name %s", byCode.Header.Get("ETag"), byName.Header.Get("ETag"))
	}
	// One URL per tile: leading zeros are refused.
	if r, _ := get(t, srv.URL+"/tiles/chongqing-2023/09/407/211.mvt"); r.StatusCode != 400 {
		t.Errorf("a tile with a leading zero: %d", r.StatusCode)
	}
	// An answer that depends on the day names the day in its ETag.
	today, _ := get(t, srv.URL+"/api/v1/lookup?lon=106.529&lat=29.579")
	then, _ := get(t, srv.URL+"/api/v1/lookup?lon=106.529&lat=29.579&date=2023-12-01")
	if today.Header.Get("ETag") == then.Header.Get("ETag") {
		t.Errorf("lookup today and in 2023 share ETag %s", today.Header.Get("ETag"))
	}
	if r, _ := do(t, "GET", tile, "", "Accept-Encoding", "x-gzip"); r.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("x-gzip: Content-Encoding %q", r.Header.Get("Content-Encoding"))
	}
	if r, _ := do(t, "GET", tile, "", "Accept-Encoding", "gzip;q=0, identity"); r.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0: Content-Encoding %q", r.Header.Get("Content-Encoding"))
	}
}

// TestHTMLSecurityHeaders: every HTML answer carries the CSP, nosniff and
// the frame rule; only /embed may be framed by others.
func TestHTMLSecurityHeaders(t *testing.T) {
	_, srv := newServer(t)
	for _, u := range []string{"/", "/static/index.html", "/ogc?f=html", "/ogc/collections/chongqing-2023/items?f=html", "/ogc/collections/units/items/500120?f=html"} {
		resp, body := get(t, srv.URL+u)
		csp := resp.Header.Get("Content-Security-Policy")
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(csp, "frame-ancestors 'self'") || !strings.Contains(csp, "script-src 'self'") ||
			resp.Header.Get("X-Frame-Options") != "SAMEORIGIN" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: %d %v (%d bytes)", u, resp.StatusCode, resp.Header, len(body))
		}
	}
	resp, _ := get(t, srv.URL+"/embed")
	if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors *") || resp.Header.Get("X-Frame-Options") != "" {
		t.Errorf("embed: %v", resp.Header)
	}
	resp, _ = get(t, srv.URL+"/api/v1/plans")
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("JSON without nosniff: %v", resp.Header)
	}
}

// TestRequestIDs: a plain client id is kept; anything else is replaced.
func TestRequestIDs(t *testing.T) {
	_, srv := newServer(t)
	id := regexp.MustCompile(`^[0-9a-f]{16}$`)
	for _, tc := range []struct{ sent, want string }{
		{"trace-42.a:b_c", "trace-42.a:b_c"},
		{"<script>alert(1)</script>", ""},
		{strings.Repeat("a", 50_000), ""},
		{"with space", ""},
		{strings.Repeat("b", 65), ""},
	} {
		resp, body := get(t, srv.URL+"/api/v1/units/999999", "X-Request-Id", tc.sent)
		got := resp.Header.Get("X-Request-Id")
		if tc.want != "" && got != tc.want || tc.want == "" && !id.MatchString(got) {
			t.Errorf("sent %.40q: got %.40q", tc.sent, got)
		}
		if !strings.Contains(string(body), `"request_id":"`+got+`"`) || strings.Contains(string(body), "<script>") {
			t.Errorf("sent %.40q: problem %s", tc.sent, body)
		}
	}
}

// TestReadyAtOnce: before the data is loaded /readyz answers 503 at once
// (with Retry-After), /healthz says loading, the API says 503.
func TestReadyAtOnce(t *testing.T) {
	st := testdb.Seeded(t, "chongqing-districts")
	live := readmodel.NewLive(st, time.Hour, quiet)
	srv := httptest.NewServer(api.New(api.Config{Data: live, Log: quiet}))
	defer srv.Close()
	start := time.Now()
	resp, _ := get(t, srv.URL+"/readyz")
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || time.Since(start) > time.Second {
		t.Errorf("readyz before load: %d in %v", resp.StatusCode, time.Since(start))
	}
	if resp, body := get(t, srv.URL+"/healthz"); resp.StatusCode != 200 || !strings.Contains(string(body), "loading") {
		t.Errorf("healthz before load: %d %s", resp.StatusCode, body)
	}
	if resp, _ := get(t, srv.URL+"/api/v1/plans"); resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("API before load: %d", resp.StatusCode)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	live.Start(ctx)
	if err := live.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	if resp, _ := get(t, srv.URL+"/readyz"); resp.StatusCode != 200 {
		t.Errorf("readyz after load: %d", resp.StatusCode)
	}
}

// TestPageWithoutAssets: a binary built without make assets serves a page
// that says how to build it.
func TestPageWithoutAssets(t *testing.T) {
	st := testdb.Seeded(t, "chongqing-districts")
	_, srv := serve(t, st, api.Config{Static: fstest.MapFS{"index.html": {Data: []byte("<!doctype html>")}}})
	resp, body := get(t, srv.URL+"/")
	if resp.StatusCode != 503 || !strings.Contains(string(body), "make build") || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src") {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
}

// TestForwardedProtoTrustedOnly: X-Forwarded-Proto changes the links
// only when a configured proxy sends it; answers whose links depend on
// the request name their origin in the ETag and vary with the header
// where a proxy may send it.
func TestForwardedProtoTrustedOnly(t *testing.T) {
	st := testdb.Seeded(t, "chongqing-districts")
	tileURL := func(srv *httptest.Server, hdr ...string) (string, *http.Response) {
		resp, b := get(t, srv.URL+"/tiles/chongqing-2023.json", hdr...)
		var tj struct{ Tiles []string }
		json.Unmarshal(b, &tj)
		if len(tj.Tiles) != 1 {
			t.Fatalf("TileJSON: %s", b)
		}
		return tj.Tiles[0], resp
	}
	_, open := serve(t, st, api.Config{})
	_, plainResp := tileURL(open)
	if u, resp := tileURL(open, "X-Forwarded-Proto", "https", "X-Forwarded-Ssl", "on"); !strings.HasPrefix(u, "http://") || resp.Header.Get("ETag") != plainResp.Header.Get("ETag") {
		t.Errorf("an untrusted client's X-Forwarded-Proto: %s, ETag %s (plain %s)", u, resp.Header.Get("ETag"), plainResp.Header.Get("ETag"))
	}
	if _, resp := tileURL(open, "Host", "other.example"); resp.Header.Get("ETag") == plainResp.Header.Get("ETag") {
		t.Errorf("another Host, the same ETag %s", resp.Header.Get("ETag"))
	}
	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	_, proxied := serve(t, st, api.Config{TrustedProxies: []*net.IPNet{loopback}})
	u, resp := tileURL(proxied, "X-Forwarded-Proto", "https")
	_, httpResp := tileURL(proxied)
	if !strings.HasPrefix(u, "https://") || !strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "X-Forwarded-Proto") ||
		resp.Header.Get("ETag") == httpResp.Header.Get("ETag") {
		t.Errorf("a trusted proxy's X-Forwarded-Proto: %s, Vary %v, ETag %s (http %s)", u, resp.Header.Values("Vary"), resp.Header.Get("ETag"), httpResp.Header.Get("ETag"))
	}
}
