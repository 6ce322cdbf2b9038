package plan

import (
	"errors"
	"strings"
	"testing"
	"unicode"

	"github.com/indmap/indmap/geo"
)

func TestLoadDefaults(t *testing.T) {
	d, err := LoadDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Plans) != 3 {
		t.Fatalf("%d plans", len(d.Plans))
	}
	cq, sd, hn := mustPlan(t, d, ChongqingID), mustPlan(t, d, ShandongID), mustPlan(t, d, HenanID)
	if cq.AsOf != "2023-11" || len(cq.Catalogue) != 30 || len(cq.Assignments) != 36 {
		t.Errorf("chongqing: id %s, %d industries, %d assignments", cq.ID, len(cq.Catalogue), len(cq.Assignments))
	}
	for _, a := range cq.Assignments {
		if !strings.HasPrefix(a.Industry, "CQ-") || a.Source == "" {
			t.Errorf("assignment not resolved or without source: %+v", a)
		}
	}
	if got := cq.Assignments[4]; got.Unit != "500117" || got.Industry != "CQ-ICV" || got.Detail != "零部件" {
		t.Errorf("合川区 first pick = %+v", got)
	}
	if len(sd.Catalogue) != 15 || len(sd.Clusters) != 24 || len(sd.Groups) != 16 || sd.Catalogue[0].NameEn != "Power equipment" {
		t.Errorf("shandong: %d sectors, %d clusters, %d groups; %+v", len(sd.Catalogue), len(sd.Clusters), len(sd.Groups), sd.Catalogue[0])
	}
	if len(hn.Catalogue) != 7 || len(hn.Clusters) != 11 || hn.Region != "410000" {
		t.Errorf("henan: %d sectors, %d clusters", len(hn.Catalogue), len(hn.Clusters))
	}
	var joint Cluster
	for _, c := range sd.Clusters {
		if c.Name == "济青枣潍工业母机产业集群" {
			joint = c
		}
	}
	if strings.Join(joint.Hosts, ";") != "370100;370200;370400;370700" || joint.Level != Provincial || joint.Year != 2024 {
		t.Errorf("joint cluster = %+v", joint)
	}
	if n := cq.Catalogue[12]; n.Code != "CQ-SAT" || n.TierName != `“新星”产业集群` || n.TierNameEn != `"Rising star" clusters` || n.NameEn != "Satellite internet" {
		t.Errorf("catalogue row 13: %+v", n)
	}
	if len(d.Zones) != 3 || limit(cq, "cq-liangjiang") != 3 || limit(cq, "cq-wansheng") != 2 || limit(cq, "500120") != 2 {
		t.Errorf("zones %d, unit limits %v", len(d.Zones), cq.Rules.UnitLimits)
	}
	noParents := func(string) (string, bool) { return "", false }
	for _, z := range d.Zones {
		if !z.Approximate || z.Kind != KindZone || !cq.Holds(z, "2023-11-01", noParents) || len(z.Hosts) == 0 || z.NameEn == "" {
			t.Errorf("zone %+v", z)
		}
	}
	if len(d.Changes) != 4 || d.Changes[0].From != "500105" || !d.Changes[0].Ends || !d.Changes[0].ToProvisional {
		t.Errorf("division changes %+v", d.Changes)
	}
}

func mustPlan(t *testing.T, d Defaults, id string) Plan {
	t.Helper()
	p, ok := d.Plan(id)
	if !ok {
		t.Fatalf("no default plan %s", id)
	}
	return *p
}

func TestReadFile(t *testing.T) {
	d, err := LoadDefaults()
	if err != nil {
		t.Fatal(err)
	}
	cq := mustPlan(t, d, ChongqingID)
	const picksHead = "unit_code,unit_name,role,industry,detail,source\n"
	const clustersHead = "cluster,industry,level,host_codes,year,source\n"
	tests := []struct {
		name    string
		in      string
		wantErr string
		check   func(t *testing.T, f Parsed)
	}{
		{"picks with BOM and quotes",
			"\ufeff" + picksHead + "500103,渝中区,main,CQ-SIS,\"软件, 信息\",src\n500120,璧山区,special,新型显示,,\n", "",
			func(t *testing.T, f Parsed) {
				if as, _ := cq.Normalize(f); len(as) != 2 || as[0].Detail != "软件, 信息" || as[1].Industry != "CQ-NDS" {
					t.Errorf("%+v", as)
				}
			}},
		{"unknown industry and unit are the validator's", picksHead + "500199,渝中区,main,造船,,\n", "",
			func(t *testing.T, f Parsed) {
				if as, _ := cq.Normalize(f); as[0].Industry != "造船" || as[0].Unit != "500199" || f.Lines[0] != 2 {
					t.Errorf("%+v", f)
				}
			}},
		{"unknown role", picksHead + "500103,渝中区,leading,CQ-SIS,,\n", "in.csv: line 2: unknown role \"leading\"", nil},
		{"missing column", "unit_code,unit_name,industry,detail,source\n500103,渝中区,CQ-SIS,,\n", "in.csv: line 1: missing column role", nil},
		{"ragged row", picksHead + "500103,渝中区,main\n", "in.csv: line 2: wrong number of fields", nil},
		{"header only", picksHead, "in.csv: no records", nil},
		{"empty", "", "in.csv: empty file", nil},
		{"not utf-8", picksHead + "500103,\xd3\xe5\xd6\xd0,main,CQ-SIS,,\n", "in.csv: not UTF-8: invalid byte at line 2", nil},
		{"clusters", clustersHead + "济青集群,智能制造装备,provincial,370100; 370200,2024,src\n", "",
			func(t *testing.T, f Parsed) {
				if len(f.Clusters) != 1 || len(f.Clusters[0].Hosts) != 2 || f.Clusters[0].Hosts[1] != "370200" {
					t.Errorf("%+v", f.Clusters)
				}
			}},
		{"unknown level", clustersHead + "x,智能制造装备,global,370100,2024,\n", "in.csv: line 2: unknown level \"global\"", nil},
		{"bad year", clustersHead + "x,智能制造装备,national,370100,soon,\n", "in.csv: line 2: year \"soon\"", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := ParseFile(strings.NewReader(tc.in), "in.csv", 0)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, f)
		})
	}
	_, err = ParseFile(strings.NewReader(picksHead+"500103,渝中区,main,CQ-SIS,,\n"), "big.csv", 16)
	if !errors.Is(err, geo.ErrTooLarge) {
		t.Errorf("over the limit: %v", err)
	}
}

func limit(p Plan, unit string) int {
	l, _ := p.Rules.Limit(unit, Main)
	return l
}

func TestParseFileKinds(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
		n                 int
	}{
		{"csv picks", "unit_code,unit_name,role,industry,detail,source\n500103,渝中区,main,CQ-SIS,,\n", "", 1},
		{"json picks", `{"assignments": [
  {"unit_code": "500103", "unit_name": "渝中区", "role": "main", "industry": "软件信息服务"},
  {"unit_code": "500103", "role": "special", "industry": "CQ-NDS", "source": "s"}
]}`, "", 2},
		{"json bad role names its line", `{"assignments": [
  {"unit_code": "500103", "role": "main", "industry": "CQ-SIS"},
  {"unit_code": "500103", "role": "boss", "industry": "CQ-SIS"}
]}`, "in: line 3: unknown role \"boss\"", 0},
		{"json both lists", `{"assignments": [], "clusters": []}`, "one of them", 0},
		{"json malformed", "{\"assignments\": [\n{]}", "in: malformed JSON at line 2", 0},
		{"unknown header", "a,b,c\n1,2,3\n", "header is neither", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := ParseFile(strings.NewReader(tc.in), "in", 0)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || len(f.Assignments) != tc.n {
				t.Fatalf("%+v, %v", f, err)
			}
		})
	}
	p, err := ParseFile(strings.NewReader(`{"clusters": [{"cluster": "c", "industry": "x", "level": "national", "host_codes": ["370200", "370600"], "year": 2024}]}`), "c.json", 0)
	if err != nil || p.Kind != Clusters || len(p.Clusters[0].Hosts) != 2 || p.Clusters[0].Year != 2024 {
		t.Errorf("json clusters: %+v, %v", p, err)
	}
}

func TestReadDefinition(t *testing.T) {
	good := `{"id": "sichuan-2024", "title": "四川", "kind": "district-picks", "region": "510000",
	  "unit_kinds": ["district"], "rules": {"limits": {"main": 3}, "rules": {"unit-unassigned": "off"}}}`
	d, err := ReadDefinition(strings.NewReader(good), "d.json", 0)
	if err != nil {
		t.Fatal(err)
	}
	var p Plan
	d.Apply(&p)
	if l, _ := p.Rules.Limit("510104", Main); l != 3 || p.Rules.Severity(p.Kind, RuleUnitUnassigned) != Off || p.Rules.Severity(p.Kind, RuleMainLimit) != Error {
		t.Errorf("applied: %+v", p)
	}
	for _, tc := range []struct{ in, want string }{
		{`{"id": "x", "title": "x", "kind": "district-picks", "region": "1", "unit_kinds": ["district"], "rules": {"rules": {"main-limt": "error"}}}`, `rule "main-limt" does not apply`},
		{`{"id": "x", "title": "x", "kind": "district-picks", "region": "1", "unit_kinds": ["district"], "rules": {"rules": {"main-limit": "fatal"}}}`, `severity "fatal"`},
		{`{"id": "x", "title": "x", "kind": "clusters", "region": "1", "unit_kinds": ["city"], "rules": {"rules": {"main-limit": "error"}}}`, `does not apply to clusters`},
		{`{"id": "x", "title": "x", "kind": "pyramid", "region": "1", "unit_kinds": ["city"], "rules": {}}`, `unknown plan kind`},
		{`{"id": "x", "title": "x", "kind": "clusters", "region": "1", "unit_kinds": ["city"], "rules": {}, "colour": "red"}`, `unknown field "colour"`},
		{`{"id": "", "kind": "clusters"}`, `no id`},
	} {
		if _, err := ReadDefinition(strings.NewReader(tc.in), "d.json", 0); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestHoldingsIndexed(t *testing.T) {
	d, err := LoadDefaults()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range d.Plans {
		codes := map[string]bool{"none": true}
		for _, a := range p.Assignments {
			codes[a.Unit] = true
		}
		for _, c := range p.Clusters {
			for _, h := range c.Hosts {
				codes[h] = true
			}
		}
		type result struct{ m, s, c int }
		scan := map[string]result{}
		for code := range codes {
			m, s, c := p.Holdings(code)
			scan[code] = result{len(m), len(s), len(c)}
		}
		p.IndexHoldings()
		for code, want := range scan {
			m, s, c := p.Holdings(code)
			if got := (result{len(m), len(s), len(c)}); got != want {
				t.Errorf("%s %s: indexed %v, scanned %v", p.ID, code, got, want)
			}
		}
	}
}

// TestTitleClusters: a cluster whose name names no host gets its hosts
// after it; in English its name as indmap translates it, or a
// description (hosts and sector) where the table has none.
func TestTitleClusters(t *testing.T) {
	p := &Plan{ID: "p", Kind: Clusters, Catalogue: []Industry{{Code: "新材料", Name: "新材料", NameEn: "New materials"}},
		Clusters: []Cluster{
			{Name: "超硬材料产业集群", Industry: "新材料", Hosts: []string{"410100", "411000"}},
			{Name: "枣庄市锂电集群", Industry: "新能源汽车", Hosts: []string{"370400"}},
			{Name: "无名集群", Industry: "新材料", Hosts: []string{"999999"}},
			{Name: "无名锂电集群", Industry: "新能源汽车", Hosts: []string{"370400"}},
		}}
	short := map[string][2]string{"410100": {"郑州", "Zhengzhou"}, "411000": {"许昌", "Xuchang"}, "370400": {"枣庄", "Zaozhuang"}}
	p.TitleClusters(func(code string) (string, string) { return short[code][0], short[code][1] })
	for name, want := range map[string]ClusterTitle{
		"超硬材料产业集群": {"超硬材料产业集群（郑州、许昌）", "Superhard materials industry cluster (Zhengzhou, Xuchang)", true},
		"枣庄市锂电集群":  {"枣庄市锂电集群", "Zaozhuang lithium battery cluster", true},
		"无名集群":     {"无名集群", "New materials cluster", false},
		"无名锂电集群":   {"无名锂电集群（枣庄）", "Zaozhuang: 新能源汽车 cluster", false},
	} {
		if got := p.ClusterTitles[name]; got != want {
			t.Errorf("%s: %+v, want %+v", name, got, want)
		}
	}
}

// TestDetailFragments: a unit's wording quoted from after the industry's
// name gets the name back in front, in Chinese and in English; whole
// wording is kept as written.
func TestDetailFragments(t *testing.T) {
	p := &Plan{Catalogue: []Industry{{Code: "CQ-ICV", Name: "智能网联新能源汽车", NameEn: "Intelligent connected new-energy vehicles"}}}
	for detail, want := range map[string][2]string{
		"及核心器件":  {"智能网联新能源汽车及核心器件", "Intelligent connected new-energy vehicles and core components"},
		"和零部件":   {"智能网联新能源汽车和零部件", ""},
		"汽摩及零部件": {"汽摩及零部件", "Automobiles, motorcycles and parts"},
		"":       {"", ""},
	} {
		h := p.HoldingOf(Assignment{Unit: "1", Role: Main, Industry: "CQ-ICV", Detail: detail})
		if got := [2]string{h.Detail, h.DetailEn}; got != want {
			t.Errorf("%q: %q, want %q", detail, got, want)
		}
	}
}

// TestDetailsInEnglish: every detail the default plans quote has an
// English wording in the embedded table, and the table lists no detail
// twice nor one without its English.
// TestZoneNotesRendered: every zone of the default plans has its note in
// Chinese and in English (the data's notes mix the two), its kind first;
// the English has no Chinese left in it.
func TestZoneNotesRendered(t *testing.T) {
	d, err := LoadDefaults()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, u := range d.Zones {
		if u.Note == "" {
			continue
		}
		n++
		zh, en := NoteIn(u.Note, "zh"), NoteIn(u.Note, "en")
		if zh == "" || en == "" {
			t.Errorf("%s: note %q has no rendering (add it to defaults/%s)", u.Code, u.Note, NotesFile)
			continue
		}
		if strings.IndexFunc(en, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0 {
			t.Errorf("%s: English note %q has Chinese in it", u.Code, en)
		}
		if !strings.Contains(zh, "：") || !strings.Contains(en, ": ") {
			t.Errorf("%s: the kind does not lead the notes %q, %q", u.Code, zh, en)
		}
	}
	if n < 3 {
		t.Fatalf("%d zones with notes; Chongqing has 3", n)
	}
	if NoteIn("no such note", "en") != "" || NoteIn("national-new-area: no such note", "en") != "" {
		t.Error("a note the table lacks was rendered")
	}
	for _, bad := range []string{"note,note_zh,note_en\na,甲,A\na,甲,A\n", "note,note_zh,note_en\na,,A\n"} {
		if _, err := readRenderings([]byte(bad), "x.csv", "note", "note_zh", "note_en"); err == nil {
			t.Errorf("%q read without an error", bad)
		}
	}
}

func TestDetailsInEnglish(t *testing.T) {
	d, err := LoadDefaults()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range d.Plans {
		for _, a := range p.Assignments {
			if a.Detail == "" {
				continue
			}
			n++
			if DetailEn(a.Detail) == "" {
				t.Errorf("%s %s %s: no English for %q (add it to defaults/%s)", p.ID, a.Unit, a.Industry, a.Detail, DetailsFile)
			}
		}
	}
	if n == 0 {
		t.Fatal("the default plans quote no detail")
	}
	for _, bad := range []string{"detail,detail_en\n零部件,Parts\n零部件,Components\n", "detail,detail_en\n零部件,\n"} {
		if _, err := readDetailsEn([]byte(bad), "x.csv"); err == nil {
			t.Errorf("%q read without an error", bad)
		}
	}
}

// TestClustersInEnglish: every cluster of the default plans has indmap's
// English name, and every name in the table is a default plan's cluster.
func TestClustersInEnglish(t *testing.T) {
	d, err := LoadDefaults()
	if err != nil {
		t.Fatal(err)
	}
	table, err := clustersEn()
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, p := range d.Plans {
		for _, c := range p.Clusters {
			used[c.Name] = true
			if ClusterNameEn(c.Name) == "" {
				t.Errorf("%s: no English name for %q (add it to defaults/%s)", p.ID, c.Name, ClustersFile)
			}
		}
	}
	for name := range table {
		if !used[name] {
			t.Errorf("defaults/%s names %q, no default plan's cluster", ClustersFile, name)
		}
	}
	if len(used) < 30 {
		t.Fatalf("%d clusters in the default plans", len(used))
	}
}
