package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"log"
	"math"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// The browser tests run headless Debian Chromium against the real
// binary: browser_page_test.go (the investor's page, English, phone,
// Shandong), browser_embed_test.go (iframe, style, PMTiles) and
// browser_planner_test.go (live updates and the planner's workbench).
// They poll conditions, never sleep for them, and write screenshots to
// artifacts/screenshots/.

// browser is one headless Chromium with the page's problems collected.
type browser struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
	// fetched lists the URLs the page itself fetched with a success
	// (MapLibre's workers fetch tiles out of this target's sight).
	fetched []string
	// expected are substrings of HTTP errors a test provokes on purpose.
	expected []string
}

// newBrowser starts Chromium with the flags this workplace's closed
// network needs. Browser tests are the slowest (a minute each on two
// cores): go test -short skips them, make test runs them.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests skipped under -short (make test runs them)")
	}
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
	// Chromium's events chromedp does not know (the top layer a dialog
	// opens) are not the page's problems.
	ctx, cancelC := chromedp.NewContext(actx, chromedp.WithErrorf(func(format string, args ...any) {
		if msg := fmt.Sprintf(format, args...); !strings.Contains(msg, "unhandled node event") {
			log.Print(msg)
		}
	}))
	tctx, cancelT := context.WithTimeout(ctx, 4*time.Minute)
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
	b := &browser{ctx: ctx}
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
			if ev.Response.Status >= 400 && !b.isExpected(ev.Response.URL, int(ev.Response.Status)) {
				b.errors = append(b.errors, fmt.Sprintf("HTTP %d %s", int(ev.Response.Status), ev.Response.URL))
			}
			if ev.Response.Status < 300 {
				b.fetched = append(b.fetched, ev.Response.URL)
			}
		case *network.EventLoadingFailed:
			if !ev.Canceled && ev.BlockedReason == "" {
				b.errors = append(b.errors, "request failed: "+ev.ErrorText)
			} else if ev.BlockedReason != "" {
				b.errors = append(b.errors, "request blocked: "+string(ev.BlockedReason))
			}
		}
	})
	if err := chromedp.Run(ctx, network.Enable(), runtime.Enable(), chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *browser) isExpected(u string, status int) bool {
	for _, e := range b.expected {
		if strings.Contains(fmt.Sprintf("%d %s", status, u), e) {
			return true
		}
	}
	return false
}

// expect lets HTTP errors matching "STATUS URL-part" pass (a refused
// save is what a test asks for).
func (b *browser) expect(s ...string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.expected = append(b.expected, s...)
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

// drain returns the page's problems since the last check, and clears
// them.
func (b *browser) drain() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.errors
	b.errors, b.fetched = nil, nil
	return p
}

// checkClean fails the test with the page's problems (console errors,
// exceptions, failed requests, map errors) since the last call.
func (b *browser) checkClean(t *testing.T, what string) {
	t.Helper()
	var mapErrors []string
	_ = chromedp.Run(b.ctx, chromedp.Evaluate(`(window.indmap && indmap.errors) || []`, &mapErrors))
	b.mu.Lock()
	p := b.errors
	b.errors, b.fetched = nil, nil
	b.mu.Unlock()
	if len(p) > 0 || len(mapErrors) > 0 {
		t.Errorf("%s: %v %v", what, p, mapErrors)
	}
}

func (b *browser) fetchedURLs() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.fetched...)
}

func awaitPromise(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }

// eval evaluates js (awaiting a promise) into out.
func (b *browser) eval(t *testing.T, js string, out any) {
	t.Helper()
	b.run(t, chromedp.Evaluate(js, out, awaitPromise))
}

// click clicks a button in one step (a node found then clicked could be
// replaced in between by a redraw).
func (b *browser) click(t *testing.T, sel string) {
	t.Helper()
	var ok bool
	b.eval(t, fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (e) e.click(); return !!e; })()`, sel), &ok)
	if !ok {
		t.Fatalf("no %s to click (errors: %v)", sel, b.problems())
	}
}

// evalString evaluates js into a string.
func (b *browser) evalString(t *testing.T, js string) string {
	t.Helper()
	var s string
	b.eval(t, js, &s)
	return s
}

// wait polls js until it is truthy (20 s at most).
func (b *browser) wait(t *testing.T, what, js string) {
	t.Helper()
	b.waitWithin(t, what, js, 20*time.Second)
}

func (b *browser) waitWithin(t *testing.T, what, js string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	var err error
	for {
		err = chromedp.Run(b.ctx, chromedp.Poll(js, nil, chromedp.WithPollingTimeout(time.Until(deadline)), chromedp.WithPollingInterval(20*time.Millisecond)))
		// A page just navigated to may replace the context polled in.
		if err == nil || !strings.Contains(err.Error(), "Cannot find context") || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatalf("waiting for %s (%s): %v (errors: %v)", what, js, err, b.problems())
	}
}

// open navigates to the page and waits for its first render.
func (b *browser) open(t *testing.T, u string) {
	t.Helper()
	b.run(t, chromedp.Navigate(u))
	b.wait(t, "the map's first render", `window.indmap && indmap.ready`)
}

// settled waits until the map has drawn everything it was asked to.
func (b *browser) settled(t *testing.T, mapExpr string) {
	t.Helper()
	b.wait(t, "the map to settle", `(() => { const mm = `+mapExpr+`; return !!mm && mm.loaded() && mm.areTilesLoaded() && !mm.isMoving(); })()`)
	// Two frames: what was set is painted.
	b.eval(t, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`, nil)
}

func artifacts(t *testing.T) string {
	dir := filepath.Join("..", "..", "artifacts", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// screenshot writes the viewport to artifacts/screenshots/name and
// returns it decoded.
func screenshot(t *testing.T, b *browser, name string) image.Image {
	t.Helper()
	var buf []byte
	b.eval(t, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`, nil)
	b.run(t, chromedp.CaptureScreenshot(&buf))
	if name != "" {
		if err := os.WriteFile(filepath.Join(artifacts(t), name), buf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// insidePoints finds up to n viewport points well inside unit code as
// the map draws it (every point 4 px around is the unit too, no label
// over it), for reading its colour from a screenshot. It scans the
// unit's box only.
func (b *browser) insidePoints(t *testing.T, mapExpr, layer, code string, n int) [][2]float64 {
	t.Helper()
	pts := b.pointsIn(t, mapExpr, layer, code, n)
	if len(pts) == 0 {
		t.Fatalf("no point of %s is drawn in layer %s", code, layer)
	}
	return pts
}

// pointsIn is insidePoints, maybe none.
func (b *browser) pointsIn(t *testing.T, mapExpr, layer, code string, n int) [][2]float64 {
	t.Helper()
	var pts [][2]float64
	b.eval(t, fmt.Sprintf(`(() => {
	  const mm = %s, layer = %q, code = %q, n = %d;
	  const l = mm.getLayer(layer);
	  const fs = mm.querySourceFeatures(l.source, {sourceLayer: l.sourceLayer, filter: ['==', ['to-string', ['get', 'code']], code]});
	  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
	  const walk = (c) => { if (typeof c[0] === 'number') { const p = mm.project(c); x0 = Math.min(x0, p.x); y0 = Math.min(y0, p.y); x1 = Math.max(x1, p.x); y1 = Math.max(y1, p.y); } else c.forEach(walk); };
	  for (const f of fs) walk(f.geometry.coordinates);
	  const canvas = mm.getCanvas();
	  x0 = Math.max(4, x0); y0 = Math.max(4, y0); x1 = Math.min(canvas.clientWidth - 4, x1); y1 = Math.min(canvas.clientHeight - 4, y1);
	  const rect = mm.getContainer().getBoundingClientRect();
	  const at = (x, y) => { const f = mm.queryRenderedFeatures([x, y], {layers: [layer]}); return f.length > 0 && String(f[0].properties.code) === code; };
	  const labelled = (x, y) => !!mm.getLayer('labels') && mm.queryRenderedFeatures([[x - 6, y - 6], [x + 6, y + 6]], {layers: ['labels']}).length > 0;
	  const step = Math.max(3, Math.min(x1 - x0, y1 - y0) / 12);
	  const out = [];
	  for (let y = y0 + step / 2; y < y1 && out.length < n; y += step) for (let x = x0 + step / 2; x < x1 && out.length < n; x += step) {
	    if (at(x, y) && at(x - 4, y) && at(x + 4, y) && at(x, y - 4) && at(x, y + 4) && !labelled(x, y)) out.push([rect.left + x, rect.top + y]);
	  }
	  return out;
	})()`, mapExpr, layer, code, n), &pts)
	return pts
}

type rgb [3]float64

func hexColour(s string) rgb {
	var c [3]int
	fmt.Sscanf(strings.TrimPrefix(s, "#"), "%02x%02x%02x", &c[0], &c[1], &c[2])
	return rgb{float64(c[0]), float64(c[1]), float64(c[2])}
}

// over is colour c at opacity a over background bg.
func over(c rgb, a float64, bg rgb) rgb {
	return rgb{c[0]*a + bg[0]*(1-a), c[1]*a + bg[1]*(1-a), c[2]*a + bg[2]*(1-a)}
}

func pixel(img image.Image, x, y float64) rgb {
	r, g, b, _ := img.At(int(x), int(y)).RGBA()
	return rgb{float64(r >> 8), float64(g >> 8), float64(b >> 8)}
}

func (c rgb) near(d rgb, tol float64) bool {
	return math.Abs(c[0]-d[0]) <= tol && math.Abs(c[1]-d[1]) <= tol && math.Abs(c[2]-d[2]) <= tol
}

// saturated tells a colour from the greys and whites of unfilled units.
func (c rgb) saturated() bool {
	return math.Max(c[0], math.Max(c[1], c[2]))-math.Min(c[0], math.Min(c[1], c[2])) > 40
}

// share is the fraction of points whose screenshot colour passes ok.
func share(img image.Image, pts [][2]float64, ok func(rgb) bool) float64 {
	n := 0
	for _, p := range pts {
		if ok(pixel(img, p[0], p[1])) {
			n++
		}
	}
	return float64(n) / float64(len(pts))
}

// drawnIn is the share of the points inside unit code (layer
// units-fill) that a screenshot shows in colour c.
func (b *browser) drawnIn(t *testing.T, img image.Image, mapExpr, code string, c rgb, tol float64) float64 {
	t.Helper()
	return share(img, b.insidePoints(t, mapExpr, "units-fill", code, 20), func(p rgb) bool { return p.near(c, tol) })
}

// counting is a reverse proxy in front of the server that counts the
// bytes it sends (as sent: gzipped where the server gzips), so that a
// page's whole transfer shows, its workers' tile requests included.
type counting struct {
	URL   string
	mu    sync.Mutex
	bytes map[string]int
}

type countingWriter struct {
	http.ResponseWriter
	n int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	return w.ResponseWriter.Write(p)
}

func (w *countingWriter) Flush() { w.ResponseWriter.(http.Flusher).Flush() }

func newCounting(t *testing.T, base string) *counting {
	target, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	// The Host header stays the proxy's, so TileJSON's tile URLs point
	// through it too.
	rp := httputil.NewSingleHostReverseProxy(target)
	c := &counting{bytes: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &countingWriter{ResponseWriter: w}
		rp.ServeHTTP(cw, r)
		c.mu.Lock()
		c.bytes[r.URL.RequestURI()] += cw.n
		c.mu.Unlock()
	}))
	t.Cleanup(func() {
		// The page's event stream would hold Close for good.
		srv.CloseClientConnections()
		srv.Close()
	})
	c.URL = srv.URL
	return c
}

// total is the bytes and requests counted so far, minus the event
// stream (which never ends), with a line per request.
func (c *counting) total() (bytes, requests int, lines []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for u, n := range c.bytes {
		if !strings.HasPrefix(u, "/api/v1/events") {
			bytes += n
			requests++
			lines = append(lines, fmt.Sprintf("%8d %s", n, u))
		}
	}
	sort.Strings(lines)
	return bytes, requests, lines
}
