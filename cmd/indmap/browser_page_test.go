package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The page's colours the tests read back from screenshots: the role of
// a unit for the chosen industry, at the fill opacity, over the
// background.
var (
	background = hexColour("#f5f5f4")
	mainFill   = over(hexColour("#c2410c"), 0.82, background)
)

// getJSON reads an API answer of the running server.
func getJSON(t *testing.T, u string, out any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body(t, u)), out); err != nil {
		t.Fatalf("%s: %v", u, err)
	}
}

type site struct {
	Rank       int        `json:"rank"`
	Code       string     `json:"code"`
	Name       string     `json:"name"`
	NameEn     string     `json:"name_en"`
	Role       string     `json:"role"`
	DistanceKm *float64   `json:"distance_km"`
	Label      [2]float64 `json:"label"`
}

func sitesOf(t *testing.T, base, query string) []site {
	var r struct{ Sites []site }
	getJSON(t, base+"/api/v1/plans/chongqing-2023/sites?"+query, &r)
	return r.Sites
}

// rankedCodes is the ranking's list as the page shows it, and
// rankedRanks the ranks it shows (tied sites share one).
const (
	rankedCodes = `[...document.querySelectorAll('#sites li.site')].map(li => li.dataset.code).join(',')`
	rankedRanks = `[...document.querySelectorAll('#sites li.site')].map(li => li.dataset.rank).join(',')`
)

// ranksOf joins the server's ranks as rankedRanks does.
func ranksOf(sites []site) string {
	var rs []string
	for _, s := range sites {
		rs = append(rs, fmt.Sprint(s.Rank))
	}
	return strings.Join(rs, ",")
}

// unitState is a unit's feature-state on the page's map ({} while the
// map has none, as when a new style is loading).
func unitState(code string) string {
	return fmt.Sprintf(`(() => { try { const u = indmap.state.theme.units.find(u => u.code === %q);
	  return indmap.map.getFeatureState({source: 'indmap', sourceLayer: 'units', id: u.id}); } catch { return {}; } })()`, code)
}

// typeInto replaces an input's text by typing.
func (b *browser) typeInto(t *testing.T, sel, text string) {
	t.Helper()
	b.eval(t, fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = ''; e.focus(); return true; })()`, sel), nil)
	b.run(t, chromedp.SendKeys(sel, text, chromedp.ByQuery))
}

// clickAt clicks the map at a longitude and latitude.
func (b *browser) clickAt(t *testing.T, lon, lat float64) {
	t.Helper()
	var pt [2]float64
	b.eval(t, fmt.Sprintf(`(() => { const r = indmap.map.getContainer().getBoundingClientRect(); const p = indmap.map.project([%f, %f]); return [r.left + p.x, r.top + p.y]; })()`, lon, lat), &pt)
	b.run(t, chromedp.MouseClickXY(pt[0], pt[1]))
}

// oneStyle checks that the page draws the server's style for its plan
// and language (/styles/{plan}.json) and nothing of its own: the same
// layers in the same order, each with the style's paint, layout and
// filter, but for what the page paints through feature-state over the
// style's own values (what a unit holds: "fill" and "clear") and the
// hatch's layer, shown once the first render is done. Every colour the
// page paints is one of the style's (its metadata's colour table).
func (b *browser) oneStyle(t *testing.T) {
	t.Helper()
	b.wait(t, "the hatch", `indmap.hatched > 0`)
	var r struct {
		Diffs   []string
		Layers  int
		Painted []string
	}
	b.eval(t, `(async () => {
	  const s = indmap.state;
	  const served = await (await fetch('/styles/' + encodeURIComponent(s.plan) + '.json' + (s.lang === 'en' ? '?lang=en' : ''))).json();
	  const page = indmap.map.getStyle();
	  const eq = (a, b) => JSON.stringify(a) === JSON.stringify(b);
	  const diffs = [];
	  const ids = (st) => st.layers.map((l) => l.id).join();
	  if (ids(page) !== ids(served)) diffs.push('layers ' + ids(page) + ', the style has ' + ids(served));
	  const fs = (k) => ['feature-state', k];
	  const own = {
	    'units-fill': {'fill-color': (v) => ['coalesce', fs('fill'), v], 'fill-opacity': (v) => ['case', ['boolean', fs('clear'), false], 0, v]},
	    zones: {'circle-color': (v) => ['coalesce', fs('fill'), v]},
	  };
	  const hatch = served.metadata['indmap:hatch'].layer;
	  for (const l of served.layers) {
	    const p = page.layers.find((x) => x.id === l.id);
	    if (!p) continue;
	    for (const kind of ['paint', 'layout']) {
	      const a = p[kind] || {}, b = l[kind] || {};
	      for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
	        let want = b[k];
	        if (kind === 'paint' && own[l.id] && own[l.id][k]) want = own[l.id][k](want);
	        if (kind === 'layout' && l.id === hatch && k === 'visibility') want = 'visible';
	        if (!eq(a[k], want)) diffs.push(l.id + ' ' + k + ': ' + JSON.stringify(a[k]) + ', the style has ' + JSON.stringify(want));
	      }
	    }
	    if (!eq(p.filter, l.filter) || !eq(p.source, l.source) || !eq(p['source-layer'], l['source-layer'])) diffs.push(l.id + ': another filter or source');
	  }
	  const table = JSON.stringify(served.metadata['indmap:colours']);
	  const painted = new Set();
	  for (const u of s.theme.units) {
	    const f = indmap.map.getFeatureState({source: 'indmap', sourceLayer: 'units', id: u.id}).fill;
	    if (f && !table.includes('"' + f + '"')) painted.add(f);
	  }
	  return {Diffs: diffs, Layers: served.layers.length, Painted: [...painted]};
	})()`, &r)
	if r.Layers == 0 || len(r.Diffs) > 0 {
		t.Errorf("the page's map is not the style's (%d layers): %s", r.Layers, strings.Join(r.Diffs, "; "))
	}
	if len(r.Painted) > 0 {
		t.Errorf("the page paints colours the style's table lacks: %v", r.Painted)
	}
}

// firstView checks Chongqing's first view: the coverage line from the
// server's own numbers (at base), 璧山区 (main industries of the first
// tier) in colour, the three zones' points in colour. It returns the
// screenshot it took.
func (b *browser) firstView(t *testing.T, base, shot string) image.Image {
	t.Helper()
	var plans struct {
		Plans []struct {
			ID            string
			Units         int
			AssignedUnits int `json:"assigned_units"`
		}
	}
	getJSON(t, base+"/api/v1/plans", &plans)
	want := ""
	for _, p := range plans.Plans {
		if p.ID == "chongqing-2023" {
			want = fmt.Sprintf("%d 个单元中 %d 个有公开的产业布局", p.Units, p.AssignedUnits)
		}
	}
	if got := b.evalString(t, `document.querySelector('#coverage').textContent`); got != want {
		t.Errorf("coverage line: %q, want %q", got, want)
	}
	b.settled(t, "indmap.map")
	img := screenshot(t, b, shot)
	if s := share(img, b.insidePoints(t, "indmap.map", "units-fill", "500120", 30), rgb.saturated); s < 0.8 {
		t.Errorf("璧山区 is not coloured on the first view (%.0f%% of its points)", s*100)
	}
	var zones []string
	b.eval(t, `[...new Set(indmap.map.queryRenderedFeatures({layers: ['zones']}).filter(f => f.state.fill).map(f => f.properties.code))].sort()`, &zones)
	if strings.Join(zones, ",") != "cq-gaoxin,cq-liangjiang,cq-wansheng" {
		t.Errorf("zones drawn with a colour: %v", zones)
	}
	return img
}

// TestBrowserPage: the investor's page as issue 13 asks for it.
func TestBrowserPage(t *testing.T) {
	b := newBrowser(t)
	bin := binary(t)
	db := initDB(t)
	_, base, _ := startServer(t, bin, db)

	t.Run("first view", func(t *testing.T) {
		// Cold, through a counting proxy: the first-load transfer and the
		// time to the first render with coloured units.
		proxy := newCounting(t, base)
		b.open(t, proxy.URL+"/?plan=chongqing-2023")
		b.wait(t, "the hatch", `indmap.hatched > 0`)
		if z := b.evalString(t, `document.querySelector('.maplibregl-ctrl-zoom-in').title`); z != "放大" {
			t.Errorf("the zoom-in button in Chinese: %q", z)
		}
		var times struct{ FirstRender, Hatched float64 }
		b.eval(t, `({FirstRender: indmap.firstRender, Hatched: indmap.hatched})`, &times)
		transfer, requests, lines := proxy.total()
		summary := fmt.Sprintf("first load: %d requests, %d bytes, first render (map idle, units coloured) at %.0f ms, hatched at %.0f ms",
			requests, transfer, times.FirstRender, times.Hatched)
		t.Log(summary)
		os.WriteFile(filepath.Join(artifacts(t), "first-load.txt"), []byte(summary+"\n"+strings.Join(lines, "\n")+"\n"), 0o644)

		img := b.firstView(t, base, "overview-desktop.png")
		if s := share(img, b.insidePoints(t, "indmap.map", "units-fill", "500229", 30), rgb.saturated); s > 0.2 {
			t.Errorf("城口县, without picks, is coloured like a unit with picks (%.0f%%)", s*100)
		}
		if got := b.evalString(t, `JSON.stringify(`+unitState("500229")+`)`); !strings.Contains(got, `"hatch":true`) {
			t.Errorf("城口县 is not hatched: %s", got)
		}
		// Industries no unit holds are marked in the picker.
		opt := b.evalString(t, `document.querySelector('#industry option[value="CQ-SAT"]').outerHTML`)
		if !strings.Contains(opt, "empty-industry") || !strings.Contains(opt, "暂无区县") {
			t.Errorf("an industry without units is not marked: %s", opt)
		}
		b.oneStyle(t)
		// Most units are named at first view (MapLibre's collision drops
		// the rest; hovering names them all).
		labelled := b.evalString(t, `String(new Set(indmap.map.queryRenderedFeatures({layers: ['labels']}).map(f => f.properties.code)).size)`)
		t.Logf("labelled at first view: %s of %d units", labelled, 41)
		if n, _ := strconv.Atoi(labelled); n < 34 {
			t.Errorf("%s of 41 units named at first view", labelled)
		}
		if over := b.labelsOverZoneDots(t); len(over) > 0 {
			t.Errorf("names over zones' dots at first view: %v", over)
		}
		if cut := b.labelsAtSides(t); len(cut) > 0 {
			t.Errorf("names cut at the map's sides at first view: %v", cut)
		}
		// Hovering names every unit drawn, labelled or not, with what it
		// holds.
		var units []struct{ Code, Name, Kind string }
		b.eval(t, `indmap.state.theme.units.map(u => ({Code: u.code, Name: u.name, Kind: u.kind}))`, &units)
		named := 0
		for _, u := range units {
			if u.Kind == "zone" {
				continue
			}
			// A point of the unit with no zone's dot over it (a dot names
			// its zone).
			var at *[2]float64
			for _, p := range b.pointsIn(t, "indmap.map", "units-fill", u.Code, 30) {
				if !b.evalBool(t, fmt.Sprintf(`(() => { const m = indmap.map.getContainer().getBoundingClientRect(), x = %f - m.left, y = %f - m.top;
				  return indmap.map.queryRenderedFeatures([[x - 3, y - 3], [x + 3, y + 3]], {layers: ['zones']}).length > 0; })()`, p[0], p[1])) {
					at = &p
					break
				}
			}
			if at == nil {
				t.Logf("%s: no point clear of labels and dots to hover", u.Name)
				continue
			}
			pts := [][2]float64{*at}
			b.run(t, chromedp.MouseEvent(input.MouseMoved, pts[0][0], pts[0][1]))
			b.wait(t, "the tooltip of "+u.Name, fmt.Sprintf(`(document.querySelector('.unit-tip')?.textContent || '').startsWith(%q)`, u.Name))
			named++
		}
		t.Logf("hovering named %d of %d units (zones aside)", named, len(units))
		if named < 35 {
			t.Errorf("hovering named %d units of %d", named, len(units))
		}
		bishan := b.insidePoints(t, "indmap.map", "units-fill", "500120", 1)
		b.run(t, chromedp.MouseEvent(input.MouseMoved, bishan[0][0], bishan[0][1]))
		b.wait(t, "璧山区's tooltip", `(document.querySelector('.unit-tip')?.textContent || '').startsWith('璧山区')`)
		if tip := b.evalString(t, `document.querySelector('.unit-tip').textContent`); !strings.Contains(tip, "主导产业: ") || !strings.Contains(tip, "智能网联新能源汽车") {
			t.Errorf("璧山区's tooltip: %q", tip)
		}
		b.checkClean(t, "first view")
		// Leave the proxy before it closes.
		b.open(t, base+"/?plan=chongqing-2023")
	})

	t.Run("unknown unit", func(t *testing.T) {
		// A link naming a unit that does not exist says so in the panel,
		// and nothing fails on the way.
		b.checkClean(t, "before")
		b.open(t, base+"/?plan=chongqing-2023&unit=999999")
		b.wait(t, "the panel's notice", `!document.querySelector('#panel').hidden && document.querySelector('#panel').textContent.includes('999999')`)
		b.settled(t, "indmap.map")
		// Back to the overview (the next steps start there); none of the
		// left page's requests comes after.
		b.open(t, base+"/?plan=chongqing-2023")
		// The API's 404 for it is the one failed request; no exception.
		for _, p := range b.drain() {
			if !strings.Contains(p, "HTTP 404") || !strings.Contains(p, "/api/v1/units/999999") {
				t.Errorf("a link to an unknown unit: %s", p)
			}
		}
		b.checkClean(t, "a link to an unknown unit")
	})

	t.Run("shared views", func(t *testing.T) {
		// A link with an industry, an origin and a view: the recipient
		// sees that view and the sender's ranking.
		b.open(t, base+"/?plan=chongqing-2023&industry=CQ-ICV&origin=106.74,29.63&center=106.5,29.6&z=8")
		b.wait(t, "the ranking from the link's origin", `[...document.querySelectorAll('#sites .reasons')].some(e => e.textContent.includes('直线'))`)
		want := sitesOf(t, base, "limit=100&industry=CQ-ICV&near=106.74,29.63")
		var codes []string
		for _, s := range want {
			codes = append(codes, s.Code)
		}
		if got := b.evalString(t, rankedCodes); got != strings.Join(codes, ",") {
			t.Errorf("a shared origin ranks %s, the server %s", got, strings.Join(codes, ","))
		}
		if got := b.evalString(t, rankedRanks); got != ranksOf(want) {
			t.Errorf("a shared origin's ranks %s, the server's %s", got, ranksOf(want))
		}
		var cam struct{ Lng, Lat, Z float64 }
		b.eval(t, `({Lng: indmap.map.getCenter().lng, Lat: indmap.map.getCenter().lat, Z: indmap.map.getZoom()})`, &cam)
		if math.Abs(cam.Lng-106.5) > 1e-3 || math.Abs(cam.Lat-29.6) > 1e-3 || math.Abs(cam.Z-8) > 0.01 {
			t.Errorf("the link's view 106.5,29.6 z8 opened at %+v", cam)
		}
		// The origin is drawn under the labels (the style's layer order).
		if !b.evalBool(t, `(() => { const ids = indmap.map.getStyle().layers.map(l => l.id);
		  const f = indmap.map.getSource('origin')._data?.features || indmap.map.getSource('origin').serialize().data.features;
		  return ids.indexOf('origin') >= 0 && ids.indexOf('origin') < ids.indexOf('labels') && f.length === 1 && f[0].geometry.coordinates[0] === 106.74; })()`) {
			t.Error("the link's origin is not drawn under the labels")
		}
		// Each choice is a history entry: Back and Forward walk them.
		before := b.evalString(t, `String(history.length)`)
		b.click(t, "#sites li.site button[data-unit]")
		b.wait(t, "the chosen unit", `indmap.state.unit !== ''`)
		unit := b.evalString(t, `indmap.state.unit`)
		if after := b.evalString(t, `String(history.length)`); after == before {
			t.Errorf("choosing a unit made no history entry (%s)", after)
		}
		if u := b.evalString(t, `location.search`); !strings.Contains(u, "unit="+unit) || !strings.Contains(u, "origin=") || !strings.Contains(u, "center=") || !strings.Contains(u, "&z=") {
			t.Errorf("the URL does not hold the view: %s", u)
		}
		b.eval(t, `history.back()`, nil)
		b.wait(t, "Back: no unit", `indmap.state.unit === '' && !location.search.includes('unit=')`)
		b.eval(t, `history.forward()`, nil)
		b.wait(t, "Forward: the unit again", fmt.Sprintf(`indmap.state.unit === %q`, unit))
		b.settled(t, "indmap.map")
		// A link's origin is named by its coordinates, not as a click.
		if c := b.evalString(t, `document.querySelector('#criteria').textContent`); !strings.Contains(c, "位置 29.6300, 106.7400") || strings.Contains(c, "点击") {
			t.Errorf("a link's origin in the criteria: %s", c)
		}
		b.checkClean(t, "shared views")

		// Back from a searched place: the plan's whole extent again, as
		// first opened; Forward: the place by its name, not its
		// coordinates.
		b.open(t, base+"/?plan=chongqing-2023&industry=CQ-ICV")
		b.settled(t, "indmap.map")
		z0 := b.evalString(t, `indmap.map.getZoom().toFixed(2)`)
		b.typeInto(t, "#search", "鱼嘴")
		b.wait(t, "the town", `[...document.querySelectorAll('#search-results li')].some(li => li.textContent.startsWith('鱼嘴镇'))`)
		b.run(t, chromedp.SendKeys("#search", kb.Enter, chromedp.ByQuery))
		b.wait(t, "the town as origin", `indmap.state.origin?.place === '鱼嘴镇'`)
		b.settled(t, "indmap.map")
		b.eval(t, `history.back()`, nil)
		b.wait(t, "Back: no origin, the whole plan", fmt.Sprintf(`!indmap.state.origin && indmap.map.getZoom().toFixed(2) === %q`, z0))
		b.eval(t, `history.forward()`, nil)
		b.wait(t, "Forward: the town by name", `indmap.state.origin?.place === '鱼嘴镇' && document.querySelector('#criteria').textContent.includes('鱼嘴镇')`)
		// Another plan's result is one choice: one history entry.
		before = b.evalString(t, `String(history.length)`)
		b.typeInto(t, "#search", "潍坊市")
		b.wait(t, "潍坊市 in Shandong", `[...document.querySelectorAll('#search-results li')].some(li => li.textContent.startsWith('潍坊市'))`)
		b.run(t, chromedp.SendKeys("#search", kb.Enter, chromedp.ByQuery))
		b.wait(t, "Shandong's 潍坊市", `indmap.state.plan === 'shandong-clusters' && indmap.state.unit === '370700'`)
		b.settled(t, "indmap.map")
		if after := b.evalString(t, `String(history.length)`); after != fmt.Sprint(atoi(t, before)+1) {
			t.Errorf("another plan's result made %s history entries from %s, want one", after, before)
		}
		b.checkClean(t, "history")

		// An official source is marked (綦江区's picks, from its
		// government's site).
		b.open(t, base+"/?plan=chongqing-2023&unit=500110")
		b.wait(t, "綦江区's panel", `document.querySelector('#panel .source')`)
		if p := b.evalString(t, `document.querySelector('#panel').textContent`); !strings.Contains(p, "綦江区人民政府 2026-01-22 官方") {
			t.Errorf("綦江区's sources: %.500s", p)
		}

		// A link naming a unit and no view frames the unit.
		var u struct {
			Properties struct{ Label [2]float64 }
		}
		getJSON(t, base+"/api/v1/units/500120", &u)
		b.open(t, base+"/?plan=chongqing-2023&unit=500120")
		b.wait(t, "璧山区 framed", fmt.Sprintf(`indmap.ready && indmap.map.getZoom() > 8 && indmap.map.getBounds().contains([%f, %f])`, u.Properties.Label[0], u.Properties.Label[1]))
		b.settled(t, "indmap.map")
		b.checkClean(t, "a link to a unit")

		// An unknown plan is said so, not silently replaced.
		b.open(t, base+"/?plan=no-such-plan")
		b.wait(t, "the notice", `!document.querySelector('#notice').hidden && document.querySelector('#notice').textContent.includes('no-such-plan')`)
		b.settled(t, "indmap.map")
		for _, p := range b.drain() {
			if !strings.Contains(p, "HTTP 404") || !strings.Contains(p, "no-such-plan") {
				t.Errorf("a link to an unknown plan: %s", p)
			}
		}
		b.open(t, base+"/?plan=chongqing-2023")
	})

	t.Run("ranking", func(t *testing.T) {
		b.run(t, chromedp.SetValue("#industry", "CQ-ICV", chromedp.ByQuery),
			chromedp.Evaluate(`document.querySelector('#industry').dispatchEvent(new Event('change', {bubbles: true}))`, nil))
		b.wait(t, "the ranking", `document.querySelectorAll('#sites li.site').length > 0`)
		if u := b.evalString(t, `location.search`); !strings.Contains(u, "industry=CQ-ICV") {
			t.Errorf("the URL keeps no industry: %s", u)
		}
		// Without an origin: the server's stable order, main holders
		// first, no distance, the criteria stated.
		api := sitesOf(t, base, "industry=CQ-ICV")
		var codes []string
		mains := 0
		for _, s := range api {
			codes = append(codes, s.Code)
			if s.Role == "main" {
				mains++
			}
		}
		got := b.evalString(t, rankedCodes)
		if got != strings.Join(codes, ",") {
			t.Errorf("ranking without an origin:\n got %s\nwant %s", got, strings.Join(codes, ","))
		}
		// Every row says why; ties are shown as the server ranks them.
		if ranks := b.evalString(t, rankedRanks); ranks != ranksOf(api) {
			t.Errorf("ranks without an origin: %s, the server's %s", ranks, ranksOf(api))
		}
		// Sources name their publisher where known, the date their address
		// carries, official sites marked.
		if txt := b.evalString(t, `document.querySelector('#sites').textContent`); !strings.Contains(txt, "新华网 2025-12-25") {
			t.Errorf("the ranking's sources: %.600s", txt)
		}
		var why []string
		b.eval(t, `[...document.querySelectorAll('#sites li.site')].map(li => li.querySelector('.reasons')?.textContent || '')`, &why)
		for i, w := range why {
			if !regexp.MustCompile(`^(主导产业|特色产业) · (\d+ 个相邻单元也有|相邻单元均无)$`).MatchString(w) {
				t.Errorf("row %d reasons %q", i+1, w)
			}
		}
		var roles []string
		b.eval(t, `[...document.querySelectorAll('#sites li.site .role')].map(e => e.className)`, &roles)
		for i, r := range roles {
			if (i < mains) != strings.Contains(r, "role-main") {
				t.Errorf("row %d: %s; the %d main holders come first", i+1, r, mains)
			}
		}
		if txt := b.evalString(t, `document.querySelector('#sites').textContent`); strings.Contains(txt, "公里") || !strings.Contains(txt, "主导产业在前") {
			t.Errorf("ranking without an origin shows distances or no criteria: %.300s", txt)
		}
		// Ties are said in words above the list, not only in a tooltip.
		ranks := strings.Split(b.evalString(t, rankedRanks), ",")
		tiedRanks := len(ranks) != len(slices.Compact(slices.Clone(ranks)))
		if c := b.evalString(t, `document.querySelector('#criteria').textContent`); tiedRanks != strings.Contains(c, "并列") {
			t.Errorf("ranks %v (tied %v), criteria %q", ranks, tiedRanks, c)
		}
		// Stable across a language switch.
		b.click(t, "#lang")
		b.wait(t, "English", `document.querySelector('#criteria') && document.querySelector('#criteria').textContent.startsWith('Ranked by role')`)
		if again := b.evalString(t, rankedCodes); again != got {
			t.Errorf("the order moved with the language: %s", again)
		}
		b.click(t, "#lang")
		b.wait(t, "Chinese", `document.querySelector('#criteria').textContent.startsWith('排序')`)

		// An origin clicked on the map at (106.74, 29.63): the nearest
		// main holder comes first, distances in whole km.
		b.clickAt(t, 106.74, 29.63)
		b.wait(t, "distances", `[...document.querySelectorAll('#sites .reasons')].some(e => e.textContent.includes('直线'))`)
		near := sitesOf(t, base, "industry=CQ-ICV&near=106.74,29.63")
		nearest := ""
		best := 1e9
		for _, s := range near {
			if s.Role == "main" && s.DistanceKm != nil && *s.DistanceKm < best {
				best, nearest = *s.DistanceKm, s.Code
			}
		}
		if first := strings.Split(b.evalString(t, rankedCodes), ",")[0]; first != nearest {
			t.Errorf("with an origin the first is %s, the nearest main holder is %s", first, nearest)
		}
		var dists []string
		b.eval(t, `[...document.querySelectorAll('#sites .reasons')].map(e => e.textContent.split(' · ').pop())`, &dists)
		whole := regexp.MustCompile(`^(直线 \d+ 公里|起点在此单元内)$`)
		for _, d := range dists {
			if !whole.MatchString(d) {
				t.Errorf("distance %q is not a straight line in whole km", d)
			}
		}
		if ranks := b.evalString(t, rankedRanks); ranks != ranksOf(near) {
			t.Errorf("ranks from the origin: %s, the server's %s", ranks, ranksOf(near))
		}
		if txt := b.evalString(t, `document.querySelector('#criteria').textContent`); !strings.Contains(txt, "距离") {
			t.Errorf("criteria do not mention the distance: %s", txt)
		}
		screenshot(t, b, "ranking-origin.png")
		b.checkClean(t, "ranking")
	})

	t.Run("export view", func(t *testing.T) {
		// The view as an image: the map as drawn between a header and a
		// legend, the main holders in their colour.
		b.open(t, base+"/?plan=chongqing-2023&industry=CQ-ICV")
		b.settled(t, "indmap.map")
		// 璧山区's colour as the page draws it (a main holder).
		pt := b.insidePoints(t, "indmap.map", "units-fill", "500120", 1)[0]
		fr, fg, fb, _ := screenshot(t, b, "").At(int(pt[0]), int(pt[1])).RGBA()
		b.click(t, "#export-png")
		b.wait(t, "the exported image", `!!indmap.exported`)
		var ex struct {
			Width, Height int
			PNG           string
		}
		b.eval(t, `indmap.exported`, &ex)
		raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(ex.PNG, "data:image/png;base64,"))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("the export is no PNG: %v", err)
		}
		var canvas struct{ W, H float64 }
		b.eval(t, `({W: indmap.map.getCanvas().width, H: indmap.map.getCanvas().height})`, &canvas)
		if img.Bounds().Dx() != int(canvas.W) || img.Bounds().Dy() <= int(canvas.H)+60 {
			t.Errorf("export %v for a map canvas %vx%v: no room for title and legend", img.Bounds(), canvas.W, canvas.H)
		}
		main, dark := 0, 0
		for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
			for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
				r, g, bl, _ := img.At(x, y).RGBA()
				if near(r>>8, fr>>8) && near(g>>8, fg>>8) && near(bl>>8, fb>>8) {
					main++
				}
				if y < 40 && r>>8 < 80 && g>>8 < 80 && bl>>8 < 80 {
					dark++
				}
			}
		}
		if main < 2000 || dark < 50 {
			t.Errorf("the export holds %d px of the main colour and %d dark px of title", main, dark)
		}
		os.WriteFile(filepath.Join(artifacts(t), "export-view.png"), raw, 0o644)
		b.checkClean(t, "export view")
	})

	t.Run("search", func(t *testing.T) {
		for _, q := range []string{"璧山", "bishan", "Bishan District"} {
			b.typeInto(t, "#search", q)
			b.wait(t, "results for "+q, `[...document.querySelectorAll('#search-results li')].some(li => li.textContent.includes('璧山区'))`)
		}
		// Enter takes the first: 璧山区 is selected and is the origin.
		b.run(t, chromedp.SendKeys("#search", kb.Enter, chromedp.ByQuery))
		b.wait(t, "璧山区's panel", `document.querySelector('#panel h2') && document.querySelector('#panel h2').textContent.startsWith('璧山区')`)
		b.wait(t, "the origin", `document.querySelector('#criteria').textContent.includes('与璧山区的直线距离')`)
		if first := strings.Split(b.evalString(t, rankedCodes), ",")[0]; first != "500120" {
			t.Errorf("from 璧山区 the first site is %s", first)
		}
		// Coordinates typed: the point is the origin, the ranking stays in
		// view (no unit's panel opens over it).
		b.click(t, "#panel .close")
		b.typeInto(t, "#search", "29.6,106.5")
		b.wait(t, "the place", `[...document.querySelectorAll('#search-results li')].some(li => li.textContent.startsWith('29.6, 106.5'))`)
		b.run(t, chromedp.SendKeys("#search", kb.Enter, chromedp.ByQuery))
		b.wait(t, "the typed origin", `JSON.stringify(indmap.state.origin?.lngLat) === '[106.5,29.6]' && document.querySelector('#criteria').textContent.includes('29.6, 106.5')`)
		if b.evalBool(t, `!document.querySelector('#panel').hidden || indmap.state.unit !== ''`) {
			t.Error("a typed place opened a unit's panel over the ranking")
		}
		var fromPlace []string
		for _, s := range sitesOf(t, base, "limit=100&industry=CQ-ICV&near=106.5,29.6") {
			fromPlace = append(fromPlace, s.Code)
		}
		b.wait(t, "the ranking from the place", fmt.Sprintf(`%s === %q`, rankedCodes, strings.Join(fromPlace, ",")))
		// A town by name (GeoNames): the same, named in the criteria,
		// credited in the result.
		if !b.evalBool(t, `!!document.querySelector('#legend .mark-zone') && document.querySelector('#legend .mark-place').textContent.includes('GeoNames') && document.querySelector('#legend .mark-river').textContent.includes('GSHHG')`) {
			t.Error("Chongqing's legend does not explain the zones' and places' dots and the rivers")
		}
		// An airport by the name people say, credited to OurAirports.
		b.typeInto(t, "#search", "江北机场")
		b.wait(t, "the airport", `[...document.querySelectorAll('#search-results li')].some(li => li.textContent.startsWith('重庆江北国际机场') && li.textContent.includes('机场') && li.textContent.includes('OurAirports'))`)
		b.typeInto(t, "#search", "鱼嘴")
		b.wait(t, "the town", `[...document.querySelectorAll('#search-results li')].some(li => li.textContent.startsWith('鱼嘴镇') && li.textContent.includes('乡镇') && li.textContent.includes('GeoNames'))`)
		screenshot(t, b, "search-place.png")
		b.run(t, chromedp.SendKeys("#search", kb.Enter, chromedp.ByQuery))
		b.wait(t, "the town as origin", `indmap.state.origin?.place === '鱼嘴镇' && document.querySelector('#criteria').textContent.includes('鱼嘴镇')`)
		if b.evalBool(t, `!document.querySelector('#panel').hidden || indmap.state.unit !== ''`) {
			t.Error("a town found opened a unit's panel over the ranking")
		}
		// Closer in, the towns around it are drawn (the tiles' places
		// layer) and their names yield to the units'.
		b.eval(t, `(indmap.map.jumpTo({center: [106.77, 29.62], zoom: 10.5}), true)`, nil)
		b.wait(t, "places drawn", `indmap.map.loaded() && indmap.map.queryRenderedFeatures({layers: ['places-labels']}).some(f => f.properties.name === '鱼嘴镇')`)
		screenshot(t, b, "places.png")
		screenshot(t, b, "places.png")
		b.typeInto(t, "#search", "zzqqx")
		b.wait(t, "no-match feedback", `!document.querySelector('#search-status').hidden && document.querySelector('#search-status').textContent.includes('zzqqx')`)
		screenshot(t, b, "search-nomatch.png")
		// An abolished unit says so (issue 12).
		b.open(t, base+"/?plan=chongqing-2023&unit=500105")
		b.wait(t, "江北区's panel", `document.querySelector('#panel .abolished')`)
		if txt := b.evalString(t, `document.querySelector('#panel .abolished').textContent`); txt != "已于 2026-01-25 撤销；现属两江新区" {
			t.Errorf("abolished unit: %q", txt)
		}
		b.checkClean(t, "search")
	})

	t.Run("matrix", func(t *testing.T) {
		b.open(t, base+"/?plan=chongqing-2023&view=matrix")
		b.wait(t, "the matrix", `document.querySelectorAll('#matrix tbody tr').length > 0`)
		var n struct{ Rows, Tiers, Cols int }
		b.eval(t, `({Rows: document.querySelectorAll('#matrix tbody tr').length, Tiers: document.querySelectorAll('#matrix th.tier').length,
		  Cols: document.querySelectorAll('#matrix th.ind').length})`, &n)
		if n.Rows != 41 || n.Tiers != 4 || n.Cols != 30 {
			t.Errorf("matrix: %+v, want 41 units, 4 tiers, 30 industries", n)
		}
		row := b.evalString(t, `[...document.querySelectorAll('#matrix tbody tr')].find(tr => tr.querySelector('th').textContent === '璧山区').textContent`)
		if strings.Count(row, "主") != 2 {
			t.Errorf("璧山区's row: %q", row)
		}
		// A column shows its industry on the map; a row its unit.
		b.click(t, `#matrix button[data-industry="CQ-ADM"]`)
		b.wait(t, "先进材料 on the map", `location.search.includes('industry=CQ-ADM') && `+unitState("500101")+`.fill === '#c2410c'`)
		b.click(t, `#matrix button[data-unit="500120"]`)
		b.wait(t, "璧山区 selected", `location.search.includes('unit=500120') && `+unitState("500120")+`.selected === true`)
		csv := b.evalString(t, `import('/static/js/matrix.js').then(m => m.csv())`)
		lines := strings.Split(strings.TrimSpace(csv), "\r\n")
		if len(lines) != 42 || !strings.HasPrefix(lines[0], "\ufeffunit_code,unit_name,unit_name_en,") {
			t.Errorf("matrix CSV: %d lines, header %q", len(lines), lines[0])
		}
		for _, l := range lines {
			if strings.HasPrefix(l, "500120,") && strings.Count(l, "主导产业") != 2 {
				t.Errorf("璧山区 in the CSV: %s", l)
			}
		}
		screenshot(t, b, "matrix.png")
		b.checkClean(t, "matrix")
	})

	t.Run("English", func(t *testing.T) {
		// The English first view names most units too, and colours the
		// same units as the Chinese one.
		b.open(t, base+"/?plan=chongqing-2023&lang=en")
		b.settled(t, "indmap.map")
		labelled := b.evalString(t, `String(new Set(indmap.map.queryRenderedFeatures({layers: ['labels']}).map(f => f.properties.code)).size)`)
		t.Logf("labelled at the English first view: %s of 41 units", labelled)
		if n, _ := strconv.Atoi(labelled); n < 33 {
			t.Errorf("%s of 41 units named at the English first view", labelled)
		}
		// 璧山区, a main holder of the first industries, is among them.
		if b.evalString(t, `String(indmap.map.queryRenderedFeatures({layers: ['labels']}).some(f => f.properties.code === '500120'))`) != "true" {
			t.Error("璧山区 has no label at the English first view")
		}
		b.open(t, base+"/?plan=chongqing-2023&industry=CQ-ICV&lang=en")
		b.wait(t, "the English ranking", `document.querySelectorAll('#sites li.site').length > 0`)
		texts := b.evalString(t, `[document.querySelector('#plan').selectedOptions[0].textContent, document.querySelector('#legend').textContent, document.querySelector('#sites').textContent].join(' | ')`)
		for _, want := range []string{"Chongqing 2023 industry map", "Intelligent connected new-energy vehicles", "Bishan District", "Main", "Neighbours holding it: Shapingba District"} {
			if !strings.Contains(texts, want) {
				t.Errorf("English page lacks %q: %.400s", want, texts)
			}
		}
		// A list naming the 高新区 zone, whose English name has a comma of
		// its own, is split by semicolons.
		for _, l := range strings.Split(b.evalString(t, `[...document.querySelectorAll('#sites .muted')].map(e => e.textContent).join('\n')`), "\n") {
			if strings.Contains(l, "Western China Science City") && strings.Contains(l, "District, ") {
				t.Errorf("a list with the 高新区 zone split by commas: %q", l)
			}
		}
		if regexp.MustCompile(`[\p{Han}]{2,}区`).MatchString(b.evalString(t, `[...document.querySelectorAll('#sites .site-name')].map(e => e.textContent).join()`)) {
			t.Error("the English ranking names units in Chinese")
		}
		// Details read in English, titled as indmap's translation: 合川区's
		// 零部件.
		if d := b.evalString(t, `(() => { const e = document.querySelector('#sites li[data-code="500117"] .detail-text'); return e ? e.textContent + '|' + e.title : ''; })()`); !strings.HasPrefix(d, "Parts and components|indmap's translation") {
			t.Errorf("合川区's detail in the English ranking: %q", d)
		}
		// Hovering 合川区 (two main picks, three special) lists both
		// roles with the English separator, not the full-width "；".
		b.settled(t, "indmap.map")
		hechuan := b.insidePoints(t, "indmap.map", "units-fill", "500117", 1)
		b.run(t, chromedp.MouseEvent(input.MouseMoved, hechuan[0][0], hechuan[0][1]))
		b.wait(t, "合川区's English tooltip", `(document.querySelector('.unit-tip')?.textContent || '').startsWith('Hechuan District')`)
		if tip := b.evalString(t, `document.querySelector('.unit-tip').textContent`); !strings.Contains(tip, "; Special: ") || strings.Contains(tip, "；") {
			t.Errorf("合川区's English tooltip: %q", tip)
		}
		if han := b.evalString(t, `[...document.querySelectorAll('#sites .detail-text')].filter(e => /\p{Script=Han}/u.test(e.textContent)).map(e => e.textContent).join(' / ')`); han != "" {
			t.Errorf("details in Chinese in the English ranking: %s", han)
		}
		// MapLibre's own controls speak the page's language.
		if z := b.evalString(t, `document.querySelector('.maplibregl-ctrl-zoom-in').title + '|' + document.querySelector('.maplibregl-ctrl-zoom-out').getAttribute('aria-label')`); z != "Zoom in|Zoom out" {
			t.Errorf("the zoom buttons in English: %q", z)
		}
		// Map labels in Latin script are drawn: the labels' pixels differ
		// from the same view without them, and the text is English.
		b.settled(t, "indmap.map")
		b.oneStyle(t)
		// The labels are the style's in English: they read the tiles'
		// name_en, which 璧山区's label point carries.
		field := b.evalString(t, `JSON.stringify(indmap.map.getLayoutProperty('labels', 'text-field'))`)
		bishan := b.evalString(t, `[...new Set(indmap.map.querySourceFeatures('indmap', {sourceLayer: 'labels'}).filter(f => f.properties.code === '500120').map(f => f.properties.name_en))].join()`)
		if !strings.Contains(field, "name_en") || bishan != "Bishan District" {
			t.Errorf("labels are not English: %.200s; 璧山区's label reads %q", field, bishan)
		}
		var pts [][2]float64
		b.eval(t, `(() => { const r = indmap.map.getContainer().getBoundingClientRect();
		  return indmap.map.queryRenderedFeatures({layers: ['labels']}).slice(0, 8).map(f => { const p = indmap.map.project(f.geometry.coordinates); return [r.left + p.x, r.top + p.y]; }); })()`, &pts)
		with := screenshot(t, b, "english.png")
		b.eval(t, `indmap.map.setLayoutProperty('labels', 'visibility', 'none') && true`, nil)
		b.settled(t, "indmap.map")
		without := screenshot(t, b, "")
		b.eval(t, `indmap.map.setLayoutProperty('labels', 'visibility', 'visible') && true`, nil)
		changed := 0
		for _, pt := range pts {
			for y := pt[1] - 12; y <= pt[1]+12; y++ {
				for x := pt[0] - 40; x <= pt[0]+40; x++ {
					if !pixel(with, x, y).near(pixel(without, x, y), 10) {
						changed++
					}
				}
			}
		}
		if len(pts) == 0 || changed < 100*len(pts) {
			t.Errorf("%d English labels change %d pixels: not drawn", len(pts), changed)
		}
		fonts := false
		for _, u := range b.fetchedURLs() {
			fonts = fonts || strings.Contains(u, "/fonts/Noto%20Sans%20Regular/0-255.pbf")
		}
		if !fonts {
			t.Error("no Latin glyphs were fetched")
		}
		// A zone's panel gives its note in English: the data's note is
		// English naming places in Chinese.
		b.open(t, base+"/?plan=chongqing-2023&unit=cq-gaoxin&lang=en")
		b.wait(t, "高新区's English note", `!!document.querySelector('#panel .zone-note')`)
		if note := b.evalString(t, `document.querySelector('#panel .zone-note').textContent`); !strings.HasPrefix(note, "National high-tech zone: its directly administered park lies in Shapingba") || strings.ContainsAny(note, "沙坪坝直管园") {
			t.Errorf("高新区's note in English: %q", note)
		}
		b.checkClean(t, "English")
	})

	t.Run("phone", func(t *testing.T) {
		b.run(t, chromedp.EmulateViewport(375, 812))
		defer b.run(t, chromedp.EmulateViewport(1280, 800))
		b.open(t, base+"/?plan=chongqing-2023&industry=CQ-ICV")
		var m struct{ Header, Map, Screen, Attrib float64 }
		var attrib string
		b.eval(t, `({Header: document.querySelector('#bar').getBoundingClientRect().height, Map: document.querySelector('#map').getBoundingClientRect().height,
		  Screen: innerHeight, Attrib: document.querySelector('.maplibregl-ctrl-attrib').getBoundingClientRect().height})`, &m)
		b.eval(t, `document.querySelector('.maplibregl-ctrl-attrib').className`, &attrib)
		if m.Header > 56 || m.Map < 0.7*m.Screen {
			t.Errorf("375 px: header %.0f px (≤ 56), map %.0f of %.0f px (≥ 70 %%)", m.Header, m.Map, m.Screen)
		}
		if strings.Contains(attrib, "compact-show") || m.Attrib > 32 {
			t.Errorf("the attribution is open on a phone: %s, %.0f px", attrib, m.Attrib)
		}
		// Most units are named on a phone too, in both languages: below
		// tiles.FullNameZoom by their short names (沙坪坝, Shapingba).
		b.settled(t, "indmap.map")
		countLabels := `String(new Set(indmap.map.queryRenderedFeatures({layers: ['labels']}).map(f => f.properties.code)).size)`
		zh := b.evalString(t, countLabels)
		if over := b.labelsOverZoneDots(t); len(over) > 0 {
			t.Errorf("names over zones' dots on a phone: %v", over)
		}
		screenshot(t, b, "phone-375.png")
		b.open(t, base+"/?plan=chongqing-2023&industry=CQ-ICV&lang=en")
		b.settled(t, "indmap.map")
		en := b.evalString(t, countLabels)
		if over := b.labelsOverZoneDots(t); len(over) > 0 {
			t.Errorf("names over zones' dots on a phone in English: %v", over)
		}
		// No name runs off the map's sides ("ongchuan" did): the first view
		// leaves them room.
		if cut := b.labelsAtSides(t); len(cut) > 0 {
			t.Errorf("names cut at the map's sides on a phone: %v", cut)
		}
		screenshot(t, b, "phone-375-en.png")
		t.Logf("labelled at the phone's first view: %s of 41 units in Chinese, %s in English (zoom %s)", zh, en, b.evalString(t, `indmap.map.getZoom().toFixed(2)`))
		for _, c := range []struct{ lang, n string }{{"Chinese", zh}, {"English", en}} {
			if n, _ := strconv.Atoi(c.n); n < 28 && c.lang == "Chinese" || n < 24 {
				t.Errorf("%s of 41 units named at the phone's first view in %s", c.n, c.lang)
			}
		}
		// Shandong's cities are named under its circles' names.
		for _, lang := range []string{"zh", "en"} {
			b.open(t, base+"/?plan=shandong-clusters&lang="+lang)
			b.settled(t, "indmap.map")
			b.wait(t, "the circles' names", `!!indmap.map.getLayer('regions-label') && indmap.map.queryRenderedFeatures({layers: ['regions-label']}).length === 3`)
			n := b.evalString(t, countLabels)
			t.Logf("labelled at Shandong's phone view (%s): %s of 16 cities", lang, n)
			if cut := b.labelsAtSides(t); len(cut) > 0 {
				t.Errorf("Shandong on a phone (%s): names cut at the map's sides: %v", lang, cut)
			}
			if atoi(t, n) < map[string]int{"zh": 15, "en": 10}[lang] {
				t.Errorf("Shandong on a phone (%s): %s of 16 cities named", lang, n)
			}
			screenshot(t, b, "phone-375-shandong-"+lang+".png")
		}
		b.open(t, base+"/?plan=chongqing-2023&industry=CQ-ICV")
		// A district tapped (on its name, if it has one here) opens the
		// bottom sheet with its details.
		b.settled(t, "indmap.map")
		var pts [][2]float64
		b.eval(t, `(() => { const r = indmap.map.getContainer().getBoundingClientRect();
		  return indmap.map.queryRenderedFeatures({layers: ['labels']}).filter(f => f.properties.code === '500120').map(f => { const p = indmap.map.project(f.geometry.coordinates); return [r.left + p.x, r.top + p.y]; }); })()`, &pts)
		if len(pts) == 0 {
			pts = b.insidePoints(t, "indmap.map", "units-fill", "500120", 1)
		}
		b.run(t, chromedp.MouseClickXY(pts[0][0], pts[0][1]))
		b.wait(t, "the sheet", `document.body.classList.contains('sheet-open') && document.querySelector('#panel h2') && document.querySelector('#panel h2').textContent.startsWith('璧山区')
		  && document.querySelector('#side').getBoundingClientRect().height >= innerHeight / 2`)
		var sheet struct{ Top, Height float64 }
		b.eval(t, `(() => { const r = document.querySelector('#side').getBoundingClientRect(); return {Top: r.top, Height: r.height}; })()`, &sheet)
		if sheet.Height < 0.5*m.Screen || sheet.Top+sheet.Height > m.Screen+1 {
			t.Errorf("the bottom sheet: top %.0f, height %.0f", sheet.Top, sheet.Height)
		}
		screenshot(t, b, "phone-375-sheet.png")
		// Another industry picked in the sheet: its holders are framed in
		// the map above the sheet.
		b.run(t, chromedp.SetValue("#industry", "CQ-EIM", chromedp.ByQuery),
			chromedp.Evaluate(`document.querySelector('#industry').dispatchEvent(new Event('change', {bubbles: true}))`, nil))
		b.wait(t, "the ranking", `document.querySelector('#sites li.site') && indmap.state.industry === 'CQ-EIM'`)
		b.settled(t, "indmap.map")
		var off []string
		b.eval(t, fmt.Sprintf(`(() => { const m = indmap.map.getContainer().getBoundingClientRect(), top = document.querySelector('#side').getBoundingClientRect().top;
		  return %s.filter(s => { const p = indmap.map.project(s.label); return p.x < 0 || p.x > m.width || m.top + p.y > top || p.y < 0; }).map(s => s.name); })()`,
			mustJSON(t, sitesOf(t, base, "limit=100&industry=CQ-EIM"))), &off)
		if len(off) > 0 {
			t.Errorf("on a phone, holders outside the map above the sheet: %v", off)
		}
		// Controls are big enough to tap, and the plan picker is whole.
		var sizes struct{ Zoom, Menu float64 }
		b.eval(t, `({Zoom: document.querySelector('.maplibregl-ctrl-zoom-in').getBoundingClientRect().height, Menu: document.querySelector('#menu').getBoundingClientRect().height})`, &sizes)
		if sizes.Zoom < 44 || sizes.Menu < 44 {
			t.Errorf("on a phone, controls %+v px (≥ 44)", sizes)
		}
		b.click(t, "#menu")
		if !b.evalBool(t, `(() => { const s = document.querySelector('#plan'); return s.closest('#bar-more') !== null && s.scrollWidth <= s.clientWidth + 1; })()`) {
			t.Error("on a phone, the plan picker is not whole in the menu")
		}
		b.click(t, "#menu")
		screenshot(t, b, "phone-375-industry.png")
		// A place found as origin: the sheet opens on the ranking, its
		// first row in view, the origin in the map above the sheet.
		b.click(t, "#sheet-handle")
		b.wait(t, "the sheet closed", `!document.body.classList.contains('sheet-open')`)
		b.typeInto(t, "#search", "鱼嘴")
		b.wait(t, "the town", `[...document.querySelectorAll('#search-results li')].some(li => li.textContent.startsWith('鱼嘴镇'))`)
		b.run(t, chromedp.SendKeys("#search", kb.Enter, chromedp.ByQuery))
		b.wait(t, "the ranking from the town", `indmap.state.origin?.place === '鱼嘴镇' && document.body.classList.contains('sheet-open') && document.querySelector('#sites li.site')`)
		b.settled(t, "indmap.map")
		var view struct{ Row, Screen, Origin, SheetTop float64 }
		b.eval(t, `(() => { const m = indmap.map.getContainer().getBoundingClientRect(), p = indmap.map.project(indmap.state.origin.lngLat);
		  return {Row: document.querySelector('#sites li.site').getBoundingClientRect().top, Screen: innerHeight, Origin: m.top + p.y, SheetTop: document.querySelector('#side').getBoundingClientRect().top}; })()`, &view)
		if view.Row < view.SheetTop || view.Row > view.Screen-40 || view.Origin > view.SheetTop || view.Origin < 0 {
			t.Errorf("on a phone, an origin found: first row at %.0f, origin at %.0f, sheet from %.0f of %.0f px", view.Row, view.Origin, view.SheetTop, view.Screen)
		}
		screenshot(t, b, "phone-375-origin.png")
		b.checkClean(t, "phone")
	})

	t.Run("tablet", func(t *testing.T) {
		// The header fits a tablet's width in both languages, every
		// button on screen and whole.
		defer b.run(t, chromedp.EmulateViewport(1280, 800))
		for _, c := range []struct {
			w, h int64
			lang string
		}{{820, 1180, "en"}, {794, 1123, "zh"}, {1024, 768, "en"}} {
			b.run(t, chromedp.EmulateViewport(c.w, c.h))
			b.open(t, base+"/?plan=chongqing-2023&lang="+c.lang)
			b.settled(t, "indmap.map")
			var fit struct {
				Scroll, Width, Lang, Search float64
				Wrapped                     []string
			}
			b.eval(t, `({Scroll: document.documentElement.scrollWidth, Width: innerWidth, Lang: document.querySelector('#lang').getBoundingClientRect().right,
			  Search: document.querySelector('#search').getBoundingClientRect().width,
			  Wrapped: [...document.querySelectorAll('#bar button')].filter(b => b.offsetParent && b.getClientRects().length && b.getBoundingClientRect().height > 40).map(b => b.textContent)})`, &fit)
			if fit.Scroll > fit.Width || fit.Lang > fit.Width || fit.Search < 120 || len(fit.Wrapped) > 0 {
				t.Errorf("%d px, %s: page %.0f px wide, language button to %.0f, search %.0f px, wrapped %v", c.w, c.lang, fit.Scroll, fit.Lang, fit.Search, fit.Wrapped)
			}
			if c.w == 820 {
				screenshot(t, b, "tablet-820-en.png")
			}
		}
		b.checkClean(t, "tablet")
	})

	t.Run("Shandong", func(t *testing.T) {
		b.open(t, base+"/?plan=shandong-clusters&industry="+url.QueryEscape("动力装备"))
		// The legend counts what is coloured: 潍坊 main, once.
		b.wait(t, "the legend", `document.querySelector('.legend-row[data-key="main"] .count')`)
		if n := b.evalString(t, `document.querySelector('.legend-row[data-key="main"] .count').textContent`); n != "1" {
			t.Errorf("动力装备: legend counts %s main units", n)
		}
		// The map's dots are explained: places here (Shandong's plan has
		// no zones), zones and places in Chongqing's (below).
		if b.evalBool(t, `!!document.querySelector('#legend .mark-zone') || !document.querySelector('#legend .mark-place')`) {
			t.Error("Shandong's legend: a zone mark, or no place mark")
		}
		if f := b.evalString(t, unitState("370700")+`.fill`); f != "#c2410c" {
			t.Errorf("潍坊 is %s, not main", f)
		}
		// The plan's own vocabulary: clusters, not special industries; the
		// counties counted as lying in cities that host clusters.
		b.wait(t, "the ranking", `document.querySelectorAll('#sites li.site').length > 0`)
		if txt := b.evalString(t, `document.querySelector('#sites').textContent`); strings.Contains(txt, "特色产业") || strings.Contains(txt, "主导产业") || !strings.Contains(txt, "国家级及以上集群在前") {
			t.Errorf("a clusters plan's ranking speaks of picks: %.300s", txt)
		}
		if c := b.evalString(t, `document.querySelector('#coverage').textContent`); !regexp.MustCompile(`137 个区县中 \d+ 个位于有集群的城市`).MatchString(c) {
			t.Errorf("Shandong's coverage line: %s", c)
		}
		// A cluster: name, localised level, year, hosts, sources, history.
		cluster := "青烟威船舶与海洋工程装备集群"
		b.run(t, chromedp.SetValue("#cluster", cluster, chromedp.ByQuery),
			chromedp.Evaluate(`document.querySelector('#cluster').dispatchEvent(new Event('change', {bubbles: true}))`, nil))
		// Its name abbreviates its hosts (青烟威): the title names them.
		b.wait(t, "the cluster's panel", `document.querySelector('#panel h2') && document.querySelector('#panel h2').textContent === '`+cluster+`（青岛、烟台、威海）'`)
		panel := b.evalString(t, `document.querySelector('#panel').textContent`)
		for _, want := range []string{"国家级", "2024", "青岛市", "烟台市", "威海市", "来源", "历程", "2023 省级"} {
			if !strings.Contains(panel, want) {
				t.Errorf("cluster panel lacks %q: %s", want, panel)
			}
		}
		for _, raw := range []string{"national", "provincial", "joint-not-adjacent"} {
			if strings.Contains(panel, raw) {
				t.Errorf("cluster panel shows %q raw: %s", raw, panel)
			}
		}
		var hl []string
		b.eval(t, `['370200', '370600', '371000', '370100'].filter(c => `+strings.ReplaceAll(unitState("X"), `"X"`, "c")+`.hl)`, &hl)
		if strings.Join(hl, ",") != "370200,370600,371000" {
			t.Errorf("cluster hosts outlined: %v", hl)
		}
		screenshot(t, b, "shandong-cluster.png")
		// An economic circle: its cities.
		b.click(t, `button[data-region="胶东经济圈"]`)
		b.wait(t, "the circle's panel", `document.querySelector('#panel h2') && document.querySelector('#panel h2').textContent === '胶东经济圈'`)
		if p := b.evalString(t, `document.querySelector('#panel').textContent`); !strings.Contains(p, "青岛市") || !strings.Contains(p, "潍坊市") {
			t.Errorf("circle panel: %s", p)
		}
		// The circles are outlined from the tiles' regions layer, named once
		// each, and a name on the map selects its circle.
		b.wait(t, "the circles' names", `!!indmap.map.getLayer('regions-line') && indmap.map.queryRenderedFeatures({layers: ['regions-label']}).length === 3`)
		var at [2]float64
		b.eval(t, `(() => { const f = indmap.map.queryRenderedFeatures({layers: ['regions-label']}).find(f => f.properties.name === '鲁南经济圈');
		  const r = indmap.map.getContainer().getBoundingClientRect(); const p = indmap.map.project(f.geometry.coordinates); return [r.left + p.x, r.top + p.y]; })()`, &at)
		b.run(t, chromedp.MouseClickXY(at[0], at[1]))
		b.wait(t, "鲁南经济圈's panel", `document.querySelector('#panel h2') && document.querySelector('#panel h2').textContent === '鲁南经济圈' && location.search.includes('region=')`)
		if p := b.evalString(t, `document.querySelector('#panel').textContent`); !strings.Contains(p, "临沂市") {
			t.Errorf("鲁南经济圈's panel: %s", p)
		}
		b.click(t, "#lang")
		b.wait(t, "English", `location.search.includes('lang=en') && document.querySelector('#panel').textContent.includes('Linyi City')`)
		// The circles' names are English too: in the panel, the legend
		// and on the map (the style's English text of their names).
		b.wait(t, "the circles in English", `document.querySelector('#panel h2').textContent === 'Southern Shandong Economic Circle' &&
		  document.querySelector('#legend').textContent.includes('Jiaodong Economic Circle') &&
		  JSON.stringify(indmap.map.getLayoutProperty('regions-label', 'text-field')).includes('name_en') &&
		  indmap.map.queryRenderedFeatures({layers: ['regions-label']}).some(f => f.properties.name_en === 'Provincial Capital Economic Circle')`)
		screenshot(t, b, "shandong-region-en.png")
		b.oneStyle(t)
		// Another plan from the picker: Henan, 洛阳 national (seen through
		// its counties, such as 栾川县, where they are drawn: they hold
		// nothing).
		b.run(t, chromedp.SetValue("#plan", "henan-clusters", chromedp.ByQuery),
			chromedp.Evaluate(`document.querySelector('#plan').dispatchEvent(new Event('change')) && true`, nil))
		b.wait(t, "Henan's colours", `indmap.state.plan === 'henan-clusters' && `+unitState("410300")+`.fill === '#2c7fb8'`)
		b.settled(t, "indmap.map")
		luoyang := b.pointsIn(t, "indmap.map", "units-fill", "410300", 20)
		if len(luoyang) == 0 {
			luoyang = b.insidePoints(t, "indmap.map", "units-fill", "410324", 20)
		}
		if s := share(screenshot(t, b, "henan-en.png"), luoyang, rgb.saturated); s < 0.8 {
			t.Errorf("洛阳 is not drawn in colour after the plan switch (%.0f%%)", s*100)
		}
		// A cluster named without its hosts is shown with them; in English
		// by indmap's translation of its name, the hosts after it.
		if o := b.evalString(t, `document.querySelector('#cluster option[value="超硬材料产业集群"]')?.textContent || ''`); !strings.HasPrefix(o, "Superhard materials industry cluster (Zhengzhou, ") {
			t.Errorf("超硬材料产业集群 in English: %q", o)
		}
		// A county's cluster (兰考, a county among the cities): picked,
		// the map goes to where counties are drawn, 兰考县 marked.
		b.run(t, chromedp.SetValue("#cluster", "兰考品牌家居特色产业集群", chromedp.ByQuery),
			chromedp.Evaluate(`document.querySelector('#cluster').dispatchEvent(new Event('change', {bubbles: true})) && true`, nil))
		b.wait(t, "兰考县 drawn and marked", `indmap.map.loaded() && !indmap.map.isMoving() && indmap.map.queryRenderedFeatures({layers: ['units-fill']}).some(f => f.properties.code === '410225' && f.state.hl)`)
		// And back to a picks plan, whose colours come only with its theme.
		b.run(t, chromedp.SetValue("#plan", "chongqing-2023", chromedp.ByQuery),
			chromedp.Evaluate(`document.querySelector('#plan').dispatchEvent(new Event('change')) && true`, nil))
		b.wait(t, "Chongqing's colours", `indmap.state.plan === 'chongqing-2023' && !!`+unitState("500120")+`.fill`)
		b.settled(t, "indmap.map")
		if s := share(screenshot(t, b, ""), b.insidePoints(t, "indmap.map", "units-fill", "500120", 20), rgb.saturated); s < 0.8 {
			t.Errorf("璧山区 is not drawn in colour after the plan switch (%.0f%%)", s*100)
		}
		b.checkClean(t, "Shandong")
	})
}

// evalBool evaluates a JavaScript condition.
func (b *browser) evalBool(t *testing.T, js string) bool {
	t.Helper()
	var v bool
	b.eval(t, js, &v)
	return v
}

// mustJSON is v as JSON, for a script.
func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// near: two colour channels within a few levels.
func near(a, b uint32) bool { return a+6 >= b && b+6 >= a }

// labelsOverZoneDots lists the units' names MapLibre placed over a
// zone's dot (within 7 px of its point, its largest radius), other than
// the zone's own, as "zone/unit" codes.
func (b *browser) labelsOverZoneDots(t *testing.T) []string {
	t.Helper()
	var over []string
	b.eval(t, `(() => { const m = indmap.map, out = [];
	  for (const z of m.queryRenderedFeatures({layers: ['zones']})) {
	    const p = m.project(z.geometry.coordinates), code = String(z.properties.code);
	    for (const l of m.queryRenderedFeatures([[p.x - 7, p.y - 7], [p.x + 7, p.y + 7]], {layers: ['labels']}))
	      if (String(l.properties.code) !== code) out.push(code + '/' + l.properties.code);
	  }
	  return [...new Set(out)]; })()`, &over)
	return over
}

// labelsAtSides lists the units' names MapLibre placed across the
// map's left or right side (cut there), by code.
func (b *browser) labelsAtSides(t *testing.T) []string {
	t.Helper()
	var cut []string
	b.eval(t, `(() => { const c = indmap.map.getCanvas(), w = c.clientWidth, h = c.clientHeight;
	  return [...indmap.map.queryRenderedFeatures([[0, 0], [1, h]], {layers: ['labels']}), ...indmap.map.queryRenderedFeatures([[w - 1, 0], [w, h]], {layers: ['labels']})].map(f => String(f.properties.code)); })()`, &cut)
	return cut
}

// atoi is s as an int; the test fails on anything else.
func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
