package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/indmap/indmap/internal/shareddata"
	"github.com/indmap/indmap/internal/testpg"
)

// cli runs a command line in-process and returns exit code and output.
func cli(t *testing.T, envVars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &env{stdout: &out, stderr: &errOut, log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		getenv: func(k string) string { return envVars[k] }}
	code := run(context.Background(), e, args)
	return code, out.String(), errOut.String()
}

func boundariesDir(t *testing.T) string { return filepath.Join(shareddata.Dir(t), "boundaries") }

// TestMain gives the package one directory for what its tests build
// once (a freshly initialised database) and removes it. Started under the
// name indmap (binary links that name to this test binary), it is the
// command itself: the same package, embedded files included, without a
// second five-second link.
func TestMain(m *testing.M) {
	if filepath.Base(os.Args[0]) == "indmap" {
		main()
		return
	}
	dir, err := os.MkdirTemp("", "indmap-cmd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	shared.dir = dir
	code := m.Run()
	os.RemoveAll(dir)
	testpg.Stop()
	os.Exit(code)
}

// shared holds what is made once per test run: init takes about 1.5 s
// and a dozen tests need its result.
var shared struct {
	dir               string
	binOnce, initOnce sync.Once
	bin, db           string
	binErr, initErr   string
}

// initDB gives the test its own copy of a database made by `indmap init`
// from the shared boundaries (init runs once; TestInit tests init itself).
func initDB(t *testing.T) string {
	t.Helper()
	shared.initOnce.Do(func() {
		db := filepath.Join(shared.dir, "template.gpkg")
		code, out, errOut := cli(t, nil, "init", "--db", db, "--boundaries", boundariesDir(t))
		if code != 0 {
			shared.initErr = fmt.Sprintf("init: %d\n%s\n%s", code, out, errOut)
			return
		}
		shared.db = db
	})
	if shared.initErr != "" {
		t.Fatal(shared.initErr)
	}
	if shared.db == "" {
		t.Fatal("no database template: the first init failed (see the first failing test)")
	}
	db := filepath.Join(t.TempDir(), "indmap.gpkg")
	copyFile(t, shared.db, db)
	return db
}

// copyFile copies a closed database file (init leaves no -wal beside it).
func copyFile(t testing.TB, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestInit(t *testing.T) {
	db := initDB(t)
	if _, err := os.Stat(db); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := cli(t, nil, "init", "--db", db, "--boundaries", boundariesDir(t))
	if code != 1 || !strings.Contains(errOut, "exists; use --force") {
		t.Errorf("init over an existing db: %d %s", code, errOut)
	}
	// INDMAP_DB and INDMAP_BOUNDARIES stand in for the flags.
	db2 := filepath.Join(t.TempDir(), "env.gpkg")
	code, out, errOut := cli(t, map[string]string{"INDMAP_DB": db2, "INDMAP_BOUNDARIES": boundariesDir(t)}, "init")
	if code != 0 || !strings.Contains(out, "repaired 500107 九龙坡区") || !strings.Contains(out, "created "+db2) {
		t.Errorf("init from the environment: %d\n%s\n%s", code, out, errOut)
	}
}

func TestInitFailureLeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "b")
	os.Mkdir(bad, 0o755)
	src, _ := os.ReadFile(shareddata.Boundary(t, "chongqing-districts"))
	os.WriteFile(filepath.Join(bad, "a.geojson"), src, 0o644)
	os.WriteFile(filepath.Join(bad, "b.geojson"), []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"adcode":"1","name":"x"},"geometry":null}]}`), 0o644)
	db := filepath.Join(dir, "x.gpkg")
	code, _, errOut := cli(t, nil, "init", "--db", db, "--boundaries", bad)
	if code != 1 || !strings.Contains(errOut, "b.geojson: feature 1: 1 x: no geometry") {
		t.Errorf("init with a bad file: %d %s", code, errOut)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files left after a failed init: %v", entries)
	}
}

func TestImportCommands(t *testing.T) {
	db := initDB(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "picks.csv")
	os.WriteFile(good, []byte("unit_code,unit_name,role,industry,detail,source\n500103,渝中区,main,软件信息服务,,mine\n500103,渝中区,special,造船,,mine\n"), 0o644)
	code, out, errOut := cli(t, nil, "import", good, "--plan", "chongqing-2023", "--db", db)
	if code != 2 || !strings.Contains(errOut, "import what?") {
		t.Errorf("import without a kind: %d %s", code, errOut)
	}
	// An industry outside the catalogue is an error, as in the API: the
	// file is refused with its report, unless --force.
	code, out, errOut = cli(t, nil, "import", "plan", good, "--plan", "chongqing-2023", "--db", db, "--lang", "en")
	if code != 1 || !strings.Contains(out, `unknown-industry`) || !strings.Contains(out, `industry "造船" is not in the catalogue`) ||
		!strings.Contains(out, "[line 3]") || !strings.Contains(errOut, "1 errors: nothing stored (--force stores it anyway)") {
		t.Errorf("import plan: %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = cli(t, nil, "import", "plan", good, "--plan", "chongqing-2023", "--db", db, "--force")
	if code != 0 || !strings.Contains(out, "stored 2 assignments, 0 clusters as revision 2 (1 errors,") || !strings.Contains(out, "产业不在目录中") {
		t.Errorf("import plan --force: %d\n%s\n%s", code, out, errOut)
	}
	code, _, errOut = cli(t, nil, "import", "plan", good, "--db", db)
	if code != 2 || !strings.Contains(errOut, "give one FILE and --plan ID") {
		t.Errorf("import plan without --plan: %d %s", code, errOut)
	}
	bad := filepath.Join(dir, "bad.geojson")
	os.WriteFile(bad, []byte("{\"type\": \"FeatureCollection\",\n \"features\": [\n}"), 0o644)
	code, _, errOut = cli(t, nil, "import", "boundaries", bad, "--db", db)
	if code != 1 || !strings.Contains(errOut, bad+": malformed JSON at line 3") {
		t.Errorf("import of malformed JSON: %d %s", code, errOut)
	}
	code, out, errOut = cli(t, nil, "import", "boundaries", "--crs", "wgs84", shareddata.Boundary(t, "shandong-cities"), "--db", db)
	if code != 0 || !strings.Contains(out, "0 new and 16 replaced units") {
		t.Errorf("re-import: %d\n%s\n%s", code, out, errOut)
	}
	code, _, errOut = cli(t, nil, "import", "boundaries", "--crs", "bd09", bad, "--db", db)
	if code != 2 || !strings.Contains(errOut, `unknown CRS "bd09"`) {
		t.Errorf("bad --crs: %d %s", code, errOut)
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {"init", "--help"}, {"serve", "--help"}, {"import", "--help"},
		{"import", "boundaries", "--help"}, {"import", "plan", "--help"}, {"fetch", "--help"}, {"fetch", "boundaries", "--help"},
		{"validate", "--help"}, {"export", "--help"}, {"export", "mbtiles", "--help"}, {"import", "definition", "--help"},
	} {
		code, out, _ := cli(t, nil, args...)
		if code != 0 || !strings.Contains(out, "Usage") {
			t.Errorf("%v: %d %q", args, code, out)
		}
	}
	if code, _, errOut := cli(t, nil, "frobnicate"); code != 2 || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %d %s", code, errOut)
	}
	if code, _, errOut := cli(t, nil, "serve", "--nope"); code != 2 || !strings.Contains(errOut, "flag provided but not defined") {
		t.Errorf("unknown flag: %d %s", code, errOut)
	}
}

func TestFetchCommand(t *testing.T) {
	srv := shareddata.DataVServer(t)
	out := t.TempDir()
	code, stdout, errOut := cli(t, nil, "fetch", "boundaries", "--out", out, "--base-url", srv.URL+"/areas_v3/bound")
	if code != 0 || !strings.Contains(stdout, "shandong-counties.gcj02.geojson: 137 features") {
		t.Fatalf("fetch: %d\n%s\n%s", code, stdout, errOut)
	}
	db := filepath.Join(t.TempDir(), "f.gpkg")
	if code, _, errOut := cli(t, nil, "init", "--db", db, "--boundaries", out); code != 0 {
		t.Errorf("init from fetched files: %s", errOut)
	}
}

// binary gives the tests that run indmap as a process its path: a link
// named indmap to this test binary, which TestMain runs as the command.
func binary(t testing.TB) string {
	t.Helper()
	shared.binOnce.Do(func() {
		self, err := os.Executable()
		if err != nil {
			shared.binErr = err.Error()
			return
		}
		bin := filepath.Join(shared.dir, "indmap")
		if err := os.Symlink(self, bin); err != nil {
			shared.binErr = err.Error()
			return
		}
		shared.bin = bin
	})
	if shared.binErr != "" {
		t.Fatal(shared.binErr)
	}
	return shared.bin
}

func freeAddr(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServer runs `indmap serve` and waits for /readyz; it returns the
// process and how long the first ready answer (/readyz 200) took.
func startServer(t testing.TB, bin, db string) (*exec.Cmd, string, time.Duration) {
	return startServerEnv(t, bin, db)
}

// startServerEnv is startServer with environment variables added.
func startServerEnv(t testing.TB, bin, db string, env ...string) (*exec.Cmd, string, time.Duration) {
	t.Helper()
	return startServerArgs(t, bin, db, env)
}

// startServerArgs is startServerEnv with serve's arguments added (later
// ones win).
func startServerArgs(t testing.TB, bin, db string, env []string, args ...string) (*exec.Cmd, string, time.Duration) {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(bin, append([]string{"serve", "--db", db, "--addr", addr, "--reload-interval", "50ms"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var logs bytes.Buffer
	cmd.Stderr = &logs
	if os.Getenv("INDMAP_TEST_SERVER_LOGS") != "" { // to see what the servers of a test said
		cmd.Stderr = io.MultiWriter(&logs, os.Stderr)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for time.Since(start) < 10*time.Second {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return cmd, "http://" + addr, time.Since(start)
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("server did not become ready:\n%s", logs.String())
	return nil, "", 0
}

func body(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestServe runs the real binary: it answers, picks up an import made by
// another process without a restart, and exits cleanly on SIGTERM.
func TestServe(t *testing.T) {
	bin := binary(t)
	db := initDB(t)
	cmd, base, took := startServer(t, bin, db)
	t.Logf("ready %v after start", took)
	if b := body(t, base+"/api/v1/units/500103"); !strings.Contains(b, `"name":"渝中区"`) || !strings.Contains(b, `"main":[]`) {
		t.Errorf("渝中区 before import: %.300s", b)
	}
	csv := filepath.Join(t.TempDir(), "p.csv")
	os.WriteFile(csv, []byte("unit_code,unit_name,role,industry,detail,source\n500103,渝中区,main,CQ-SIS,,mine\n"), 0o644)
	if out, err := exec.Command(bin, "import", "plan", csv, "--plan", "chongqing-2023", "--db", db).CombinedOutput(); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(body(t, base+"/api/v1/units/500103"), `"code":"CQ-SIS"`) {
		if time.Now().After(deadline) {
			t.Fatal("the server did not pick up the import")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// SIGTERM while a large response is in flight and an event stream is
	// open: the response completes, the stream ends, and the server exits
	// cleanly, without waiting out its grace.
	stream, err := http.Get(base + "/api/v1/events")
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()
	resp, err := http.Get(base + "/ogc/collections/units/items?limit=1000")
	if err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var page struct {
		NumberReturned int `json:"numberReturned"`
	}
	err = json.NewDecoder(resp.Body).Decode(&page)
	resp.Body.Close()
	if err != nil || page.NumberReturned != 370 {
		t.Errorf("in-flight response cut by shutdown: %v, %d features", err, page.NumberReturned)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}
	if took := time.Since(stopped); took > 5*time.Second {
		t.Errorf("shutdown took %v with an event stream open", took)
	}
}

func TestServeWithoutDatabase(t *testing.T) {
	code, _, errOut := cli(t, nil, "serve", "--db", filepath.Join(t.TempDir(), "none.gpkg"))
	if code != 1 || !strings.Contains(errOut, "create it with indmap init") {
		t.Errorf("%d %s", code, errOut)
	}
}

// BenchmarkServeStartup measures process start to ready (/readyz 200: data and tile index live)
// with the database present.
func BenchmarkServeStartup(b *testing.B) {
	bin := binary(b)
	db := filepath.Join(b.TempDir(), "b.gpkg")
	if out, err := exec.Command(bin, "init", "--db", db, "--boundaries", filepath.Join(shareddata.Dir(b), "boundaries")).CombinedOutput(); err != nil {
		b.Fatalf("%v\n%s", err, out)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cmd, _, took := startServer(b, bin, db)
		b.ReportMetric(float64(took.Milliseconds()), "ms-to-ready")
		b.StopTimer()
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		b.StartTimer()
	}
}

// TestValidateCommand runs the built binary: exit codes 0/1/2 and the
// JSON report contract.
func TestValidateCommand(t *testing.T) {
	bin := binary(t)
	db := initDB(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o644)
		return p
	}
	over := write("over.csv", "unit_code,unit_name,role,industry,detail,source\n500120,璧山区,main,CQ-ICV,,\n500120,璧山区,main,CQ-EIM,,\n500120,璧山区,main,CQ-ADM,,\n")
	ok := write("ok.json", `{"assignments": [{"unit_code": "500120", "role": "main", "industry": "CQ-ICV"}]}`)
	bad := write("bad.csv", "unit_code,unit_name,role,industry,detail,source\n500120,璧山区,boss,CQ-ICV,,\n")
	abolished := write("abolished.csv", "unit_code,unit_name,role,industry,detail,source\n500120,璧山区,main,CQ-ICV,,\n500105,江北区,main,CQ-EIM,,\n")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"stored plan", []string{"--plan", "chongqing-2023", "--lang", "en"}, 0, "chongqing-2023: valid, 0 errors", ""},
		{"stored plan in Chinese", []string{"--plan", "chongqing-2023"}, 0, "chongqing-2023：通过，0 个错误", ""},
		{"stored clusters", []string{"--plan", "shandong-clusters", "--lang", "en"}, 0, "济青枣潍工业母机产业集群: its hosts form 3 groups", ""},
		{"henan clusters", []string{"--plan", "henan-clusters", "--lang", "en"}, 0, "henan-clusters: valid, 0 errors", ""},
		{"abolished units as of 2026", []string{"--plan", "chongqing-2023", abolished, "--as-of", "2026-02-01"}, 1, "retired-unit", ""},
		{"abolished units as of the plan", []string{"--plan", "chongqing-2023", abolished, "--lang", "en"}, 0, "valid, 0 errors", ""},
		{"bad date", []string{"--plan", "chongqing-2023", "--as-of", "soon"}, 2, "", "--as-of"},
		{"file over the limit", []string{"--plan", "chongqing-2023", over}, 1, "main-limit", ""},
		{"valid json file", []string{"--plan", "chongqing-2023", ok, "--format", "json"}, 0, `"valid": true`, ""},
		{"bad file", []string{"--plan", "chongqing-2023", bad}, 2, "", "line 2: unknown role"},
		{"unknown plan", []string{"--plan", "nope"}, 2, "", `no plan "nope"`},
		{"no database", []string{"--plan", "chongqing-2023", "--db", filepath.Join(dir, "none.gpkg")}, 2, "", "create it with indmap init"},
		{"no plan flag", nil, 2, "", "give --plan ID"},
		{"bad lang", []string{"--plan", "chongqing-2023", "--lang", "fr"}, 2, "", `--lang "fr"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, append([]string{"validate", "--db", db}, tc.args...)...)
			var out, errOut bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errOut
			cmd.Run()
			if code := cmd.ProcessState.ExitCode(); code != tc.code {
				t.Errorf("exit %d, want %d\n%s\n%s", code, tc.code, out.String(), errOut.String())
			}
			if !strings.Contains(out.String(), tc.stdout) || !strings.Contains(errOut.String(), tc.stderr) {
				t.Errorf("output lacks %q / %q:\n%s\n%s", tc.stdout, tc.stderr, out.String(), errOut.String())
			}
		})
	}
	out, _ := exec.Command(bin, "validate", "--db", db, "--plan", "chongqing-2023", over, "--format", "json").Output()
	var r struct {
		Plan       string `json:"plan"`
		Valid      *bool  `json:"valid"`
		Errors     *int   `json:"errors"`
		Warnings   *int   `json:"warnings"`
		Violations []struct {
			Rule     string   `json:"rule"`
			Severity string   `json:"severity"`
			Units    []string `json:"units"`
			Message  string   `json:"message"`
		} `json:"violations"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if r.Plan != "chongqing-2023" || r.Valid == nil || *r.Valid || r.Errors == nil || *r.Errors != 1 || r.Warnings == nil || len(r.Violations) != 1+*r.Warnings {
		t.Errorf("JSON report: %s", out)
	}
	for _, v := range r.Violations {
		if v.Rule == "" || (v.Severity != "error" && v.Severity != "warning") || v.Units == nil || v.Message == "" {
			t.Errorf("violation %+v", v)
		}
	}
}

// TestImportDefinition changes a plan's rules and adds a new plan from
// definition files alone.
func TestImportDefinition(t *testing.T) {
	db := initDB(t)
	dir := t.TempDir()
	strict := filepath.Join(dir, "strict.json")
	os.WriteFile(strict, []byte(`{"id": "chongqing-2023", "title": "重庆 2023 产业地图 (strict)", "kind": "district-picks",
		"region": "500000", "unit_kinds": ["district", "zone"],
		"rules": {"limits": {"main": 1, "special": 4}, "rules": {"unit-unassigned": "off", "retired-unit": "off"}}}`), 0o644)
	if code, out, errOut := cli(t, nil, "import", "definition", strict, "--db", db); code != 0 || !strings.Contains(out, "updated") {
		t.Fatalf("%d %s %s", code, out, errOut)
	}
	code, out, _ := cli(t, nil, "validate", "--plan", "chongqing-2023", "--db", db, "--format", "json")
	if code != 1 || !strings.Contains(out, `"rule": "main-limit"`) || strings.Contains(out, "unit-unassigned") {
		t.Errorf("strict rules: %d %s", code, out)
	}
	// A new plan of a known kind: Shandong's cities picking industries.
	newPlan := filepath.Join(dir, "new.json")
	os.WriteFile(newPlan, []byte(`{"id": "shandong-picks", "title": "山东 城市主导产业", "kind": "district-picks",
		"region": "370000", "unit_kinds": ["city"], "catalogue": [{"code": "SD-HA", "name": "智能家电", "tier": 1, "tier_name": "", "confirmed": true}],
		"rules": {"limits": {"main": 2, "special": 4}}}`), 0o644)
	if code, out, errOut := cli(t, nil, "import", "definition", newPlan, "--db", db); code != 0 || !strings.Contains(out, "created") {
		t.Fatalf("%d %s %s", code, out, errOut)
	}
	picks := filepath.Join(dir, "picks.csv")
	os.WriteFile(picks, []byte("unit_code,unit_name,role,industry,detail,source\n370200,青岛市,main,智能家电,,\n"), 0o644)
	if code, out, errOut := cli(t, nil, "import", "plan", picks, "--plan", "shandong-picks", "--db", db); code != 0 {
		t.Fatalf("%d %s %s", code, out, errOut)
	}
	code, out, _ = cli(t, nil, "validate", "--plan", "shandong-picks", "--db", db, "--lang", "en")
	if code != 0 || !strings.Contains(out, "shandong-picks: valid, 0 errors, 15 warnings") {
		t.Errorf("new plan: %d %s", code, out)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"id": "chongqing-2023", "title": "x", "kind": "clusters", "region": "500000", "unit_kinds": ["district"], "rules": {}}`), 0o644)
	if code, _, errOut := cli(t, nil, "import", "definition", bad, "--db", db); code != 1 || !strings.Contains(errOut, "cannot make it clusters") {
		t.Errorf("kind change: %d %s", code, errOut)
	}
}

// TestPlanRegionsSpanLevels: a plan's region holds the units it is an
// ancestor of: Shandong's counties (whose parents are cities) for region
// 370000, and every unit in force for the whole country.
func TestPlanRegionsSpanLevels(t *testing.T) {
	db := initDB(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		id, region, kinds string
		want              int
	}{
		{"sd-counties", "370000", `["county"]`, 137},
		// Every unit loaded and in force today: 370 less 江北区 and 渝北区,
		// abolished on 2026-01-25.
		{"china", "100000", `["city", "district", "zone"]`, 368},
	} {
		def := filepath.Join(dir, tc.id+".json")
		os.WriteFile(def, []byte(`{"id": "`+tc.id+`", "title": "t", "kind": "district-picks", "region": "`+tc.region+`",
			"unit_kinds": `+tc.kinds+`, "catalogue": [{"code": "X", "name": "x", "tier": 1, "tier_name": "", "confirmed": true}],
			"rules": {"limits": {"main": 2}}}`), 0o644)
		if code, out, errOut := cli(t, nil, "import", "definition", def, "--db", db); code != 0 {
			t.Fatalf("%s: %d %s %s", tc.id, code, out, errOut)
		}
		// With no picks, every unit of the plan is unassigned.
		code, out, _ := cli(t, nil, "validate", "--plan", tc.id, "--db", db, "--lang", "en")
		if want := fmt.Sprintf("%s: valid, 0 errors, %d warnings", tc.id, tc.want); code != 0 || !strings.Contains(out, want) {
			t.Errorf("%s: %d, want %q in\n%.300s", tc.id, code, want, out[max(0, len(out)-300):])
		}
	}
}

func TestExportCommand(t *testing.T) {
	db := initDB(t)
	dir := t.TempDir()
	for _, format := range []string{"mbtiles", "pmtiles"} {
		out := filepath.Join(dir, "cq."+format)
		code, stdout, errOut := cli(t, nil, "export", format, "--plan", "chongqing-2023", "--maxzoom", "6", out, "--db", db)
		if code != 0 || !strings.Contains(stdout, "tiles z0–6 of chongqing-2023") {
			t.Errorf("%s: %d %s %s", format, code, stdout, errOut)
		}
		if st, err := os.Stat(out); err != nil || st.Size() < 1000 {
			t.Errorf("%s: %v", out, err)
		}
	}
	if code, _, errOut := cli(t, nil, "export", "mbtiles", "--plan", "nope", filepath.Join(dir, "x.mbtiles"), "--db", db); code != 1 || !strings.Contains(errOut, `no plan "nope"`) {
		t.Errorf("unknown plan: %d %s", code, errOut)
	}
	if code, _, _ := cli(t, nil, "export", "mbtiles", "--plan", "chongqing-2023", "--maxzoom", "30", filepath.Join(dir, "x.mbtiles"), "--db", db); code != 2 {
		t.Errorf("bad maxzoom: %d", code)
	}
}
