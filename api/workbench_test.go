package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/indmap/indmap/api"
	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/internal/testdb"
	"github.com/indmap/indmap/internal/testxlsx"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/readmodel"
	"github.com/indmap/indmap/store"
)

type violation struct {
	Rule     string
	Severity string
	Units    []string
	Title    string
	Message  string
	Limit    *int
	Lines    []int
}

type fullReport struct {
	Plan       string
	Subject    string
	Revision   int
	Sheet      string
	Lang       string
	Valid      bool
	Errors     int
	Warnings   int
	Violations []violation
}

// errorsFirst fails when a warning comes before an error.
func errorsFirst(t *testing.T, r fullReport) {
	t.Helper()
	warned := false
	for i, v := range r.Violations {
		if v.Severity == "warning" {
			warned = true
		} else if warned {
			t.Errorf("error %d (%s) after a warning", i, v.Rule)
		}
	}
}

// TestReportsInTheClientsLanguage: Accept-Language zh-CN (or ?lang=)
// gives Chinese messages naming 璧山区 and the limit; errors come first;
// the answer says its language and varies with Accept-Language.
func TestReportsInTheClientsLanguage(t *testing.T) {
	_, srv := newServer(t)
	url := srv.URL + "/api/v1/plans/chongqing-2023/validate"
	tests := []struct {
		name, query, accept, lang string
		want                      []string
	}{
		{"zh-CN", "?name=picks.csv", "zh-CN,zh;q=0.9,en;q=0.8", "zh", []string{"主导产业超过上限", "璧山区（500120）有 3 个主导产业", "上限为 2 个"}},
		{"default is Chinese", "?name=picks.csv", "", "zh", []string{"璧山区（500120）有 3 个主导产业"}},
		{"English by q-value", "?name=picks.csv", "zh;q=0.5, en-US", "en", []string{"Too many main industries", "璧山区 (500120) has 3 main industries", "the limit is 2"}},
		{"unsupported falls back", "?name=picks.csv", "fr-FR", "zh", []string{"上限为 2 个"}},
		{"?lang wins", "?name=picks.csv&lang=en", "zh-CN", "en", []string{"the limit is 2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := do(t, "POST", url+tc.query, threeMains, "Content-Type", "text/csv", "Accept-Language", tc.accept)
			var r fullReport
			if err := json.Unmarshal(body, &r); err != nil || resp.StatusCode != 200 {
				t.Fatalf("%d %s", resp.StatusCode, body)
			}
			if resp.Header.Get("Content-Language") != tc.lang || r.Lang != tc.lang {
				t.Errorf("Content-Language %q, lang %q, want %q", resp.Header.Get("Content-Language"), r.Lang, tc.lang)
			}
			if vary := strings.Join(resp.Header.Values("Vary"), ", "); !strings.Contains(tc.query, "lang=") && !strings.Contains(vary, "Accept-Language") {
				t.Errorf("Vary %q", vary)
			}
			first := r.Violations[0]
			if r.Subject != "picks.csv" || r.Errors != 1 || r.Warnings < 30 || first.Rule != "main-limit" || first.Severity != "error" || *first.Limit != 2 {
				t.Fatalf("report %s %d errors %d warnings, first %+v", r.Subject, r.Errors, r.Warnings, first)
			}
			errorsFirst(t, r)
			for _, w := range tc.want {
				if !strings.Contains(first.Title+" "+first.Message, w) {
					t.Errorf("%q lacks %q", first.Title+" "+first.Message, w)
				}
			}
			for _, v := range r.Violations {
				if v.Title == "" || v.Title == v.Rule || v.Message == "" {
					t.Errorf("violation without its words: %+v", v)
				}
			}
		})
	}
	if resp, body := post(t, url+"?lang=fr", "text/csv", threeMains); resp.StatusCode != 400 || !strings.Contains(string(body), `"param":"lang"`) {
		t.Errorf("lang=fr: %d %s", resp.StatusCode, body)
	}
	// The stored plan's report: labelled, and an ETag per language.
	vurl := srv.URL + "/api/v1/plans/chongqing-2023/validation"
	zh, zhBody := get(t, vurl, "Accept-Language", "zh-CN")
	en, enBody := get(t, vurl, "Accept-Language", "en")
	var r fullReport
	json.Unmarshal(zhBody, &r)
	if r.Subject != "stored revision 1" || r.Revision != 1 || !strings.Contains(string(enBody), "has no industry assigned") {
		t.Errorf("stored report %q %d: %.300s", r.Subject, r.Revision, enBody)
	}
	if zh.Header.Get("ETag") == en.Header.Get("ETag") || !strings.Contains(zh.Header.Get("ETag"), "-zh") {
		t.Errorf("ETags zh %q, en %q", zh.Header.Get("ETag"), en.Header.Get("ETag"))
	}
	if resp, _ := get(t, vurl, "Accept-Language", "en", "If-None-Match", en.Header.Get("ETag")); resp.StatusCode != 304 {
		t.Errorf("revalidation in English: %d", resp.StatusCode)
	}
	if resp, _ := get(t, vurl, "Accept-Language", "zh", "If-None-Match", en.Header.Get("ETag")); resp.StatusCode != 200 {
		t.Errorf("the English ETag matched the Chinese answer: %d", resp.StatusCode)
	}
}

// TestIfMatch: two PUTs with the same If-Match: the first stores, the
// second gets 412 with the current revision and stores nothing.
func TestIfMatch(t *testing.T) {
	st, srv := writeServer(t, []string{token}, nil)
	ctx := context.Background()
	url := srv.URL + "/api/v1/plans/chongqing-2023/assignments"
	auth := "Bearer " + token
	resp, _ := get(t, url)
	etag := resp.Header.Get("ETag")
	var revs struct {
		Revisions []struct {
			N    int
			ETag string
		}
	}
	rresp, _ := get(t, srv.URL+"/api/v1/plans/chongqing-2023/revisions")
	getJSON(t, srv.URL+"/api/v1/plans/chongqing-2023/revisions", &revs)
	current := revs.Revisions[0].ETag
	if !isExportTag(etag, 1, "json") || current != `"r1"` || rresp.Header.Get("ETag") != current {
		t.Fatalf("ETags: assignments %q, revisions %q (header %q)", etag, current, rresp.Header.Get("ETag"))
	}
	// The first write, with the assignments' own ETag, stores.
	resp, body := do(t, "PUT", url, twoMains, "Authorization", auth, "If-Match", etag)
	var res struct {
		Revision struct {
			N    int
			ETag string
		}
	}
	json.Unmarshal(body, &res)
	if resp.StatusCode != 200 || res.Revision.N != 2 || res.Revision.ETag != `"r2"` || resp.Header.Get("ETag") != `"r2"` {
		t.Fatalf("first write: %d %s %v", resp.StatusCode, body, resp.Header)
	}
	v, _ := st.DataVersion(ctx)
	// The second, made on the same revision, is refused.
	resp, body = do(t, "PUT", url, threeMains+"500101,万州区,main,CQ-ICV,,\n", "Authorization", auth, "If-Match", current)
	var pr struct {
		Status  int
		Type    string
		Current struct {
			N      int
			ETag   string
			Author string
		} `json:"current_revision"`
	}
	json.Unmarshal(body, &pr)
	if resp.StatusCode != 412 || pr.Type != "/problems/precondition-failed" || pr.Current.N != 2 || pr.Current.ETag != `"r2"` ||
		!strings.HasPrefix(pr.Current.Author, "token:") || resp.Header.Get("ETag") != `"r2"` {
		t.Fatalf("second write: %d %s", resp.StatusCode, body)
	}
	if v2, _ := st.DataVersion(ctx); v2 != v {
		t.Errorf("the refused write moved the data version %d → %d", v, v2)
	}
	snap, _ := readmodel.Load(ctx, st)
	if p, _ := snap.Plan("chongqing-2023"); len(p.Assignments) != 2 || snap.Revision("chongqing-2023") != 2 {
		t.Errorf("after the 412: %d assignments, revision %d", len(p.Assignments), snap.Revision("chongqing-2023"))
	}
	for _, tc := range []struct {
		ifMatch string
		code    int
	}{
		{`W/"r2"`, 412},         // weak tags never match for If-Match
		{`"something"`, 412},    // not a revision of ours
		{`"r1", "r2"`, 200},     // a list with the current one
		{`*`, 200},              // any current representation
		{`r3`, 400},             // not an entity tag
		{`"r4`, 400},            // unterminated
		{"", 200},               // no If-Match: the write goes ahead
		{`"r5-csv", "r9"`, 200}, // the current one, as the CSV's tag
	} {
		resp, body := do(t, "PUT", url, twoMains, "Authorization", auth, "If-Match", tc.ifMatch)
		if resp.StatusCode != tc.code {
			t.Errorf("If-Match %s: %d, want %d: %s", tc.ifMatch, resp.StatusCode, tc.code, body)
		}
	}
	// Restore takes If-Match too.
	restore := srv.URL + "/api/v1/plans/chongqing-2023/revisions/1/restore"
	if resp, body := do(t, "POST", restore, "", "Authorization", auth, "If-Match", `"r2"`); resp.StatusCode != 412 {
		t.Errorf("restore on an old revision: %d %s", resp.StatusCode, body)
	}
	resp, body = do(t, "POST", restore, "", "Authorization", auth, "If-Match", `"r6"`)
	if resp.StatusCode != 200 || resp.Header.Get("ETag") != `"r7"` || !strings.Contains(string(body), `"restored_from":1`) {
		t.Errorf("restore on the current revision: %d %s", resp.StatusCode, body)
	}
}

type diffAnswer struct {
	From, To                string
	FromRevision            int `json:"from_revision"`
	ToRevision              int `json:"to_revision"`
	Added, Removed, Changed int
	Units                   []struct {
		Unit           string
		UnitName       string `json:"unit_name"`
		Added, Removed []struct{ Industry, Role string }
		Changed        []struct{ Industry, From, To string }
	}
	After map[string][]struct {
		Industry     string
		IndustryName string `json:"industry_name"`
		Role         string
	}
	Report *fullReport
}

// TestDiffAgainstTheStoredPlan: a file's diff says per unit what it
// adds, removes and changes, with the draft's picks and its report.
func TestDiffAgainstTheStoredPlan(t *testing.T) {
	st, srv := newServer(t)
	v0, _ := st.DataVersion(context.Background())
	url := srv.URL + "/api/v1/plans/chongqing-2023/diff?name=draft.csv"
	// 大足区 holds CQ-EIM as special and CQ-ICV as main.
	file := threeMains + "500111,大足区,main,新一代电子信息制造业,,\n500111,大足区,main,CQ-ICV,,\n"
	resp, body := do(t, "POST", url, file, "Content-Type", "text/csv", "Accept-Language", "en")
	var d diffAnswer
	if err := json.Unmarshal(body, &d); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if d.From != "stored revision 1" || d.FromRevision != 1 || d.To != "draft.csv" || d.Report == nil || d.Report.Errors != 1 || d.Report.Lang != "en" {
		t.Fatalf("diff %+v", d)
	}
	byUnit := map[string]int{}
	for i, u := range d.Units {
		byUnit[u.Unit] = i
	}
	bishan := d.Units[byUnit["500120"]]
	if bishan.UnitName != "璧山区" || len(bishan.Added) != 1 || bishan.Added[0].Industry != "CQ-ADM" || bishan.Added[0].Role != "main" || len(bishan.Removed) != 0 {
		t.Errorf("璧山区 %+v", bishan)
	}
	if len(d.After["500120"]) != 3 || d.After["500120"][2].IndustryName != "先进材料" {
		t.Errorf("璧山区's draft picks %+v", d.After["500120"])
	}
	if i, ok := byUnit["500111"]; !ok || len(d.Units[i].Changed) != 1 || d.Units[i].Changed[0].Industry != "CQ-EIM" ||
		d.Units[i].Changed[0].From != "special" || d.Units[i].Changed[0].To != "main" || len(d.Units[i].Removed) != 2 {
		t.Errorf("大足区 %+v", d.Units)
	}
	// Everything else stored is removed: all but 璧山区's 2 and 大足区's 2.
	if d.Removed != storedPicks(t, st)-4 || d.Added != 1 || d.Changed != 1 {
		t.Errorf("totals +%d -%d ~%d", d.Added, d.Removed, d.Changed)
	}
	// Nothing stored; CORS lets any page diff.
	if v, _ := st.DataVersion(context.Background()); v != v0 {
		t.Errorf("the diff moved the data version %d → %d", v0, v)
	}
	if resp, _ := do(t, "OPTIONS", url, "", "Origin", "https://anyone.example", "Access-Control-Request-Method", "POST"); resp.StatusCode != 204 {
		t.Errorf("diff preflight %d", resp.StatusCode)
	}
	if resp, body := post(t, url, "text/csv", "cluster,industry,level,host_codes,year,source\nx,y,national,370200,2024,\n"); resp.StatusCode != 400 {
		t.Errorf("a clusters file: %d %s", resp.StatusCode, body)
	}
}

// TestRevisionDiffs: each revision's diff against the one before it, or
// any other.
func TestRevisionDiffs(t *testing.T) {
	st, srv := writeServer(t, []string{token}, nil)
	n := storedPicks(t, st)
	put := func(body string) {
		if resp, b := do(t, "PUT", srv.URL+"/api/v1/plans/chongqing-2023/assignments?force=true", body, "Authorization", "Bearer "+token); resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, b)
		}
	}
	put(twoMains)   // revision 2
	put(threeMains) // revision 3
	var d diffAnswer
	if code := getJSON(t, srv.URL+"/api/v1/plans/chongqing-2023/revisions/3/diff", &d); code != 200 {
		t.Fatal(code)
	}
	if d.FromRevision != 2 || d.ToRevision != 3 || d.From != "stored revision 2" || len(d.Units) != 1 || d.Added != 1 || d.Removed != 0 {
		t.Errorf("3 against 2: %+v", d)
	}
	d = diffAnswer{}
	getJSON(t, srv.URL+"/api/v1/plans/chongqing-2023/revisions/1/diff", &d)
	if d.From != "nothing" || d.Removed != 0 || d.Added != n {
		t.Errorf("the first revision: %+v", d)
	}
	d = diffAnswer{}
	getJSON(t, srv.URL+"/api/v1/plans/chongqing-2023/revisions/3/diff?against=1", &d)
	if d.FromRevision != 1 || d.Added != 1 || d.Removed != n-2 {
		t.Errorf("3 against 1: +%d -%d", d.Added, d.Removed)
	}
	for _, u := range []string{"/revisions/9/diff", "/revisions/3/diff?against=9"} {
		if resp, _ := get(t, srv.URL+"/api/v1/plans/chongqing-2023"+u); resp.StatusCode != 404 {
			t.Errorf("%s: %d", u, resp.StatusCode)
		}
	}
	if resp, _ := get(t, srv.URL+"/api/v1/plans/chongqing-2023/revisions/x/diff"); resp.StatusCode != 400 {
		t.Errorf("bad n: %d", resp.StatusCode)
	}
}

// TestAssignmentsExport: JSON goes back in through PUT unchanged; CSV
// cells are safe; the workbook reads back as the same plan; ETags name
// the revision and the representation.
func TestAssignmentsExport(t *testing.T) {
	st, srv := writeServer(t, []string{token}, nil)
	n := storedPicks(t, st)
	url := srv.URL + "/api/v1/plans/chongqing-2023/assignments"
	auth := "Bearer " + token
	formula := "unit_code,unit_name,role,industry,detail,source\n500120,璧山区,main,CQ-ICV,\"=HYPERLINK(\"\"x\"\")\",-cmd\n"
	if resp, b := do(t, "PUT", url, formula, "Authorization", auth); resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	resp, csvBody := get(t, url+"?format=csv")
	if resp.StatusCode != 200 || !isExportTag(resp.Header.Get("ETag"), 2, "csv") || !strings.Contains(resp.Header.Get("Content-Disposition"), "chongqing-2023-r2.csv") ||
		!strings.Contains(string(csvBody), `500120,璧山区,main,智能网联新能源汽车,"'=HYPERLINK(""x"")",'-cmd`) {
		t.Errorf("CSV: %d %v\n%s", resp.StatusCode, resp.Header, csvBody)
	}
	if resp, _ := get(t, url, "Accept", "text/csv"); !isExportTag(resp.Header.Get("ETag"), 2, "csv") {
		t.Errorf("Accept: text/csv gave %q", resp.Header.Get("ETag"))
	}
	resp, xlsx := get(t, url+"?format=xlsx&lang=en")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != plan.XLSXType || !isExportTag(resp.Header.Get("ETag"), 2, "xlsx-en") || resp.Header.Get("Content-Language") != "en" {
		t.Fatalf("xlsx: %d %v", resp.StatusCode, resp.Header)
	}
	parsed, err := plan.ParseFile(bytes.NewReader(xlsx), "export.xlsx", 0)
	if err != nil || len(parsed.Assignments) != 1 || parsed.Assignments[0].Detail != `=HYPERLINK("x")` || parsed.Assignments[0].Source != "-cmd" {
		t.Errorf("workbook read back: %+v %v", parsed, err)
	}
	if resp, _ := get(t, url+"?format=xlsx&lang=en", "If-None-Match", resp.Header.Get("ETag")); resp.StatusCode != 304 {
		t.Errorf("xlsx revalidation: %d", resp.StatusCode)
	}
	// JSON, PUT back as it is: the same plan, a new revision, no change.
	resp, js := get(t, url)
	if !isExportTag(resp.Header.Get("ETag"), 2, "json") || !strings.Contains(string(js), `"etag":"\"r2\""`) {
		t.Errorf("JSON: %v %s", resp.Header, js)
	}
	if resp, b := do(t, "PUT", url, string(js), "Authorization", auth, "If-Match", resp.Header.Get("ETag")); resp.StatusCode != 200 {
		t.Fatalf("JSON back: %d %s", resp.StatusCode, b)
	}
	var d diffAnswer
	getJSON(t, srv.URL+"/api/v1/plans/chongqing-2023/revisions/3/diff", &d)
	if len(d.Units) != 0 {
		t.Errorf("the JSON export changed the plan: %+v", d.Units)
	}
	// An older revision.
	var old struct {
		Revision    int
		Assignments []struct {
			UnitCode string `json:"unit_code"`
		}
	}
	if code := getJSON(t, url+"?revision=1", &old); code != 200 || old.Revision != 1 || len(old.Assignments) != n {
		t.Errorf("revision 1: %d %+v", code, old.Revision)
	}
	if resp, _ := get(t, url+"?revision=99"); resp.StatusCode != 404 {
		t.Errorf("revision 99: %d", resp.StatusCode)
	}
	if resp, _ := get(t, url+"?format=pdf"); resp.StatusCode != 400 {
		t.Errorf("format=pdf: %d", resp.StatusCode)
	}
}

// storedPicks counts the default Chongqing plan's stored picks.
func storedPicks(t *testing.T, st *store.Store) int {
	t.Helper()
	snap, err := readmodel.Load(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := snap.Plan("chongqing-2023")
	return len(p.Assignments)
}

// planOutcome is what the API says of a file: validate, diff, PUT.
type planOutcome struct {
	validate, diff, put string
}

// outcome runs a file through validate, diff and PUT (on a server of
// its own) and keeps what must not depend on the file's format.
func outcome(t *testing.T, body []byte, contentType string) planOutcome {
	t.Helper()
	st, srv := writeServer(t, []string{token}, nil)
	base := srv.URL + "/api/v1/plans/chongqing-2023"
	var o planOutcome
	var r fullReport
	resp, b := do(t, "POST", base+"/validate?name=f", string(body), "Content-Type", contentType)
	json.Unmarshal(b, &r)
	r.Sheet = ""
	rb, _ := json.Marshal(r)
	o.validate = strings.Join([]string{resp.Status, string(rb)}, " ")
	var d diffAnswer
	resp, b = do(t, "POST", base+"/diff?name=f", string(body), "Content-Type", contentType)
	json.Unmarshal(b, &d)
	d.Report = nil
	db, _ := json.Marshal(d)
	o.diff = resp.Status + " " + string(db)
	resp, b = do(t, "PUT", base+"/assignments?force=true&name=f", string(body), "Content-Type", contentType, "Authorization", "Bearer "+token)
	if resp.StatusCode != 200 {
		t.Fatalf("PUT: %d %s", resp.StatusCode, b)
	}
	snap, err := readmodel.Load(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := snap.Plan("chongqing-2023")
	sb, _ := json.Marshal(p.Assignments)
	o.put = string(sb)
	return o
}

// TestWorkbookBodies: a workbook made in the test, and one LibreOffice
// made, validate, diff and import exactly as their CSV twin.
func TestWorkbookBodies(t *testing.T) {
	csvText := threeMains + "500103,渝中区,special,造船,\"软件, 信息\",src\n500101,万州区,main,CQ-ICV,,\n500101,万州区,main,CQ-ICV,,\n"
	twin := outcome(t, []byte(csvText), "text/csv")
	if !strings.Contains(twin.validate, "200 OK") || !strings.Contains(twin.validate, "unknown-industry") {
		t.Fatalf("CSV twin: %s", twin.validate)
	}
	books := map[string]func(testing.TB) []byte{
		"excelize":    func(t testing.TB) []byte { return testxlsx.FromCSV(t, "表1", csvText) },
		"LibreOffice": func(t testing.TB) []byte { return testxlsx.LibreOffice(t, csvText) },
	}
	for name, book := range books {
		t.Run(name, func(t *testing.T) {
			got := outcome(t, book(t), plan.XLSXType)
			if got != twin {
				t.Errorf("workbook and CSV differ:\nvalidate %s\n         %s\ndiff %s\n     %s\nput %s\n    %s",
					got.validate, twin.validate, got.diff, twin.diff, got.put, twin.put)
			}
		})
	}
}

func TestWorkbookBodyErrors(t *testing.T) {
	_, srv := newServer(t)
	url := srv.URL + "/api/v1/plans/chongqing-2023/validate"
	bad := testxlsx.Book(t, testxlsx.Sheet{Name: "picks", Rows: [][]string{plan.PicksHeader, {"500120", "璧山区", "boss", "CQ-ICV"}}})
	tests := []struct {
		name, contentType string
		body              []byte
		code              int
		want              string
	}{
		{"names sheet, row and column", plan.XLSXType, bad, 400, `picks.xlsx: sheet \"picks\", row 2, column C (role): unknown role`},
		{"says xlsx, sends CSV", plan.XLSXType, []byte(threeMains), 400, "Content-Type says .xlsx, but the body is not a workbook"},
		{"zip bomb", "application/octet-stream", testxlsx.ZipBomb(t), 413, "unpacks"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, b := do(t, "POST", url, string(tc.body), "Content-Type", tc.contentType,
				"Content-Disposition", `attachment; filename="C:\\plans\\picks.xlsx"`)
			if resp.StatusCode != tc.code || !strings.Contains(string(b), tc.want) {
				t.Errorf("%d %s", resp.StatusCode, b)
			}
		})
	}
}

// isExportTag reports whether tag is an export's: the revision, the tags
// of the names and content it was made with, the representation.
func isExportTag(tag string, rev int, rep string) bool {
	return regexp.MustCompile(`^"r` + strconv.Itoa(rev) + `-g[0-9a-z]+-t[0-9a-z]+-` + regexp.QuoteMeta(rep) + `"$`).MatchString(tag)
}

// TestExportsBuiltOnce: an export is built once per revision and
// representation however many ask for it at once, and again only when
// what it says changes; its ETag changes with the unit names it shows
// (a re-import of boundaries), not only with the revision.
func TestExportsBuiltOnce(t *testing.T) {
	st := testdb.Seeded(t, "chongqing-districts")
	live, srv := serve(t, st, api.Config{Store: st})
	url := srv.URL + "/api/v1/plans/chongqing-2023/assignments"
	built := func() string {
		m := regexp.MustCompile(`(?m)^indmap_exports_built_total (\d+)$`).FindStringSubmatch(metricsText(t, srv))
		if m == nil {
			t.Fatal("no indmap_exports_built_total")
		}
		return m[1]
	}
	var wg sync.WaitGroup
	tags := make([]string, 8)
	for i := range tags {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(url + "?format=xlsx")
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				tags[i] = resp.Header.Get("ETag")
			}
		}()
	}
	wg.Wait()
	if n := built(); n != "1" || tags[0] == "" || tags[0] != tags[7] {
		t.Errorf("8 requests at once: %s builds, tags %q", n, tags)
	}
	get(t, url+"?format=xlsx")
	resp, csv := get(t, url+"?format=csv")
	if n := built(); n != "2" {
		t.Errorf("xlsx again and a CSV: %s builds, want 2", n)
	}
	csvTag := resp.Header.Get("ETag")
	if resp, b := get(t, url+"?format=csv&revision=99"); resp.StatusCode != 404 || !strings.Contains(string(b), "revision 99") {
		t.Errorf("an export of a revision that is not kept: %d %s", resp.StatusCode, b)
	}

	// 璧山区 renamed by a re-import: the same revision, another file.
	bs := testdb.Boundaries(t, "chongqing-districts")
	for i := range bs {
		if bs[i].Code == "500120" {
			bs[i].Name = "璧山新区"
		}
	}
	if _, err := st.ImportBoundaries(context.Background(), bs, geo.DefaultAdjacency); err != nil {
		t.Fatal(err)
	}
	if _, err := live.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	resp, csv2 := get(t, url+"?format=csv", "If-None-Match", csvTag)
	if resp.StatusCode != 200 || resp.Header.Get("ETag") == csvTag || !isExportTag(resp.Header.Get("ETag"), 1, "csv") ||
		!strings.Contains(string(csv2), "璧山新区") || !strings.Contains(string(csv), "璧山区") {
		t.Errorf("after the rename: %d, ETag %s (was %s)\n%.300s", resp.StatusCode, resp.Header.Get("ETag"), csvTag, csv2)
	}
}

// TestCutOffResponseCounted: a response whose body could not be written
// after its status went out is counted and logged as cut off (499), not
// as the 200 its header said.
func TestCutOffResponseCounted(t *testing.T) {
	st := testdb.Seeded(t, "chongqing-districts")
	var logs bytes.Buffer
	_, h := handler(t, st, api.Config{Store: st, Log: slog.New(slog.NewTextHandler(&logs, nil))})
	h.ServeHTTP(&failingWriter{ResponseRecorder: httptest.NewRecorder()}, httptest.NewRequest("GET", "/api/v1/plans/chongqing-2023/assignments?format=xlsx", nil))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if text := rec.Body.String(); !strings.Contains(text, `indmap_http_requests_total{code="499",method="GET",route="/api/v1/plans/:id/assignments"} 1`) ||
		strings.Contains(text, `code="200",method="GET",route="/api/v1/plans/:id/assignments"`) {
		t.Errorf("metrics:\n%s", text)
	}
	if !strings.Contains(logs.String(), "response cut off") || !strings.Contains(logs.String(), "status=499") {
		t.Errorf("log:\n%s", logs.String())
	}
}

// failingWriter takes the status, then fails every write of the body, as
// a connection past its write deadline does.
type failingWriter struct{ *httptest.ResponseRecorder }

func (w *failingWriter) Write([]byte) (int, error) { return 0, errors.New("i/o timeout") }
