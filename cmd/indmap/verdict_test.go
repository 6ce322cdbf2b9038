package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/indmap/indmap/api"
	"github.com/indmap/indmap/internal/testhttp"
	"github.com/indmap/indmap/internal/testxlsx"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/readmodel"
	"github.com/indmap/indmap/store"
	"github.com/xuri/excelize/v2"
)

const (
	picksHead    = "unit_code,unit_name,role,industry,detail,source\n"
	clustersHead = "cluster,industry,level,host_codes,year,source\n"
	testToken    = "verdict-test-token"
)

// badPlans is the bad-plan test set: each file, the plan it is for, and
// whether it is valid (only warnings) by the default rules.
var badPlans = []struct {
	name, plan, file string
	valid            bool
}{
	{"3 mains", plan.ChongqingID, picksHead + "500120,璧山区,main,CQ-ICV,,\n500120,璧山区,main,CQ-EIM,,\n500120,璧山区,main,CQ-ADM,,\n", false},
	{"unknown unit", plan.ChongqingID, picksHead + "500120,璧山区,main,CQ-ICV,,\n599999,无此区,main,CQ-ICV,,\n", false},
	{"unknown industry", plan.ChongqingID, picksHead + "500103,渝中区,main,软件信息服务,,\n500103,渝中区,special,造船,,\n", false},
	{"main and special", plan.ChongqingID, picksHead + "500120,璧山区,main,CQ-ICV,,\n500120,璧山区,special,智能网联新能源汽车,,\n", false},
	{"duplicates beyond the limit", plan.ChongqingID, picksHead + strings.Repeat("500120,璧山区,main,CQ-ICV,,\n", 3), false},
	{"duplicate within the limit", plan.ChongqingID, picksHead + strings.Repeat("500120,璧山区,main,CQ-ICV,,\n", 2), true},
	{"special limit", plan.ChongqingID, picksHead + "500120,璧山区,special,CQ-ICV,,\n500120,璧山区,special,CQ-EIM,,\n" +
		"500120,璧山区,special,CQ-ADM,,\n500120,璧山区,special,CQ-IEM,,\n500120,璧山区,special,CQ-SIS,,\n", false},
	{"a zone's 3 mains", plan.ChongqingID, picksHead + "cq-liangjiang,两江新区,main,CQ-ICV,,\ncq-liangjiang,两江新区,main,CQ-EIM,,\ncq-liangjiang,两江新区,main,CQ-SIS,,\n", true},
	{"an abolished unit", plan.ChongqingID, picksHead + "500105,江北区,main,CQ-ICV,,\n", true},
	{"cluster with an unknown host", plan.ShandongID, clustersHead + "青岛市智能家电集群,智能家电,national,370200;379999,2022,\n", false},
	{"cluster twice", plan.ShandongID, clustersHead + "青岛市智能家电集群,智能家电,national,370200,2022,\n青岛市智能家电集群,智能家电,national,370200,2022,\n", false},
	{"joint hosts apart, unknown sector", plan.ShandongID, clustersHead + "测试集群,造船,provincial,370200;370100,2024,\n", true},
}

// verdictServer serves the API over db, as indmap serve does.
func verdictServer(t *testing.T, db string) *httptest.Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	live := readmodel.NewLive(st, 50*time.Millisecond, quiet)
	cfg := api.Config{Data: live, Store: st, Tokens: []string{testToken}, Log: quiet, WritesPerMinute: 1000}
	// No tiles are asked for here: the tile index is left unprepared.
	cfg.Tiles = api.NewTileServer(cfg)
	h := api.New(cfg)
	live.Start(ctx)
	if err := live.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func request(t *testing.T, method, url string, body []byte, hdr ...string) (int, []byte) {
	t.Helper()
	resp, b := testhttp.Do(t, method, url, bytes.NewReader(body), hdr...)
	return resp.StatusCode, b
}

// sameReport compares two reports but for their subject (a path for the
// CLI, a name for the API).
func sameReport(t *testing.T, cliJSON, apiJSON []byte) {
	t.Helper()
	var a, b map[string]any
	if err := json.Unmarshal(cliJSON, &a); err != nil {
		t.Fatalf("CLI report: %v: %s", err, cliJSON)
	}
	if err := json.Unmarshal(apiJSON, &b); err != nil {
		t.Fatalf("API report: %v: %s", err, apiJSON)
	}
	delete(a, "subject")
	delete(b, "subject")
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Errorf("CLI and API reports differ:\nCLI %s\nAPI %s", ja, jb)
	}
}

// TestCLIAndAPIVerdictsMatch: for every file of the bad-plan set, as
// CSV and as a workbook, indmap validate and POST …/validate give the
// same report (verdict, severities, rules, units, lines, messages), and
// indmap import plan and PUT …/assignments the same verdict: both refuse
// a file with errors (exit 1, 422) and store nothing, both store it
// when forced.
func TestCLIAndAPIVerdictsMatch(t *testing.T) {
	db := initDB(t)
	srv := verdictServer(t, db)
	dir := t.TempDir()
	version := func() int64 {
		_, b := request(t, "GET", srv.URL+"/readyz", nil)
		var r struct {
			DataVersion int64 `json:"data_version"`
		}
		json.Unmarshal(b, &r)
		return r.DataVersion
	}
	for i, bp := range badPlans {
		for _, format := range []string{"csv", "xlsx"} {
			// Under -short the workbook path is tried on two files only.
			if format == "xlsx" && testing.Short() && i > 1 {
				continue
			}
			t.Run(bp.name+" "+format, func(t *testing.T) {
				body := []byte(bp.file)
				if format == "xlsx" {
					body = testxlsx.FromCSV(t, "plan", bp.file)
				}
				path := filepath.Join(dir, strings.ReplaceAll(bp.name, " ", "-")+"."+format)
				if err := os.WriteFile(path, body, 0o644); err != nil {
					t.Fatal(err)
				}
				base := srv.URL + "/api/v1/plans/" + bp.plan
				code, cliOut, errOut := cli(t, nil, "validate", "--db", db, "--plan", bp.plan, path, "--format", "json")
				if code != map[bool]int{true: 0, false: 1}[bp.valid] {
					t.Fatalf("indmap validate: exit %d, want valid=%v\n%s%s", code, bp.valid, cliOut, errOut)
				}
				status, apiOut := request(t, "POST", base+"/validate?name="+filepath.Base(path), body)
				if status != 200 {
					t.Fatalf("POST validate: %d %s", status, apiOut)
				}
				sameReport(t, []byte(cliOut), apiOut)

				// Writes: refused alike, or stored alike.
				before := version()
				code, _, errOut = cli(t, nil, "import", "plan", path, "--db", db, "--plan", bp.plan)
				status, putOut := request(t, "PUT", base+"/assignments", body, "Authorization", "Bearer "+testToken)
				if bp.valid {
					if code != 0 || status != 200 {
						t.Errorf("valid file: import exit %d (%s), PUT %d %.300s", code, errOut, status, putOut)
					}
					return
				}
				if code != 1 || status != 422 || !strings.Contains(errOut, "nothing stored") {
					t.Errorf("file with errors: import exit %d (%s), PUT %d %.300s", code, errOut, status, putOut)
				}
				if after := version(); after != before {
					t.Errorf("a refused write moved the data: %d → %d", before, after)
				}
				var pr struct{ Report json.RawMessage }
				json.Unmarshal(putOut, &pr)
				sameReport(t, []byte(cliOut), pr.Report)
				code, _, errOut = cli(t, nil, "import", "plan", path, "--db", db, "--plan", bp.plan, "--force", "--format", "json")
				status, putOut = request(t, "PUT", base+"/assignments?force=true", body, "Authorization", "Bearer "+testToken)
				if code != 0 || status != 200 || !strings.Contains(string(putOut), `"forced":true`) {
					t.Errorf("forced: import exit %d (%s), PUT %d %.300s", code, errOut, status, putOut)
				}
			})
		}
	}
}

// TestExportPlanCommand: indmap export plan writes the workbook (contract
// sheet and matrix), CSV and JSON; each imports back as the same plan.
func TestExportPlanCommand(t *testing.T) {
	db := initDB(t)
	dir := t.TempDir()
	for _, f := range []string{"cq.xlsx", "cq.csv", "cq.json", "sd.xlsx"} {
		id := plan.ChongqingID
		if strings.HasPrefix(f, "sd") {
			id = plan.ShandongID
		}
		out := filepath.Join(dir, f)
		code, stdout, errOut := cli(t, nil, "export", "plan", "--plan", id, "--db", db, out)
		if code != 0 || !strings.Contains(stdout, ", revision ") {
			t.Fatalf("export %s: %d %s %s", f, code, stdout, errOut)
		}
		code, stdout, errOut = cli(t, nil, "import", "plan", out, "--plan", id, "--db", db, "--lang", "en")
		if code != 0 {
			t.Fatalf("import %s: %d %s %s", f, code, stdout, errOut)
		}
		// The revision the import made changes nothing.
		srv := verdictServer(t, db)
		var revs struct{ Revisions []struct{ N int } }
		_, b := request(t, "GET", srv.URL+"/api/v1/plans/"+id+"/revisions", nil)
		json.Unmarshal(b, &revs)
		_, b = request(t, "GET", srv.URL+"/api/v1/plans/"+id+"/revisions/"+strconv.Itoa(revs.Revisions[0].N)+"/diff", nil)
		if !strings.Contains(string(b), `"units":[]`) {
			t.Errorf("%s imported back changed the plan: %.400s", f, b)
		}
	}
	xf, err := excelize.OpenFile(filepath.Join(dir, "cq.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer xf.Close()
	if sheets := xf.GetSheetList(); strings.Join(sheets, ",") != "assignments,matrix" {
		t.Errorf("sheets %v", sheets)
	}
	rows, _ := xf.GetRows("matrix")
	found := false
	for _, r := range rows {
		if len(r) > 2 && r[0] == "500120" && r[1] == "璧山区" && strings.Contains(strings.Join(r, ","), "主导") {
			found = true
		}
	}
	if !found || rows[0][2] != "万亿级主导产业集群" {
		t.Errorf("matrix: %v", rows[:3])
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--plan", plan.ChongqingID, filepath.Join(dir, "x.pdf")}, `format "pdf"`},
		{[]string{"--plan", plan.ChongqingID, "--revision", "99", filepath.Join(dir, "x.csv")}, "revision 99: no such revision"},
		{[]string{"--plan", "nope", filepath.Join(dir, "x.csv")}, `no plan "nope"`},
	} {
		if code, _, errOut := cli(t, nil, append([]string{"export", "plan", "--db", db}, tc.args...)...); code == 0 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: %d %s", tc.args, code, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x.csv")); err == nil {
		t.Error("a failed export left a file")
	}
}
