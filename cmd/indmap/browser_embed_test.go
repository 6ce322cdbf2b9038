package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// barePage is a page of another site using indmap only through
// MapLibre: head (scripts, styles) and the module script making window.m.
func barePage(base, head, script string) string {
	return fmt.Sprintf(`<!doctype html><title>bare</title><link rel="stylesheet" href="%[1]s/static/vendor/maplibre-gl.css">%[2]s
<div id="m" style="width:800px;height:600px"></div>
<script type="module">
import * as maplibregl from "%[1]s/static/vendor/maplibre-gl.mjs";
%[3]s
%[4]s
</script>`, base, head, script, bareTail)
}

// scriptTagPage is barePage for a site that loads MapLibre with a
// classic <script> tag (the UMD-style build, window.maplibregl).
func scriptTagPage(base, script string) string {
	return fmt.Sprintf(`<!doctype html><title>bare</title><link rel="stylesheet" href="%[1]s/static/vendor/maplibre-gl.css">
<div id="m" style="width:800px;height:600px"></div>
<script src="%[1]s/static/vendor/maplibre-gl.js"></script>
<script>
window.scriptTagGlobal = typeof maplibregl === "object" && typeof maplibregl.Map === "function";
%[2]s
%[3]s
</script>`, base, script, bareTail)
}

// bareTail reports a bare page's map ready or failed.
const bareTail = `m.on("error", (e) => { window.bareError = String(e.error && e.error.message); });
m.once("idle", () => { window.bareReady = true; });
window.m = m;`

// openBare opens a bare page and waits for its map.
func (b *browser) openBare(t *testing.T, u string) {
	t.Helper()
	b.run(t, chromedp.Navigate(u))
	b.wait(t, "the bare map", `window.bareReady || window.bareError`)
	if e := b.evalString(t, `window.bareError || ''`); e != "" {
		t.Fatalf("%s: %s", u, e)
	}
}

// TestBrowserEmbed: the map in another site's iframe (by industry
// name, and an unknown one), the embed dialog's live preview, the style
// in a bare MapLibre page, and the PMTiles export through the pmtiles
// protocol.
func TestBrowserEmbed(t *testing.T) {
	b := newBrowser(t)
	bin := binary(t)
	db := initDB(t)
	_, base, _ := startServer(t, bin, db)
	icv := url.QueryEscape("智能网联新能源汽车")

	// The PMTiles export, and the npm package's protocol, served by
	// another site with range requests.
	pm := filepath.Join(t.TempDir(), "cq.pmtiles")
	if code, out, errOut := cli(t, nil, "export", "pmtiles", "--db", db, "--plan", "chongqing-2023", "--maxzoom", "8", pm); code != 0 {
		t.Fatalf("export pmtiles: %d %s %s", code, out, errOut)
	}
	pmtilesJS := filepath.Join("..", "..", "node_modules", "pmtiles", "dist", "pmtiles.js")
	if _, err := os.Stat(pmtilesJS); err != nil {
		t.Fatalf("the pmtiles npm package is missing (make assets installs it): %v", err)
	}
	pages := map[string]string{
		"/iframe": fmt.Sprintf(`<!doctype html><title>host</title>
<script>addEventListener("message", (e) => { if (e.data && e.data.indmap === "ready") window.embedReady = e.data; });</script>
<iframe id="f" src="%s/embed?plan=chongqing-2023&industry=%s" width="800" height="600"></iframe>`, base, icv),
		"/style":      barePage(base, "", fmt.Sprintf(`const m = new maplibregl.Map({container: "m", style: "%s/styles/chongqing-2023.json?industry=CQ-ICV"});`, base)),
		"/script-tag": scriptTagPage(base, fmt.Sprintf(`const m = new maplibregl.Map({container: "m", style: "%s/styles/chongqing-2023.json?industry=CQ-ICV"});`, base)),
		"/pmtiles": barePage(base, `<script src="/pmtiles.js"></script>`, fmt.Sprintf(`
const protocol = new pmtiles.Protocol();
maplibregl.addProtocol("pmtiles", protocol.tile);
const m = new maplibregl.Map({container: "m", bounds: [[105.2, 28.1], [110.2, 32.3]], style: {version: 8,
  sources: {cq: {type: "vector", url: "pmtiles://" + location.origin + "/cq.pmtiles"}},
  layers: [{id: "bg", type: "background", paint: {"background-color": "#f5f5f4"}},
    {id: "units-fill", type: "fill", source: "cq", "source-layer": "units", paint: {"fill-color": "#c2410c", "fill-opacity": 0.82}},
    {id: "borders", type: "line", source: "cq", "source-layer": "borders", paint: {"line-color": "#57534e"}}]}});
`)),
	}
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/cq.pmtiles":
			http.ServeFile(w, r, pm) // answers Range requests
		case "/pmtiles.js":
			http.ServeFile(w, r, pmtilesJS)
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, pages[r.URL.Path])
		}
	}))
	defer other.Close()

	t.Run("iframe by industry name", func(t *testing.T) {
		b.run(t, chromedp.Navigate(other.URL+"/iframe"))
		b.wait(t, "the embedded map", `window.embedReady !== undefined`)
		var ready struct {
			Industry, UnknownIndustry string
			Features                  int
		}
		b.eval(t, `window.embedReady`, &ready)
		if ready.Industry != "CQ-ICV" || ready.UnknownIndustry != "" || ready.Features == 0 {
			t.Errorf("embedded by name: %+v", ready)
		}
		screenshot(t, b, "embed-iframe.png")
		// The same URL on its own: 璧山区 is drawn in the main role's colour.
		b.open(t, base+"/embed?plan=chongqing-2023&industry="+icv)
		b.settled(t, "indmap.map")
		img := screenshot(t, b, "embed-by-name.png")
		if s := b.drawnIn(t, img, "indmap.map", "500120", mainFill, 14); s < 0.8 {
			t.Errorf("/embed?industry=<name>: 璧山区 is in the main colour at %.0f%% of its points", s*100)
		}
		// An unknown industry says so inside the frame.
		b.open(t, base+"/embed?plan=chongqing-2023&industry="+url.QueryEscape("不存在的产业"))
		if n := b.evalString(t, `document.querySelector('#notice').hidden ? '' : document.querySelector('#notice').textContent`); !strings.Contains(n, "不存在的产业") {
			t.Errorf("unknown industry: notice %q", n)
		}
		screenshot(t, b, "embed-unknown.png")
		b.checkClean(t, "embed")
	})

	t.Run("embed dialog preview", func(t *testing.T) {
		b.open(t, base+"/?plan=chongqing-2023")
		b.click(t, "#embed-open")
		b.wait(t, "the preview", `(() => { const w = document.querySelector('#embed-preview').contentWindow; return w.indmap && w.indmap.ready; })()`)
		b.run(t, chromedp.SetValue("#embed-industry", "CQ-ICV", chromedp.ByQuery),
			chromedp.Evaluate(`document.querySelector('#embed-industry').dispatchEvent(new Event('change')) && true`, nil))
		b.wait(t, "the preview of the industry", `(() => { const w = document.querySelector('#embed-preview').contentWindow;
		  return w.location.search.includes('industry=CQ-ICV') && w.indmap && w.indmap.ready && w.indmap.state.industry === 'CQ-ICV'; })()`)
		if code := b.evalString(t, `document.querySelector('#embed-code').value`); !strings.Contains(code, "/embed?plan=chongqing-2023&amp;industry=CQ-ICV") {
			t.Errorf("iframe snippet: %s", code)
		}
		// Each field has a copy button: the text goes to the clipboard
		// (or, where the page may not write it, is selected to copy).
		b.click(t, `button[data-copy="embed-code"]`)
		b.wait(t, "copied", `document.querySelector('#copy-status').textContent === '已复制' || document.activeElement === document.querySelector('#embed-code')`)
		screenshot(t, b, "embed-dialog.png")
		b.checkClean(t, "embed dialog")
	})

	t.Run("small frame", func(t *testing.T) {
		// In a 600×450 frame the legend is folded to a button that covers
		// none of the coloured units, and unfolds on a click.
		b.run(t, chromedp.EmulateViewport(600, 450))
		defer b.run(t, chromedp.EmulateViewport(1280, 800))
		for _, q := range []string{"plan=chongqing-2023&industry=CQ-ICV", "plan=shandong-clusters"} {
			b.open(t, base+"/embed?"+q)
			b.settled(t, "indmap.map")
			if !b.evalBool(t, `document.querySelector('#side').classList.contains('collapsed')`) {
				t.Errorf("%s: the legend is not folded in a 600×450 frame", q)
			}
			var covered int
			b.eval(t, `(() => { const r = document.querySelector('#side').getBoundingClientRect(), m = indmap.map.getContainer().getBoundingClientRect();
			  return indmap.map.queryRenderedFeatures([[r.left - m.left, r.top - m.top], [r.right - m.left, r.bottom - m.top]], {layers: ['units-fill']}).length; })()`, &covered)
			if covered != 0 {
				t.Errorf("%s: the folded legend covers %d unit features", q, covered)
			}
			screenshot(t, b, "embed-600x450-"+strings.SplitN(strings.TrimPrefix(q, "plan="), "&", 2)[0]+".png")
			b.click(t, "#legend-toggle")
			b.wait(t, "the legend unfolded", `!document.querySelector('#side').classList.contains('collapsed') && document.querySelector('#legend .legend-rows') && document.querySelector('#legend .legend-rows').offsetHeight > 0`)
		}
		b.checkClean(t, "small frame")
	})

	t.Run("style in a bare MapLibre page", func(t *testing.T) {
		// Without a center or zoom of its own, the page opens where the
		// style says: on Chongqing, 璧山区 in the main role's colour as
		// the map page draws it (one style).
		b.openBare(t, other.URL+"/style")
		var view struct{ Lng, Lat, Zoom float64 }
		b.eval(t, `({Lng: m.getCenter().lng, Lat: m.getCenter().lat, Zoom: m.getZoom()})`, &view)
		if view.Lng < 105.2 || view.Lng > 110.2 || view.Lat < 28.1 || view.Lat > 32.3 || view.Zoom < 5 {
			t.Fatalf("the style opens at %+v, not on Chongqing: /styles/{plan}.json needs center and zoom", view)
		}
		b.settled(t, "m")
		img := screenshot(t, b, "bare-style.png")
		if s := b.drawnIn(t, img, "m", "500120", mainFill, 14); s < 0.8 {
			t.Errorf("style ?industry=CQ-ICV: 璧山区 in the main colour at %.0f%% of its points", s*100)
		}
		b.checkClean(t, "bare style")
	})

	t.Run("style with a script tag", func(t *testing.T) {
		// The same style through /static/vendor/maplibre-gl.js in a
		// classic <script>: window.maplibregl, its worker beside it.
		b.openBare(t, other.URL+"/script-tag")
		if !b.evalBool(t, `window.scriptTagGlobal`) {
			t.Fatal("maplibre-gl.js defines no window.maplibregl.Map")
		}
		b.settled(t, "m")
		// Every credit once: the boundaries', the plan's, GeoNames'.
		if a := b.evalString(t, `document.querySelector('.maplibregl-ctrl-attrib-inner').textContent`); strings.Count(a, "GeoNames") != 1 || !strings.Contains(a, "DataV") {
			t.Errorf("attribution: %q", a)
		}
		img := screenshot(t, b, "bare-script-tag.png")
		if s := b.drawnIn(t, img, "m", "500120", mainFill, 14); s < 0.8 {
			t.Errorf("<script> build: 璧山区 in the main colour at %.0f%% of its points", s*100)
		}
		b.checkClean(t, "script tag")
	})

	t.Run("PMTiles through the pmtiles protocol", func(t *testing.T) {
		b.openBare(t, other.URL+"/pmtiles")
		b.settled(t, "m")
		var n int
		b.eval(t, `m.queryRenderedFeatures({layers: ['units-fill']}).length`, &n)
		img := screenshot(t, b, "bare-pmtiles.png")
		if s := b.drawnIn(t, img, "m", "500120", mainFill, 14); n == 0 || s < 0.8 {
			t.Errorf("PMTiles: %d units rendered, 璧山区 drawn at %.0f%% of its points", n, s*100)
		}
		b.checkClean(t, "PMTiles")
	})
}
