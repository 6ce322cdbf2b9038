package api_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/indmap/indmap/api"
	"github.com/indmap/indmap/internal/testdb"
	"github.com/labstack/echo/v4"
)

// discardWriter is a ResponseWriter that keeps nothing: the cost of a
// cached tile's answer without the network's.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}

// BenchmarkCachedTile is one cached tile's answer through the whole
// handler (middleware, routing, headers), as wrk asks for it.
func BenchmarkCachedTile(b *testing.B) {
	h := newBenchServer(b, testdb.Seeded(b, "chongqing-districts"))
	req := httptest.NewRequest(http.MethodGet, "/tiles/chongqing-2023/8/206/105.mvt", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("%d %s", rec.Code, rec.Body)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := &discardWriter{h: http.Header{}}
		h.ServeHTTP(w, req)
	}
}

// TestCachedTileAnswer: a cached tile, answered before routing, carries
// the headers and bytes of its first (rendered) answer, and both are
// counted in /metrics under the tile route.
func TestCachedTileAnswer(t *testing.T) {
	_, srv := newServer(t)
	u := srv.URL + "/tiles/chongqing-2023/8/206/105.mvt"
	first, b1 := get(t, u, "Accept-Encoding", "gzip")
	second, b2 := get(t, u, "Accept-Encoding", "gzip")
	if first.StatusCode != 200 || second.StatusCode != 200 || !bytes.Equal(b1, b2) || len(b1) == 0 {
		t.Fatalf("%d %d, %d and %d bytes", first.StatusCode, second.StatusCode, len(b1), len(b2))
	}
	for _, h := range []http.Header{first.Header, second.Header} {
		h.Del("Date")
		h.Del("X-Request-Id")
	}
	if !reflect.DeepEqual(first.Header, second.Header) {
		t.Errorf("rendered answer's headers %v\ncached answer's %v", first.Header, second.Header)
	}
	// A client's own request id is kept on the fast path too.
	third, _ := get(t, u, "Accept-Encoding", "gzip", "X-Request-Id", "abc-123")
	if third.Header.Get("X-Request-Id") != "abc-123" {
		t.Errorf("X-Request-Id %q", third.Header.Get("X-Request-Id"))
	}
	_, metrics := get(t, srv.URL+"/metrics")
	if !strings.Contains(string(metrics), `indmap_http_requests_total{code="200",method="GET",route="/tiles/:plan/:z/:x/:y"} 3`) {
		t.Errorf("the three tile answers are not counted under their route:\n%s", grepLines(string(metrics), "tiles"))
	}
}

// TestEmptyTileAnswer: an empty tile (the sea, or land outside the plan;
// half of a map's tiles) is answered 204 before routing, with the
// headers Echo's route gives it, and counted under the tile route.
func TestEmptyTileAnswer(t *testing.T) {
	h := newBenchServer(t, testdb.Seeded(t, "chongqing-districts")).(*api.Handler)
	routed := 0
	h.Pre(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error { routed++; return next(c) }
	})
	do := func(path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for _, p := range []string{
		"/tiles/chongqing-2023/8/0/0.mvt",      // outside the plan
		"/tiles/chongqing-2023/10/811/428.mvt", // inside its box, no unit: rendered empty, then cached
	} {
		// ?industry= (none) is the same tile, routed by Echo.
		viaEcho := do(p + "?industry=")
		before := routed
		fast := do(p)
		if routed != before {
			t.Errorf("%s: the empty tile went through Echo", p)
		}
		if viaEcho.Code != 204 || fast.Code != 204 || fast.Body.Len() != 0 {
			t.Fatalf("%s: routed %d, fast %d with %d bytes", p, viaEcho.Code, fast.Code, fast.Body.Len())
		}
		for _, h := range []http.Header{viaEcho.Header(), fast.Header()} {
			h.Del("X-Request-Id")
		}
		if !reflect.DeepEqual(viaEcho.Header(), fast.Header()) {
			t.Errorf("%s: routed answer's headers %v\nfast answer's %v", p, viaEcho.Header(), fast.Header())
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	metrics := rec.Body.String()
	if !strings.Contains(metrics, `indmap_http_requests_total{code="204",method="GET",route="/tiles/:plan/:z/:x/:y"} 4`) {
		t.Errorf("the four empty tiles are not counted under their route:\n%s", grepLines(metrics, "tiles"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestCachedTilePaths: paths that are no tile are not answered as one by
// the cached path (a tile cached first).
func TestCachedTilePaths(t *testing.T) {
	_, srv := newServer(t)
	get(t, srv.URL+"/tiles/chongqing-2023/8/206/105.mvt", "Accept-Encoding", "gzip")
	for _, p := range []string{"/tiles/chongqing-2023/8/206/105.mvt/", "/tiles/chongqing-2023/8/206/105.mvt/x", "/tiles/chongqing-2023/8/206/105"} {
		if resp, _ := get(t, srv.URL+p, "Accept-Encoding", "gzip"); resp.StatusCode == 200 {
			t.Errorf("%s: 200", p)
		}
	}
	// An escape is no separator, on the cached path as on Echo's route
	// (which matches the raw path): whether a URL names a tile does not
	// depend on the cache or on Accept-Encoding.
	for _, p := range []string{"/tiles/chongqing-2023/8/206%2F105.mvt", "/tiles/%63hongqing-2023/8/206/105.mvt"} {
		if resp, _ := get(t, srv.URL+p, "Accept-Encoding", "gzip"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404 as Echo's route answers", p, resp.StatusCode)
		}
	}
	// ?v= with an industry after it is a thematic tile, never the cached
	// geometry tile of the same z/x/y.
	u := srv.URL + "/tiles/chongqing-2023/8/206/105.mvt"
	_, plain := get(t, u+"?v=x", "Accept-Encoding", "gzip")
	_, themed := get(t, u+"?v=x&industry=CQ-ICV", "Accept-Encoding", "gzip")
	if bytes.Equal(plain, themed) {
		t.Error("?v=x&industry=CQ-ICV answered the tile without the industry")
	}
}
