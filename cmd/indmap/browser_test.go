package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// browser runs headless Debian Chromium against the real binary. The
// flags are the ones this workplace's closed network needs.
type browser struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
	bytes  map[network.RequestID]float64
	tiles  int
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	exe, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not on PATH (CI installs it)")
	}
	profile, err := os.MkdirTemp("", "indmap-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-breakpad", true), chromedp.Flag("disable-crash-reporter", true),
		chromedp.UserDataDir(profile), chromedp.WindowSize(1280, 800),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	tctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() {
		// Close Chromium and wait for its process to exit before its
		// profile is removed: a profile still being written made
		// t.TempDir's cleanup fail now and then.
		cancelT()
		closeCtx, cancelClose := context.WithTimeout(ctx, 10*time.Second)
		_ = chromedp.Cancel(closeCtx)
		cancelClose()
		cancelC()
		cancelA()
		if c := chromedp.FromContext(ctx); c != nil && c.Allocator != nil {
			c.Allocator.Wait()
		}
		removeProfile(t, profile)
	})
	ctx = tctx
	b := &browser{ctx: ctx, bytes: map[network.RequestID]float64{}}
	chromedp.ListenTarget(ctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.APITypeError {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				b.errors = append(b.errors, "console: "+strings.Join(args, " "))
			}
		case *runtime.EventExceptionThrown:
			b.errors = append(b.errors, "exception: "+ev.ExceptionDetails.Error())
		case *network.EventResponseReceived:
			if ev.Response.Status >= 400 {
				b.errors = append(b.errors, fmt.Sprintf("HTTP %d %s", int(ev.Response.Status), ev.Response.URL))
			}
			if strings.Contains(ev.Response.URL, "/tiles/") && strings.Contains(ev.Response.URL, ".mvt") && ev.Response.Status < 300 {
				b.tiles++
			}
		case *network.EventLoadingFailed:
			if !ev.Canceled && ev.BlockedReason == "" {
				b.errors = append(b.errors, "request failed: "+ev.ErrorText)
			} else if ev.BlockedReason != "" {
				b.errors = append(b.errors, "request blocked: "+string(ev.BlockedReason))
			}
		case *network.EventLoadingFinished:
			b.bytes[ev.RequestID] = ev.EncodedDataLength
		}
	})
	if err := chromedp.Run(ctx, network.Enable(), runtime.Enable()); err != nil {
		t.Fatal(err)
	}
	return b
}

// removeProfile deletes Chromium's profile, retrying while helper
// processes that outlived the browser still write into it.
func removeProfile(t *testing.T, dir string) {
	var err error
	for i := 0; i < 50; i++ {
		if err = os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("removing the Chromium profile: %v", err)
}

func (b *browser) run(t *testing.T, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(b.ctx, actions...); err != nil {
		t.Fatalf("browser: %v (errors so far: %v)", err, b.problems())
	}
}

func (b *browser) problems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}

func (b *browser) reset() (transfer float64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, n := range b.bytes {
		transfer += n
	}
	b.errors, b.bytes, b.tiles = nil, map[network.RequestID]float64{}, 0
	return transfer
}

// waitReady waits for the page's map to finish its first render.
func waitReady(sel string) chromedp.Action {
	return chromedp.Poll(sel, nil, chromedp.WithPollingTimeout(60*time.Second), chromedp.WithPollingInterval(100*time.Millisecond))
}

func artifacts(t *testing.T) string {
	dir := filepath.Join("..", "..", "artifacts", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func screenshot(t *testing.T, b *browser, name string) {
	var png []byte
	b.run(t, chromedp.Sleep(300*time.Millisecond), chromedp.CaptureScreenshot(&png))
	if err := os.WriteFile(filepath.Join(artifacts(t), name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestBrowser(t *testing.T) {
	b := newBrowser(t)
	bin := binary(t)
	db := initDB(t)
	_, base, _ := startServer(t, bin, db)
	b.reset()

	// Investor view: loads clean, tiles arrive.
	b.run(t, chromedp.Navigate(base+"/?plan=chongqing-2023"), waitReady(`window.indmap && window.indmap.ready`))
	// Tiles are fetched by MapLibre's workers: count what they delivered.
	var features int
	b.run(t, chromedp.Evaluate(`indmap.map.querySourceFeatures('indmap', {sourceLayer: 'units'}).length`, &features))
	if features == 0 {
		t.Error("no tile arrived")
	}
	if p := b.problems(); len(p) > 0 {
		t.Errorf("first load: %v", p)
	}
	transfer := b.reset()
	t.Logf("first load transfer: %.0f bytes (gzip)", transfer)
	os.WriteFile(filepath.Join(artifacts(t), "first-load-transfer.txt"), []byte(fmt.Sprintf("%.0f bytes\n", transfer)), 0o644)

	// Choosing 智能网联新能源汽车 renders 璧山区 as main.
	b.run(t,
		chromedp.SetValue("#industry", "CQ-ICV", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector('#industry').dispatchEvent(new Event('change'))`, nil),
		waitReady(`(() => { const fs = indmap.map.queryRenderedFeatures({layers: ['units-fill']}).filter(f => f.properties.code === '500120'); return fs.length > 0 && fs[0].properties.role === 'main'; })()`),
	)
	var url string
	b.run(t, chromedp.Evaluate(`location.search`, &url))
	if !strings.Contains(url, "industry=CQ-ICV") {
		t.Errorf("URL keeps no industry: %s", url)
	}
	screenshot(t, b, "investor-desktop.png")

	// Clicking 璧山区 shows its industries in the panel.
	var pt struct{ X, Y float64 }
	b.run(t, chromedp.Evaluate(`fetch('/api/v1/units/500120').then(r => r.json()).then(f => {
		const r = indmap.map.getContainer().getBoundingClientRect();
		const p = indmap.map.project(f.properties.label);
		return {X: r.left + p.x, Y: r.top + p.y};
	})`, &pt, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	var panel string
	b.run(t, chromedp.MouseClickXY(pt.X, pt.Y),
		waitReady(`document.querySelector('#panel').textContent.includes('智能网联新能源汽车')`),
		chromedp.Text("#panel", &panel, chromedp.ByQuery))
	if !strings.Contains(panel, "璧山区") || !strings.Contains(panel, "新一代电子信息制造业") {
		t.Errorf("panel: %s", panel)
	}

	// Phone width.
	b.run(t, chromedp.EmulateViewport(375, 812), chromedp.Navigate(base+"/?plan=chongqing-2023&industry=CQ-ICV"),
		waitReady(`window.indmap && window.indmap.ready`))
	screenshot(t, b, "investor-375.png")
	b.run(t, chromedp.EmulateViewport(1280, 800))

	// Planner view lists violations.
	b.run(t, chromedp.Navigate(base+"/?plan=chongqing-2023&view=planner"), waitReady(`window.indmap && window.indmap.ready`),
		waitReady(`document.querySelector('#violations').textContent.includes('unit-unassigned')`))
	var rules string
	b.run(t, chromedp.Text("#violations", &rules, chromedp.ByQuery))
	if !strings.Contains(rules, "江北区") {
		t.Errorf("planner violations: %.300s", rules)
	}
	screenshot(t, b, "planner.png")
	// Shandong: choosing the joint cluster outlines all four host cities;
	// the English toggle changes the UI and is kept in the URL.
	b.run(t, chromedp.Navigate(base+"/?plan=shandong-clusters"), waitReady(`window.indmap && window.indmap.ready`),
		chromedp.SetValue("#cluster", "济青枣潍工业母机产业集群", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector('#cluster').dispatchEvent(new Event('change'))`, nil),
		waitReady(`JSON.stringify(indmap.map.getFilter('units-highlight')).includes('370400')`),
		chromedp.Click("#lang", chromedp.ByQuery),
		waitReady(`document.querySelector('#view-toggle').textContent === 'Planner view' && location.search.includes('lang=en')`))
	var filter string
	b.run(t, chromedp.Evaluate(`JSON.stringify(indmap.map.getFilter('units-highlight'))`, &filter))
	for _, host := range []string{"370100", "370200", "370400", "370700"} {
		if !strings.Contains(filter, host) {
			t.Errorf("cluster outline lacks %s: %s", host, filter)
		}
	}
	screenshot(t, b, "shandong-cluster-en.png")
	var mapErrors []string
	b.run(t, chromedp.Evaluate(`indmap.errors`, &mapErrors))
	if p := b.problems(); len(p) > 0 || len(mapErrors) > 0 {
		t.Errorf("investor and planner views: %v %v", p, mapErrors)
	}
	b.reset()

	// Another site embeds the map in an iframe, and uses the style URL in
	// a bare MapLibre page.
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/iframe":
			fmt.Fprintf(w, `<!doctype html><title>host</title>
<script>addEventListener("message", (e) => { if (e.data && e.data.indmap === "ready") window.embedReady = e.data.features; });</script>
<iframe id="f" src="%s/embed?plan=chongqing-2023&industry=CQ-ICV" width="800" height="600"></iframe>`, base)
		case "/bare":
			fmt.Fprintf(w, `<!doctype html><title>bare</title><link rel="stylesheet" href="%[1]s/static/vendor/maplibre-gl.css">
<div id="m" style="width:800px;height:600px"></div>
<script type="module">
import * as maplibregl from "%[1]s/static/vendor/maplibre-gl.mjs";
const map = new maplibregl.Map({container: "m", style: "%[1]s/styles/chongqing-2023.json", center: [107.7, 30.2], zoom: 6});
map.on("error", (e) => { window.bareError = String(e.error && e.error.message); });
map.once("idle", () => { window.bareReady = map.queryRenderedFeatures({layers: ["units-fill"]}).length; });
</script>`, base)
		}
	}))
	defer other.Close()
	var embedded int
	b.run(t, chromedp.Navigate(other.URL+"/iframe"), waitReady(`window.embedReady !== undefined`),
		chromedp.Evaluate(`window.embedReady`, &embedded))
	if embedded == 0 {
		t.Error("the embedded map shows no units")
	}
	screenshot(t, b, "embed-iframe.png")
	var ready int
	b.run(t, chromedp.Navigate(other.URL+"/bare"), waitReady(`window.bareReady !== undefined || window.bareError !== undefined`),
		chromedp.Evaluate(`window.bareReady || 0`, &ready))
	var bareErr string
	b.run(t, chromedp.Evaluate(`window.bareError || ""`, &bareErr))
	if ready == 0 || bareErr != "" {
		t.Errorf("bare MapLibre page: %d units rendered, error %q", ready, bareErr)
	}
	screenshot(t, b, "bare-style.png")
	if p := b.problems(); len(p) > 0 {
		t.Errorf("embed and bare pages: %v", p)
	}
}
