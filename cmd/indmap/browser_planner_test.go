package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/indmap/indmap/internal/testhttp"
)

// storedCSV is the plan's assignments as CSV, with the revision's ETag.
func storedCSV(t *testing.T, base string) (string, string) {
	resp, body := testhttp.Do(t, "GET", base+"/api/v1/plans/chongqing-2023/assignments?format=csv", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("assignments: %d", resp.StatusCode)
	}
	return string(body), resp.Header.Get("ETag")
}

// putCSV stores a plan file as another planner would, through the API.
func putCSV(t *testing.T, base, token, csv, etag string) {
	t.Helper()
	resp, body := testhttp.Do(t, "PUT", base+"/api/v1/plans/chongqing-2023/assignments", strings.NewReader(csv),
		"Authorization", "Bearer "+token, "If-Match", etag, "Content-Type", "text/csv")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT: %d %s", resp.StatusCode, body)
	}
}

func revisionCount(t *testing.T, base string) int {
	var r struct{ Revisions []struct{ N int } }
	getJSON(t, base+"/api/v1/plans/chongqing-2023/revisions", &r)
	return len(r.Revisions)
}

// TestBrowserPlanner: a write reaches an open page within 2 s without
// reloading a tile (issue 13), and the planner's workbench: a file as a
// draft, errors first, saving refused then forced, revisions with their
// diffs, a restore, and someone else's save (issue 14).
func TestBrowserPlanner(t *testing.T) {
	const token = "planner-test-token"
	t.Setenv("INDMAP_TOKENS", token)
	b := newBrowser(t)
	bin := binary(t)
	db := initDB(t)
	_, base, _ := startServer(t, bin, db)

	t.Run("live update", func(t *testing.T) {
		b.open(t, base+"/?plan=chongqing-2023")
		b.settled(t, "indmap.map")
		var tilesBefore int
		b.eval(t, `indmap.tileLoads`, &tilesBefore)
		// 渝中区 has nothing published; another planner gives it a main
		// industry of the second tier.
		csv, etag := storedCSV(t, base)
		putCSV(t, base, token, csv+"500103,渝中区,main,软件信息服务,,https://example.com/live\n", etag)
		written := time.Now()
		b.waitWithin(t, "渝中区's new colour", `(() => { const s = `+unitState("500103")+`; return s.hatch === false && s.fill === '#2c7fb8'; })()`, 2*time.Second)
		t.Logf("a write reached the open page in %v", time.Since(written).Round(time.Millisecond))
		if c := b.evalString(t, `document.querySelector('#coverage').textContent`); !strings.Contains(c, "13 个有公开") {
			t.Errorf("coverage after the write: %s", c)
		}
		var tilesAfter int
		b.eval(t, `indmap.tileLoads`, &tilesAfter)
		if tilesAfter != tilesBefore {
			t.Errorf("the write reloaded %d tiles", tilesAfter-tilesBefore)
		}
		screenshot(t, b, "live-update.png")
		b.checkClean(t, "live update")
	})

	t.Run("workbench", func(t *testing.T) {
		b.expect("422 "+base+"/api/v1/plans/chongqing-2023/assignments", "412 "+base+"/api/v1/plans/chongqing-2023/assignments")
		b.open(t, base+"/?plan=chongqing-2023&view=planner&industry=CQ-ADM")
		b.wait(t, "the stored plan's report", `document.querySelector('#stored .report-subject')`)
		if s := b.evalString(t, `document.querySelector('#stored .report-subject').textContent`); !strings.HasPrefix(s, "检查对象：已存规划第") || !regexp.MustCompile(`按 \d{4}-\d{2}-\d{2} 的区划检查`).MatchString(s) {
			t.Errorf("the stored report is labelled %q", s)
		}
		// The stored plan exports as CSV and as a workbook from the view.
		var exported []string
		b.eval(t, `Promise.all(['#export-csv', '#export-xlsx'].map(s => fetch(document.querySelector(s).href).then(r => r.arrayBuffer())
		  .then(b => String.fromCharCode(...new Uint8Array(b).slice(0, 9)))))`, &exported)
		if len(exported) != 2 || exported[0] != "unit_code" || !strings.HasPrefix(exported[1], "PK") {
			t.Errorf("the planner's exports start %q", exported)
		}
		// The revision list counts what the stored report says.
		b.wait(t, "the revisions", `document.querySelector('#revisions li.revision .sev-warning')`)
		rev := b.evalString(t, `document.querySelector('#revisions li.revision .sev-warning').textContent`)
		if rep := b.evalString(t, `document.querySelector('#stored').textContent`); !strings.Contains(rep, rev) {
			t.Errorf("the newest revision says %q; the stored report: %.200s", rev, rep)
		}
		// Warning-only units are outlined as warnings, never as errors.
		if s := b.evalString(t, unitState("500229")+`.sev`); s != "warning" {
			t.Errorf("城口县 (no picks: a warning) is outlined as %q", s)
		}

		// A file with 3 main industries for 璧山区: a draft, nothing stored.
		csv, _ := storedCSV(t, base)
		file := filepath.Join(t.TempDir(), "bishan-3-main.csv")
		os.WriteFile(file, []byte(csv+"500120,璧山区,main,先进材料,,https://example.com/bishan\n"), 0o644)
		revisions := revisionCount(t, base)
		b.run(t, chromedp.SetUploadFiles("#file", []string{file}, chromedp.ByQuery))
		b.wait(t, "the draft", `document.querySelector('#draft-box')`)
		if h := b.evalString(t, `document.querySelector('#draft-box h3').textContent`); !strings.Contains(h, "bishan-3-main.csv") || !strings.Contains(h, "未保存") {
			t.Errorf("the draft is labelled %q", h)
		}
		if s := b.evalString(t, `document.querySelector('#draft-report .report-subject').textContent`); !strings.Contains(s, "bishan-3-main.csv") {
			t.Errorf("the file's report is labelled %q", s)
		}
		// 璧山区 is an error (red, thick), first in the list; the
		// warnings come after, in their own colour.
		var items []struct{ Class, Text string }
		b.eval(t, `[...document.querySelectorAll('#draft-report li.violation')].map(li => ({Class: li.className, Text: li.textContent}))`, &items)
		if len(items) < 2 || !strings.Contains(items[0].Class, "sev-error") || !strings.Contains(items[0].Text, "璧山区") {
			t.Fatalf("the draft's report does not start with 璧山区's error: %.300v", items)
		}
		seenWarning := false
		for _, it := range items {
			if strings.Contains(it.Class, "sev-warning") {
				seenWarning = true
			} else if seenWarning {
				t.Errorf("an error after a warning: %s", it.Text)
			}
		}
		if !seenWarning {
			t.Error("the draft's report shows no warnings")
		}
		if strings.Contains(items[0].Text, "main-limit") && !strings.Contains(b.evalString(t, `document.querySelector('#draft-report summary').textContent`), "主导产业") {
			t.Error("a rule is shown by its id alone")
		}
		var sev struct{ Bishan, Chengkou, Colour, Width string }
		b.eval(t, `({Bishan: `+unitState("500120")+`.sev, Chengkou: `+unitState("500229")+`.sev,
		  Colour: JSON.stringify(indmap.map.getPaintProperty('units-severity', 'line-color')), Width: JSON.stringify(indmap.map.getPaintProperty('units-severity', 'line-width'))})`, &sev)
		if sev.Bishan != "error" || sev.Chengkou != "warning" || !strings.Contains(sev.Colour, `"error","#dc2626","warning","#d97706"`) || !strings.Contains(sev.Width, `"error",2.6,"warning",1.2`) {
			t.Errorf("severities on the map: %+v", sev)
		}
		// The map shows the draft: 璧山区 holds 先进材料 as main in it.
		if s := b.evalString(t, `JSON.stringify(`+unitState("500120")+`)`); !strings.Contains(s, `"fill":"#c2410c"`) || !strings.Contains(s, `"changed":true`) {
			t.Errorf("璧山区 in the draft: %s", s)
		}
		// Its panel shows the draft's 3 picks.
		b.click(t, `#draft-report li.violation button[data-unit="500120"]`)
		b.wait(t, "the draft panel", `document.querySelector('#panel .draft-box')`)
		var picks []string
		b.eval(t, `[...document.querySelector('#panel .draft-box ul').querySelectorAll('li')].map(li => li.textContent)`, &picks)
		if strings.Join(picks, ",") != "智能网联新能源汽车,新一代电子信息制造业,先进材料" {
			t.Errorf("the draft panel's main picks: %v", picks)
		}
		screenshot(t, b, "planner-draft.png")
		if n := revisionCount(t, base); n != revisions {
			t.Errorf("checking a file stored it: %d revisions, were %d", n, revisions)
		}

		// Saving asks for the token once; the rules refuse, nothing is stored.
		b.click(t, "#save")
		b.wait(t, "the token dialog", `document.querySelector('#token-dialog').open`)
		b.run(t, chromedp.SendKeys("#token-input", token, chromedp.ByQuery))
		b.click(t, `#token-dialog button[value="ok"]`)
		b.wait(t, "the refusal", `document.querySelector('#save-force')`)
		if m := b.evalString(t, `document.querySelector('#draft-msg').textContent`); !strings.Contains(m, "未保存") {
			t.Errorf("refusal message: %s", m)
		}
		if n := revisionCount(t, base); n != revisions {
			t.Errorf("a refused save stored: %d revisions, were %d", n, revisions)
		}
		screenshot(t, b, "planner-refused.png")
		// Saving anyway stores it; the map shows the stored plan.
		b.click(t, "#save-force")
		b.wait(t, "saved", `document.querySelector('#draft-msg') && document.querySelector('#draft-msg').textContent.includes('已保存为第')`)
		if n := revisionCount(t, base); n != revisions+1 {
			t.Fatalf("save anyway: %d revisions, were %d", n, revisions)
		}
		b.wait(t, "the stored plan on the map", `(() => { const s = `+unitState("500120")+`; return s.fill === '#c2410c' && !s.changed; })()`)
		// The revision list shows what the new revision changed.
		newest := fmt.Sprint(revisions + 1)
		b.wait(t, "the new revision", `document.querySelector('#revisions li.revision[data-n="`+newest+`"]')`)
		if r := b.evalString(t, `document.querySelector('#revisions li.revision[data-n="`+newest+`"]').textContent`); !strings.Contains(r, "强制保存") {
			t.Errorf("the forced revision: %s", r)
		}
		b.click(t, `#revisions button[data-diff="`+newest+`"]`)
		b.wait(t, "its diff", `document.querySelector('#revisions li.revision[data-n="`+newest+`"] .diff')`)
		if d := b.evalString(t, `document.querySelector('#revisions li.revision[data-n="`+newest+`"] .diff').textContent`); !strings.Contains(d, "璧山区") || !strings.Contains(d, "+ 先进材料") {
			t.Errorf("the revision's diff: %s", d)
		}
		screenshot(t, b, "planner-revisions.png")
		// Restoring the revision before brings the old picks back.
		before := fmt.Sprint(revisions)
		b.click(t, `#revisions button[data-ask-restore="`+before+`"]`)
		b.wait(t, "the confirmation", `document.querySelector('#revisions button[data-restore="`+before+`"]')`)
		b.click(t, `#revisions button[data-restore="`+before+`"]`)
		b.wait(t, "the old picks on the map", `(() => { const s = `+unitState("500120")+`; return s.fill === '#e7e5e4'; })()`)
		b.wait(t, "the restore's message", `document.querySelector('#restore-msg').textContent.includes('已恢复第 `+before+` 版')`)
		screenshot(t, b, "planner-restored.png")
		var kept struct{ Token, URL string }
		b.eval(t, `({Token: sessionStorage.getItem('indmap.token') || '', URL: location.href})`, &kept)
		if kept.Token != token || strings.Contains(kept.URL, token) {
			t.Errorf("the token: in sessionStorage %q, URL %s", kept.Token, kept.URL)
		}

		// An edit in 璧山区's panel, while another planner saves: 412, and
		// their changes on offer.
		b.click(t, `#panel .close`)
		b.open(t, base+"/?plan=chongqing-2023&view=planner&unit=500120")
		b.wait(t, "the editor", `document.querySelector('#panel .editor #add-pick')`)
		b.run(t, chromedp.SetValue("#add-industry", "CQ-BIO", chromedp.ByQuery), chromedp.SetValue("#add-role", "special", chromedp.ByQuery))
		b.click(t, "#add-pick")
		b.wait(t, "the edit draft", `document.querySelector('#draft-box') && document.querySelector('#draft-box').textContent.includes('编辑草稿')`)
		if s := b.evalString(t, `JSON.stringify(`+unitState("500120")+`)`); !strings.Contains(s, `"changed":true`) {
			t.Errorf("the edit is not drawn: %s", s)
		}
		// The draft and its report say what was edited, not a file.
		box := b.evalString(t, `document.querySelector('#draft-box').textContent`)
		if !strings.Contains(box, "璧山区: + 特色产业 生物医药") || strings.Contains(box, "edits.json") || strings.Contains(box, "第 1 行") {
			t.Errorf("the edit draft reads: %.400s", box)
		}
		csv, etag := storedCSV(t, base)
		putCSV(t, base, token, csv+"500101,万州区,special,生物医药,,https://example.com/other\n", etag)
		// The live update flags the draft as made on an older revision
		// before any save is tried, their changes on offer.
		b.wait(t, "the stale draft", `document.querySelector('#stale') !== null`)
		b.click(t, "#stale #their-diff")
		b.wait(t, "their changes", `document.querySelector('#stale #their-changes .diff')`)
		if d := b.evalString(t, `document.querySelector('#stale #their-changes').textContent`); !strings.Contains(d, "万州区") {
			t.Errorf("the stale draft's other changes: %s", d)
		}
		b.click(t, "#save")
		b.wait(t, "someone else saved", `document.querySelector('#conflict')`)
		b.click(t, "#their-diff")
		b.wait(t, "their changes", `document.querySelector('#their-changes .diff')`)
		if d := b.evalString(t, `document.querySelector('#their-changes').textContent`); !strings.Contains(d, "万州区") || !strings.Contains(d, "生物医药") {
			t.Errorf("their changes: %s", d)
		}
		screenshot(t, b, "planner-conflict.png")
		b.checkClean(t, "workbench")
	})
}
