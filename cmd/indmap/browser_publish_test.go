package main

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/indmap/indmap/internal/tests3"
	"github.com/indmap/indmap/publish"
)

// archiveReads counts the page's requests for PMTiles archives: by
// range (as the pmtiles protocol reads them) and whole.
type archiveReads struct {
	mu            sync.Mutex
	ranged, whole int
}

func (a *archiveReads) listen(b *browser) {
	chromedp.ListenTarget(b.ctx, func(ev any) {
		e, ok := ev.(*network.EventRequestWillBeSent)
		if !ok || !strings.Contains(e.Request.URL, ".pmtiles") {
			return
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		// The pmtiles reader names the header in lower case.
		for k, v := range e.Request.Headers {
			if strings.EqualFold(k, "Range") && strings.HasPrefix(fmt.Sprint(v), "bytes=") {
				a.ranged++
				return
			}
		}
		a.whole++
	})
}

func (a *archiveReads) counts() (int, int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.ranged, a.whole
}

// TestPublishedPage: the investor's page published to a real
// S3-compatible server (SeaweedFS) and opened from its HTTP endpoint
// with no indmap server on the read path: coloured units and the
// coverage line, tiles read from the archive by range requests, the
// ranking (with and without an origin) and search in the same order as
// the server's, the unit panel, the matrix, English, the planner's view
// pointing to the server; after a plan's write and a second publish
// (only the changed objects uploaded) the open page picks up the new
// data when it comes back into focus. First visits to the bucket and to
// the server are measured side by side (artifacts/published-first-load.txt).
func TestPublishedPage(t *testing.T) {
	b := newBrowser(t)
	s3 := tests3.Start(t)
	bucket := s3.Bucket(t, "pages")
	bin := binary(t)
	db := initDB(t)
	_, base, _ := startServer(t, bin, db)
	t.Setenv("AWS_ACCESS_KEY_ID", "indmap-test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "indmap-test-secret")
	pub := func() int {
		t.Helper()
		code, out, errOut := cli(t, nil, "publish", "--db", db, "--to", "s3://pages/map", "--endpoint", s3.Endpoint,
			"--region", "us-east-1", "--maxzoom", "10", "--server-url", base)
		m := uploaded.FindStringSubmatch(out)
		if code != 0 || m == nil {
			t.Fatalf("publish: %d\n%s%s", code, out, errOut)
		}
		t.Log(strings.TrimSpace(out))
		var n int
		fmt.Sscan(m[1], &n)
		return n
	}
	pub()
	site := bucket + "/map/"
	versionOf := func() publish.Version {
		var v publish.Version
		getJSON(t, site+"version.json", &v)
		return v
	}
	reads := &archiveReads{}
	reads.listen(b)

	t.Run("first visit, bucket and server", func(t *testing.T) {
		visit := func(u string) (bytes, requests int, render float64) {
			b.run(t, network.ClearBrowserCache())
			b.open(t, u)
			b.eval(t, `indmap.firstRender`, &render)
			return
		}
		server := newCounting(t, base)
		_, _, serverRender := visit(server.URL + "/?plan=chongqing-2023")
		serverBytes, serverRequests, serverLines := server.total()
		cdn := newCounting(t, bucket)
		_, _, bucketRender := visit(cdn.URL + "/map/index.html?plan=chongqing-2023")
		bucketBytes, bucketRequests, bucketLines := cdn.total()
		summary := fmt.Sprintf("first visit, Chongqing: bucket %d requests, %d bytes, first coloured render at %.0f ms; server %d requests, %d bytes, first coloured render at %.0f ms",
			bucketRequests, bucketBytes, bucketRender, serverRequests, serverBytes, serverRender)
		t.Log(summary)
		os.WriteFile(filepath.Join(artifacts(t), "published-first-load.txt"),
			[]byte(summary+"\n\nbucket:\n"+strings.Join(bucketLines, "\n")+"\n\nserver:\n"+strings.Join(serverLines, "\n")+"\n"), 0o644)
		b.open(t, site+"index.html?plan=chongqing-2023")
		b.drain()
	})

	t.Run("overview", func(t *testing.T) {
		b.open(t, site+"index.html?plan=chongqing-2023")
		b.firstView(t, base, "published-overview.png")
		if ranged, whole := reads.counts(); ranged == 0 || whole != 0 {
			t.Errorf("the archive was read by %d range requests and %d whole requests: want range requests only", ranged, whole)
		} else {
			t.Logf("archive read by %d range requests so far", ranged)
		}
		// The data's credit, as the server's page shows it.
		if credit := b.evalString(t, `document.querySelector('.maplibregl-ctrl-attrib-inner').textContent`); !strings.Contains(credit, "DataV") {
			t.Errorf("the published map credits %q", credit)
		}
		if src := b.evalString(t, `indmap.map.getStyle().sources.indmap.url`); !strings.HasPrefix(src, "pmtiles://"+site+"tiles/") {
			t.Errorf("the map's source is %s", src)
		}
		versions := 0
		for _, u := range b.fetchedURLs() {
			if strings.HasPrefix(u, base) {
				t.Errorf("the published page asked the server: %s", u)
			}
			if strings.HasSuffix(u, "/version.json") {
				versions++
			}
		}
		if versions != 1 {
			t.Errorf("the page read version.json %d times on opening", versions)
		}
		b.checkClean(t, "published overview")
	})

	t.Run("ranking as the server's", func(t *testing.T) {
		// Every industry, no origin: the published order is the server's.
		var cat struct{ Industries []struct{ Code string } }
		getJSON(t, base+"/api/v1/industries?plan=chongqing-2023", &cat)
		for _, in := range cat.Industries {
			var got []string
			b.eval(t, fmt.Sprintf(`import(new URL('js/api.js', document.querySelector('script[type=module]').src.replace(/js\/app\.js$/, ''))).then(api =>
			  api.sites('chongqing-2023', %q, null)).then(r => r.sites.map(s => s.code))`, in.Code), &got)
			var want []string
			for _, s := range sitesOf(t, base, "limit=100&industry="+url.QueryEscape(in.Code)) {
				want = append(want, s.Code)
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("%s without an origin:\n got %v\nwant %v", in.Code, got, want)
			}
		}
		// Picked in the page, then with origins clicked on the map: the
		// page's list is the server's for the same point.
		b.run(t, chromedp.SetValue("#industry", "CQ-ICV", chromedp.ByQuery),
			chromedp.Evaluate(`document.querySelector('#industry').dispatchEvent(new Event('change', {bubbles: true}))`, nil))
		b.wait(t, "the ranking", `document.querySelectorAll('#sites li.site').length > 0`)
		for _, pt := range [][2]float64{{106.74, 29.63}, {106.23, 29.35}, {108.4, 30.8}} {
			b.clickAt(t, pt[0], pt[1])
			b.wait(t, "the ranking from the clicked origin", `!!indmap.state.origin && [...document.querySelectorAll('#sites .reasons')].some(e => e.textContent.includes('直线'))`)
			var near []float64
			b.eval(t, `indmap.state.origin.lngLat`, &near)
			var want []string
			server := sitesOf(t, base, fmt.Sprintf("limit=100&industry=CQ-ICV&near=%.5f,%.5f", near[0], near[1]))
			for _, s := range server {
				want = append(want, s.Code)
			}
			b.wait(t, "the server's order and ranks", fmt.Sprintf(`%s === %q && %s === %q`, rankedCodes, strings.Join(want, ","), rankedRanks, ranksOf(server)))
		}
		b.checkClean(t, "ranking")
	})

	t.Run("search as the server's", func(t *testing.T) {
		for _, q := range []string{"璧山", "bishan", "qu", "Jiangbei", "汽车", "电子", "xian", "两江", "零部件", "锂电", "济南", "市中区", "EV", "auto", "shan", "29.6,106.5", "106.5 29.6", "鱼嘴", "yuzui", "bicheng", "cheng"} {
			var got []string
			b.eval(t, fmt.Sprintf(`import(new URL('js/api.js', document.querySelector('script[type=module]').src.replace(/js\/app\.js$/, ''))).then(api =>
			  api.search(%q, 'chongqing-2023')).then(r => r.results.map(x => [x.type, x.code, x.match, x.matched_text || '', (x.other_plans || []).join('+')].join(':')))`, q), &got)
			var r struct {
				Results []struct {
					Type, Code, Match string
					MatchedText       string   `json:"matched_text"`
					OtherPlans        []string `json:"other_plans"`
				}
			}
			getJSON(t, base+"/api/v1/search?plan=chongqing-2023&limit=8&q="+url.QueryEscape(q), &r)
			var want []string
			for _, x := range r.Results {
				want = append(want, strings.Join([]string{x.Type, x.Code, x.Match, x.MatchedText, strings.Join(x.OtherPlans, "+")}, ":"))
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("search %q:\n got %v\nwant %v", q, got, want)
			}
		}
		// Typed and chosen: the unit's panel, from the published data.
		b.typeInto(t, "#search", "璧山")
		b.wait(t, "a result", `!document.querySelector('#search-results').hidden`)
		b.run(t, chromedp.SendKeys("#search", kb.Enter, chromedp.ByQuery))
		b.wait(t, "璧山区's panel", `!document.querySelector('#panel').hidden && document.querySelector('#panel h2').textContent.startsWith('璧山区')`)
		var unit struct {
			Properties struct {
				Plans []struct {
					Plan string
					Main []struct{ Name string }
				}
			}
		}
		getJSON(t, base+"/api/v1/units/500120", &unit)
		panel := b.evalString(t, `document.querySelector('#panel').textContent`)
		for _, p := range unit.Properties.Plans {
			for _, m := range p.Main {
				if p.Plan == "chongqing-2023" && !strings.Contains(panel, m.Name) {
					t.Errorf("璧山区's panel lacks its main industry %s: %.300s", m.Name, panel)
				}
			}
		}
		if o := b.evalString(t, `JSON.stringify(indmap.state.origin)`); !strings.Contains(o, `"code":"500120"`) {
			t.Errorf("a searched unit is not the ranking's origin: %s", o)
		}
		b.checkClean(t, "search")
	})

	t.Run("matrix, English, planner", func(t *testing.T) {
		b.click(t, `#views button[data-view="matrix"]`)
		b.wait(t, "the matrix", `!document.querySelector('#matrix').hidden && document.querySelectorAll('#matrix tbody tr').length > 30`)
		b.click(t, "#lang")
		b.wait(t, "English", `document.documentElement.lang === 'en' && document.querySelector('#matrix').textContent.includes('Bishan')`)
		b.click(t, `#views button[data-view="investor"]`)
		b.wait(t, "the English ranking", `document.querySelector('#criteria') && document.querySelector('#criteria').textContent.startsWith('Ranked by role')`)
		b.click(t, `#views button[data-view="planner"]`)
		b.wait(t, "the planner's notice", `!!document.querySelector('#server-needed')`)
		if href := b.evalString(t, `document.querySelector('#server-link').href`); !strings.HasPrefix(href, base+"/?plan=chongqing-2023&view=planner") {
			t.Errorf("the planner's view links to %q, want the server %s", href, base)
		}
		b.click(t, `#views button[data-view="investor"]`)
		b.click(t, "#lang")
		b.checkClean(t, "matrix, English, planner")
	})

	t.Run("republished", func(t *testing.T) {
		before := versionOf()
		tag := b.evalString(t, `indmap.state.theme.tag`)
		if tag != before.Files["chongqing-2023"].Tag {
			t.Fatalf("the page shows theme %s, version.json names %s", tag, before.Files["chongqing-2023"].Tag)
		}
		// 沙坪坝区 loses its picks; 璧山区 keeps one.
		csv := filepath.Join(t.TempDir(), "p.csv")
		os.WriteFile(csv, []byte("unit_code,unit_name,role,industry,detail,source\n500120,璧山区,main,CQ-ICV,,test\n"), 0o644)
		if code, out, errOut := cli(t, nil, "import", "plan", csv, "--plan", "chongqing-2023", "--db", db, "--force"); code != 0 {
			t.Fatalf("import plan: %d\n%s%s", code, out, errOut)
		}
		n := pub()
		after := versionOf()
		// Only what changed was uploaded: the plan's changed objects,
		// the plan list, version.json and the entry page.
		changed := 2
		if after.Plans != before.Plans {
			changed++
		}
		bf, af := before.Files["chongqing-2023"], after.Files["chongqing-2023"]
		for _, k := range [][2]string{{bf.Tiles, af.Tiles}, {bf.Theme, af.Theme}, {bf.TileJSON, af.TileJSON}, {bf.Style, af.Style},
			{bf.StyleEn, af.StyleEn}, {bf.Industries, af.Industries}, {bf.Units, af.Units}, {bf.Sites, af.Sites}, {bf.Search, af.Search}} {
			if k[0] != k[1] {
				changed++
			}
		}
		// Every plan reads one search file (counted above): another plan's
		// files are the same but for it.
		hb, ha := before.Files["henan-clusters"], after.Files["henan-clusters"]
		if ha.Search != af.Search || hb.Search != bf.Search {
			t.Errorf("plans read different search files: %s, %s", ha.Search, af.Search)
		}
		hb.Search, ha.Search = "", ""
		if n != changed || after.Assets != before.Assets || after.Fonts != before.Fonts || ha != hb {
			t.Errorf("the second publish uploaded %d objects; %d changed", n, changed)
		}
		// The page asks for version.json again when it comes back into
		// focus (and every minute).
		b.eval(t, `window.dispatchEvent(new Event('focus'))`, nil)
		b.wait(t, "the new theme", fmt.Sprintf(`indmap.state.theme.tag === %q`, af.Tag))
		b.wait(t, "沙坪坝区 shown without picks", `(`+unitState("500106")+`).hatch === true`)
		if af.Tiles != bf.Tiles {
			b.wait(t, "the new archive", fmt.Sprintf(`indmap.map.getStyle().sources.indmap.url === %q`, "pmtiles://"+site+af.Tiles))
		}
		b.settled(t, "indmap.map")
		b.checkClean(t, "republished")
		ranged, whole := reads.counts()
		t.Logf("archive reads in all: %d by range, %d whole", ranged, whole)
		if whole != 0 {
			t.Errorf("%d whole reads of an archive", whole)
		}
	})
}
