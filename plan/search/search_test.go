package search_test

import (
	"context"
	"strings"
	"testing"

	"github.com/indmap/indmap/internal/testdb"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/plan/search"
	"github.com/indmap/indmap/readmodel"
	"github.com/paulmach/orb"
)

func TestFold(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Bishan District", "bishandistrict"},
		{"Xi'an", "xian"},
		{"Bǐshān Qū", "bishanqu"},
		{"Lüliang", "luliang"},
		{"lvliang", "luliang"},
		{"璧山区", "璧山区"},
		{"  CQ-ICV ", "cqicu"},
		{"?!", ""},
		{"ｂｉｓｈ", "bish"}, // full-width, as input methods type it
		{"Ｂｉｓｈａｎ　Ｄｉｓｔｒｉｃｔ", "bishandistrict"},
	} {
		if got := search.Fold(c.in); got != c.want {
			t.Errorf("Fold(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func names(t testing.TB) *plan.Names {
	n, err := plan.DefaultNames()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func unit(code, name, nameEn string) plan.Unit {
	return plan.Unit{Code: code, Name: name, NameEn: nameEn, Kind: plan.KindDistrict, Label: orb.Point{106, 29},
		Geom: orb.MultiPolygon{{{{106, 29}, {107, 29}, {107, 30}, {106, 29}}}}}
}

// TestQueryRanks: exact before prefix before substring, then by English
// name; limit cuts, the count does not.
func TestQueryRanks(t *testing.T) {
	units := []plan.Unit{
		unit("1", "山城区", "Shancheng District"),
		unit("2", "璧山区", "Bishan District"),
		unit("3", "山亭区", "Shanting District"),
		unit("4", "巫山县", "Wushan County"),
		unit("5", "山区", "Shan District"),
	}
	plans := []plan.Plan{{ID: "p", Catalogue: []plan.Industry{{Code: "SHAN-1", Name: "山地装备", NameEn: "Mountain equipment"}}}}
	ix := search.New(units, nil, plans, names(t))
	for _, c := range []struct {
		q     string
		limit int
		want  string // codes, best first
		total int
	}{
		{"shan", 10, "5 SHAN-1 1 3 2 4", 6}, // prefixes by English name: Mountain… before Shancheng
		{"山", 10, "5 SHAN-1 1 3 2 4", 6},
		{"山", 2, "5 SHAN-1", 6},
		{"Shan District", 10, "5", 1}, // not inside Bishan District: Latin matches start words
		{"bishan", 10, "2", 1},        // the English name's proper part is exact
		{"bish", 10, "2", 1},
		{"mountain", 10, "SHAN-1", 1},
		{"shanqu", 10, "5 2", 2}, // the pinyin of the whole Chinese name
		{"zzz", 10, "", 0},
		{" - ", 10, "", 0},
	} {
		rs, total := ix.Query(c.q, c.limit, nil)
		var got []string
		for _, r := range rs {
			got = append(got, r.Code)
		}
		if strings.Join(got, " ") != c.want || total != c.total {
			t.Errorf("Query(%q, %d) = %v (%d in all), want %s (%d)", c.q, c.limit, got, total, c.want, c.total)
		}
	}
	rs, _ := ix.Query("bish", 1, nil)
	if r := rs[0]; r.Match != search.Prefix || r.Label == nil || len(r.BBox) != 4 || r.NameEn != "Bishan District" {
		t.Errorf("bishan: %+v", r)
	}
	rs, _ = ix.Query("shan", 10, func(r search.Result) int {
		if r.Type == search.TypeIndustry {
			return 0
		}
		return -1
	})
	if len(rs) != 1 || rs[0].Plan != "p" {
		t.Errorf("keep industries: %+v", rs)
	}
}

func loadAll(t testing.TB) *readmodel.Snapshot {
	snap, err := readmodel.Load(context.Background(), testdb.Seeded(t, "chongqing-districts", "shandong-cities", "shandong-counties",
		"henan/henan-cities", "henan/henan-counties"))
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// TestSearchDefaultData: what people type finds the unit or industry
// they mean first, in the plan they look at.
func TestSearchDefaultData(t *testing.T) {
	snap := loadAll(t)
	cq, _ := snap.Plan(plan.ChongqingID)
	sd, _ := snap.Plan(plan.ShandongID)
	for _, c := range []struct {
		q     string
		p     *plan.Plan
		first string // code of the first result; "" for none
		n     int    // results at least
	}{
		{"璧山", cq, "500120", 1},
		{"bishan", cq, "500120", 1},
		{"Bishan District", cq, "500120", 1},
		{"bish", cq, "500120", 1},
		{"BISHAN", nil, "500120", 1},
		{"Bìshān", nil, "500120", 1},
		{"璧山区", nil, "500120", 1},
		{"changshou", cq, "500115", 1},
		{"Shizhu", cq, "500240", 1},
		{"两江", cq, "cq-liangjiang", 1}, // the 2023 plan's functional zone
		{"liangjiang new area", cq, "cq-liangjiang", 1},
		{"两江", nil, "", 2},      // and the administrative one of 2026
		{"市中", cq, "370103", 2}, // Shandong's, after Chongqing's own (none), naming their plan
		{"市中", sd, "370103", 2},
		{"taierzhuang", sd, "370405", 1},
		{"Tai'erzhuang", nil, "370405", 1},
		{"xun county", nil, "410621", 1},
		{"智能网联", cq, "CQ-ICV", 1},
		{"new energy vehicle", cq, "CQ-ICV", 1},
		{"nothing like this", nil, "", 0},
	} {
		rs, total := snap.Search(c.q, c.p, 10)
		first := ""
		if len(rs) > 0 {
			first = rs[0].Code
		}
		if c.first == "" && c.n > 0 {
			first = "" // only the count is checked
		}
		if first != c.first || len(rs) < c.n || total < len(rs) {
			t.Errorf("Search(%q, %v) first %q (%d, %d in all), want %q (at least %d): %+v", c.q, c.p != nil, first, len(rs), total, c.first, c.n, rs)
		}
	}
}

// BenchmarkSearch is one query as people type it, against every unit of
// the three provinces and every catalogue.
func BenchmarkSearch(b *testing.B) {
	snap := loadAll(b)
	cq, _ := snap.Plan(plan.ChongqingID)
	for _, q := range []string{"璧山", "bish", "Bishan District", "an", "zzzz"} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				snap.Search(q, nil, 10)
			}
		})
	}
	b.Run("plan/bish", func(b *testing.B) {
		for b.Loop() {
			snap.Search("bish", cq, 10)
		}
	})
}

// BenchmarkNewIndex is the cost of the index per snapshot (which has
// the units' bounds already, for its R-tree).
func BenchmarkNewIndex(b *testing.B) {
	snap := loadAll(b)
	n := names(b)
	bounds := make([]orb.Bound, len(snap.Units))
	for i, u := range snap.Units {
		if u.Geom != nil {
			bounds[i] = u.Geom.Bound()
		}
	}
	for b.Loop() {
		search.New(snap.Units, bounds, snap.Plans, n)
	}
}

// TestSearchFindsWhatIsWritten: the units' own wording of their picks,
// cluster and circle names are found; Latin fragments match word and
// syllable starts only; a name of another plan says which plan has it;
// units of one name say where they are.
func TestSearchFindsWhatIsWritten(t *testing.T) {
	snap := loadAll(t)
	cq, _ := snap.Plan(plan.ChongqingID)
	sd, _ := snap.Plan(plan.ShandongID)
	find := func(q string, p *plan.Plan) []search.Result {
		rs, _ := snap.Search(q, p, 50)
		return rs
	}
	has := func(rs []search.Result, ok func(search.Result) bool) bool {
		for _, r := range rs {
			if ok(r) {
				return true
			}
		}
		return false
	}
	// Details: 合川区 (零部件) and 大足区 (汽摩及零部件) for 智能网联新能源汽车.
	for _, code := range []string{"500117", "500111"} {
		if !has(find("零部件", cq), func(r search.Result) bool {
			return r.Type == search.TypeUnit && r.Code == code && r.Industry == "CQ-ICV" && strings.Contains(r.MatchedText, "零部件") && r.Plan == cq.ID
		}) {
			t.Errorf("零部件 does not find %s by its wording: %+v", code, find("零部件", cq))
		}
	}
	// The wording in English too (indmap's translation), for the page's
	// English results.
	if !has(find("零部件", cq), func(r search.Result) bool { return r.Code == "500117" && r.MatchedTextEn == "Parts and components" }) {
		t.Errorf("零部件: 合川区's wording has no English: %+v", find("零部件", cq))
	}
	if !has(find("电池", cq), func(r search.Result) bool { return r.Code == "500102" && r.MatchedText != "" }) {
		t.Errorf("电池 does not find 涪陵区 (动力电池及轻量化部件): %+v", find("电池", cq))
	}
	// Clusters, in their plan first, and from another plan naming it.
	for _, c := range []struct{ q, name string }{{"锂电", "枣庄市锂电集群"}, {"高端化工", "东营临港高端化工产业集群"}} {
		rs := find(c.q, sd)
		if len(rs) == 0 || rs[0].Type != search.TypeCluster || rs[0].Name != c.name || rs[0].Plan != sd.ID || len(rs[0].BBox) != 4 || len(rs[0].Members) == 0 {
			t.Errorf("%s in Shandong: %+v", c.q, rs)
		}
		rs = find(c.q, cq)
		if len(rs) == 0 || rs[0].Name != c.name || len(rs[0].OtherPlans) != 1 || rs[0].OtherPlans[0] != sd.ID {
			t.Errorf("%s from Chongqing does not name Shandong's plan: %+v", c.q, rs)
		}
	}
	// Clusters by the English words of indmap's translation of their
	// names: a metaverse cluster is not "New-generation information
	// technology".
	for _, c := range []struct{ q, name string }{{"metaverse", "潍坊市元宇宙集群"}, {"battery", "枣庄市锂电集群"}, {"machine tools", "济青枣潍工业母机产业集群"}} {
		if rs := find(c.q, sd); !has(rs, func(r search.Result) bool { return r.Type == search.TypeCluster && r.Name == c.name }) {
			t.Errorf("%q does not find %s: %+v", c.q, c.name, rs)
		}
	}
	// Economic circles, by Chinese, pinyin and English names.
	for _, q := range []string{"胶东", "jiaodong", "Jiaodong"} {
		rs := find(q, sd)
		if len(rs) == 0 || rs[0].Type != search.TypeRegion || !strings.HasPrefix(rs[0].Name, "胶东") || len(rs[0].Members) < 3 {
			t.Errorf("%s: %+v", q, rs)
		}
	}
	// Another plan's unit names its plan; its own plan's do not.
	if rs := find("济南", cq); len(rs) == 0 || rs[0].Code != "370100" || len(rs[0].OtherPlans) == 0 || rs[0].OtherPlans[0] != sd.ID {
		t.Errorf("济南 from Chongqing: %+v", rs)
	}
	if rs := find("璧山", cq); len(rs) == 0 || rs[0].OtherPlans != nil {
		t.Errorf("璧山 in its own plan: %+v", rs)
	}
	// Two 市中区: each says its city.
	rs := find("市中区", sd)
	if len(rs) < 2 || rs[0].Name != "市中区" || rs[1].Name != "市中区" || rs[0].ParentName == rs[1].ParentName || rs[0].ParentName == "" {
		t.Errorf("市中区: %+v", rs)
	}
	// No fragments inside words: EV is not in "devices", auto not in
	// "Autonomous County"; bi and shan still find 璧山 by syllable.
	if rs := find("EV", nil); has(rs, func(r search.Result) bool { return r.Code == "CQ-MED" }) {
		t.Errorf("EV finds 医疗器械: %+v", rs)
	}
	if rs := find("auto", nil); has(rs, func(r search.Result) bool { return strings.Contains(r.NameEn, "Autonomous") }) {
		t.Errorf("auto finds autonomous counties: %+v", rs)
	}
	for _, q := range []string{"shan", "bi"} {
		if !has(find(q, cq), func(r search.Result) bool { return r.Code == "500120" }) {
			t.Errorf("%s does not find 璧山区", q)
		}
	}
}

func TestPlace(t *testing.T) {
	for _, c := range []struct {
		q        string
		lon, lat float64
		ok       bool
	}{
		{"29.6,106.5", 106.5, 29.6, true},
		{"106.5,29.6", 106.5, 29.6, true},
		{" 36.65 ， 117.12 ", 117.12, 36.65, true},
		{"80.5 30", 80.5, 30, true},
		{"-33.9,151.2", 151.2, -33.9, true},
		{"200,100", 0, 0, false},
		{"璧山", 0, 0, false},
		{"29.6", 0, 0, false},
	} {
		r, ok := search.Place(c.q)
		if ok != c.ok || ok && (*r.Lon != c.lon || *r.Lat != c.lat || r.Type != search.TypePlace || r.Label[0] != c.lon) {
			t.Errorf("Place(%q) = %+v %v", c.q, r, ok)
		}
	}
}

// BenchmarkReadPlaces reads the embedded GeoNames rows of China, every
// one kept (a nationwide snapshot) and Chongqing's only (what a snapshot
// of Chongqing's boundaries pays for its places).
func BenchmarkReadPlaces(b *testing.B) {
	names, err := plan.DefaultNames()
	if err != nil {
		b.Fatal(err)
	}
	rows := search.DefaultPlaces()
	if rows == nil {
		b.Skip("no places: make assets writes plan/search/places/cn.tsv")
	}
	cq := orb.Bound{Min: orb.Point{105.28, 28.16}, Max: orb.Point{110.2, 32.21}}
	for _, set := range []struct {
		name string
		keep func(orb.Point) bool
	}{{"china", func(orb.Point) bool { return true }}, {"chongqing", cq.Contains}} {
		b.Run(set.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				ix, err := search.ReadPlaces(rows, nil, func(p orb.Point) (orb.Point, bool) { return p, set.keep(p) }, names)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(len(ix.Results())), "places")
			}
		})
	}
}
