package api_test

import (
	"bytes"
	"io/fs"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/indmap/indmap/api"
	"github.com/indmap/indmap/internal/testdb"
	"github.com/indmap/indmap/tiles/glyphs"
)

// glyphServer serves Chongqing with the fonts of fsys (nil: none) and
// keeps the server's log.
func glyphServer(t *testing.T, fsys fs.FS) (*httptest.Server, *bytes.Buffer) {
	t.Helper()
	st := testdb.Seeded(t, "chongqing-districts")
	var logs bytes.Buffer
	_, srv := serve(t, st, api.Config{Fonts: fsys, Log: slog.New(slog.NewTextHandler(&logs, nil))})
	return srv, &logs
}

// TestGlyphs: the style's glyph URLs answer real glyph PBFs, cached for
// long with an ETag; every well-formed range answers; a malformed one is
// a 404 that says how glyph URLs look.
func TestGlyphs(t *testing.T) {
	srv, logs := glyphServer(t, glyphs.Embedded())
	if !strings.Contains(logs.String(), "Noto Sans Regular") {
		t.Errorf("the log does not name the fonts: %s", logs.String())
	}
	var style struct{ Glyphs string }
	getJSON(t, srv.URL+"/styles/chongqing-2023.json", &style)
	if !strings.HasSuffix(style.Glyphs, "/fonts/{fontstack}/{range}.pbf") {
		t.Errorf("style glyphs %q", style.Glyphs)
	}
	for _, c := range []struct {
		path     string
		status   int
		minBytes int
		maxBytes int
	}{
		{"/fonts/Noto%20Sans%20Regular/0-255.pbf", 200, 20000, 200000},
		{"/fonts/Noto%20Sans%20Bold/0-255.pbf", 200, 20000, 200000},
		{"/fonts/Open%20Sans%20Regular,Arial%20Unicode%20MS%20Regular/256-511.pbf", 200, 20000, 300000},
		{"/fonts/Noto%20Sans%20Regular/19968-20223.pbf", 200, 10, 100},
		{"/fonts/Noto%20Sans%20Regular/0-256.pbf", 404, 0, 1000},
		{"/fonts/Noto%20Sans%20Regular/0-255", 404, 0, 1000},
	} {
		resp, body := get(t, srv.URL+c.path, "Accept-Encoding", "identity")
		if resp.StatusCode != c.status || len(body) < c.minBytes || len(body) > c.maxBytes {
			t.Errorf("%s: %d, %d bytes", c.path, resp.StatusCode, len(body))
			continue
		}
		if c.status != 200 {
			continue
		}
		etag := resp.Header.Get("ETag")
		if resp.Header.Get("Content-Type") != "application/x-protobuf" || !strings.Contains(resp.Header.Get("Cache-Control"), "max-age=2592000") ||
			etag == "" || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s: headers %v", c.path, resp.Header)
		}
		if resp, _ := get(t, srv.URL+c.path, "If-None-Match", etag); resp.StatusCode != 304 {
			t.Errorf("%s: If-None-Match gives %d", c.path, resp.StatusCode)
		}
	}
}

// TestGlyphsWithoutFonts: a binary built without fonts still answers
// every range (an empty glyph set) and says so in its log.
func TestGlyphsWithoutFonts(t *testing.T) {
	srv, logs := glyphServer(t, nil)
	if !strings.Contains(logs.String(), "no fonts in this binary") {
		t.Errorf("the log does not say the fonts are missing: %s", logs.String())
	}
	resp, body := get(t, srv.URL+"/fonts/Noto%20Sans%20Regular/0-255.pbf", "Accept-Encoding", "identity")
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte("Noto Sans Regular")) || !bytes.Contains(body, []byte("0-255")) || len(body) > 40 {
		t.Errorf("%d %q", resp.StatusCode, body)
	}
}
