package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/indmap/indmap/api"
	"github.com/indmap/indmap/internal/testdb"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/readmodel"
	"github.com/paulmach/orb"
)

type page struct {
	Type           string
	NumberMatched  int
	NumberReturned int
	Links          []struct{ Href, Rel string }
	Features       []struct {
		ID         string
		Geometry   json.RawMessage
		Properties struct {
			Code, Name, Kind string
			Main             []struct{ Code, Name, Detail, Source string }
			Special          []struct{ Code, Name string }
			Violations       []string
			AreaKm2          float64 `json:"area_km2"`
			Approximate      bool
		}
	}
}

func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	resp, body := get(t, url)
	if resp.StatusCode == 200 {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("%s: %v: %.300s", url, err, body)
		}
	}
	return resp.StatusCode
}

func TestPlanUnitsGeoJSON(t *testing.T) {
	_, srv := newServer(t)
	base := srv.URL + "/api/v1/plans/chongqing-2023/units"
	var p page
	if code := getJSON(t, base+"?limit=10", &p); code != 200 {
		t.Fatal(code)
	}
	if p.Type != "FeatureCollection" || p.NumberMatched != 41 || p.NumberReturned != 10 || len(p.Features) != 10 {
		t.Errorf("page: %+v", p)
	}
	next := ""
	for _, l := range p.Links {
		if l.Rel == "next" {
			next = l.Href
		}
	}
	if !strings.Contains(next, "offset=10") || !strings.Contains(next, "limit=10") {
		t.Errorf("next link %q", next)
	}
	// Walking the next links returns every unit once.
	seen := map[string]bool{}
	for url := base + "?limit=15"; url != ""; {
		var pg page
		if code := getJSON(t, url, &pg); code != 200 {
			t.Fatalf("%s: %d", url, code)
		}
		url = ""
		for _, f := range pg.Features {
			if seen[f.ID] {
				t.Errorf("%s twice", f.ID)
			}
			seen[f.ID] = true
		}
		for _, l := range pg.Links {
			if l.Rel == "next" {
				url = l.Href
			}
		}
	}
	if len(seen) != 41 {
		t.Errorf("walked %d units", len(seen))
	}
	// Filters.
	if getJSON(t, base+"?industry=智能网联新能源汽车&role=main", &p); p.NumberMatched != 8 {
		t.Errorf("ICV main: %d units", p.NumberMatched)
	}
	for _, f := range p.Features {
		if f.ID == "500117" && (len(f.Properties.Main) != 2 || f.Properties.Main[0].Detail != "零部件") {
			t.Errorf("合川区 %+v", f.Properties)
		}
	}
	if getJSON(t, base+"?industry=CQ-TCM&role=special", &p); p.NumberMatched != 1 || p.Features[0].ID != "500117" {
		t.Errorf("现代中药 special: %+v", p.Features)
	}
	if getJSON(t, base+"?kind=zone", &p); p.NumberMatched != 3 || !p.Features[0].Properties.Approximate {
		t.Errorf("zones: %d", p.NumberMatched)
	}
	if getJSON(t, base+"?bbox=106.4,29.4,106.7,29.7", &p); p.NumberMatched < 5 || p.NumberMatched > 15 {
		t.Errorf("bbox over the centre: %d", p.NumberMatched)
	}
	var full, light page
	getJSON(t, base+"?kind=district&limit=1", &full)
	getJSON(t, base+"?kind=district&limit=1&simplify=500", &light)
	if len(light.Features[0].Geometry) >= len(full.Features[0].Geometry)/2 {
		t.Errorf("simplify=500 left %d of %d bytes", len(light.Features[0].Geometry), len(full.Features[0].Geometry))
	}
	if getJSON(t, base+"?offset=1000", &p); p.NumberReturned != 0 || p.NumberMatched != 41 {
		t.Errorf("past the end: %+v", p)
	}
}

func TestQueryBadInput(t *testing.T) {
	_, srv := newServer(t)
	for _, tc := range []struct{ path, param string }{
		{"/api/v1/plans/chongqing-2023/units?limit=-1", "limit"},
		{"/api/v1/plans/chongqing-2023/units?limit=100000", "limit"},
		{"/api/v1/plans/chongqing-2023/units?offset=x", "offset"},
		{"/api/v1/plans/chongqing-2023/units?bbox=1,2,3", "bbox"},
		{"/api/v1/plans/chongqing-2023/units?bbox=107,29,106,30", "bbox"},
		{"/api/v1/plans/chongqing-2023/units?bbox=a,b,c,d", "bbox"},
		{"/api/v1/plans/chongqing-2023/units?industry=造船", "industry"},
		{"/api/v1/plans/chongqing-2023/units?role=boss", "role"},
		{"/api/v1/plans/chongqing-2023/units?kind=village", "kind"},
		{"/api/v1/plans/chongqing-2023/units?simplify=-5", "simplify"},
		{"/api/v1/lookup?lon=abc&lat=29", "lon"},
		{"/api/v1/lookup?lon=0x1p6&lat=29", "lon"},
		{"/api/v1/lookup?lon=106&lat=1_0", "lat"},
		{"/api/v1/plans/chongqing-2023/units?bbox=0x1p6,29,107,30", "bbox"},
		{"/api/v1/lookup?lon=106&lat=91", "lat"},
		{"/api/v1/lookup?lon=106", "lon,lat"},
		{"/api/v1/plans/chongqing-2023/sites", "industry"},
		{"/api/v1/plans/chongqing-2023/sites?industry=CQ-ICV&near=106", "near"},
		{"/api/v1/plans/chongqing-2023/sites?industry=CQ-ICV&limit=0", "limit"},
		{"/api/v1/plans/chongqing-2023/sites?industry=CQ-ICV&format=xml", "format"},
		{"/api/v1/industries", "plan"},
		{"/api/v1/search", "q"},
		{"/api/v1/search?q=%20%20", "q"},
		{"/api/v1/search?q=" + strings.Repeat("a", 101), "q"},
		{"/api/v1/search?q=bishan&limit=0", "limit"},
		{"/api/v1/search?q=bishan&limit=51", "limit"},
	} {
		resp, body := get(t, srv.URL+tc.path)
		var p struct {
			Type, Title, Detail, Param string
			Status                     int
		}
		json.Unmarshal(body, &p)
		if resp.StatusCode != 400 || p.Status != 400 || p.Param != tc.param || p.Type != "/problems/bad-parameter" ||
			resp.Header.Get("Content-Type") != "application/problem+json" || !strings.HasPrefix(p.Detail, tc.param+": ") {
			t.Errorf("%s: %d %s", tc.path, resp.StatusCode, body)
		}
	}
	for _, path := range []string{"/api/v1/plans/nope/units", "/api/v1/plans/nope/sites?industry=x", "/api/v1/industries?plan=nope", "/api/v1/search?q=x&plan=nope"} {
		if resp, _ := get(t, srv.URL+path); resp.StatusCode != 404 {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
	}
}

func TestLookup(t *testing.T) {
	_, srv := newServer(t)
	var r struct {
		Units []struct {
			Code  string
			Plans []struct{ Plan string }
		}
		NearbyZones []struct {
			Code       string
			DistanceKm float64 `json:"distance_km"`
		} `json:"nearby_zones"`
	}
	// 解放碑: 渝中区, with 两江新区 and the 高新区 points nearby.
	if code := getJSON(t, srv.URL+"/api/v1/lookup?lon=106.5775&lat=29.5574", &r); code != 200 {
		t.Fatal(code)
	}
	if len(r.Units) != 1 || r.Units[0].Code != "500103" || len(r.Units[0].Plans) != 1 {
		t.Errorf("units %+v", r.Units)
	}
	if len(r.NearbyZones) < 2 || r.NearbyZones[0].Code != "cq-liangjiang" || r.NearbyZones[0].DistanceKm > 15 {
		t.Errorf("zones %+v", r.NearbyZones)
	}
	// 青岛 (Shandong): one city, no zones.
	if getJSON(t, srv.URL+"/api/v1/lookup?lon=120.38&lat=36.07", &r); len(r.Units) != 1 || r.Units[0].Code != "370200" || len(r.NearbyZones) != 0 {
		t.Errorf("青岛: %+v", r)
	}
	// The sea.
	if getJSON(t, srv.URL+"/api/v1/lookup?lon=125&lat=30", &r); len(r.Units) != 0 {
		t.Errorf("sea: %+v", r)
	}
}

func TestSitesAndIndustries(t *testing.T) {
	_, srv := newServer(t)
	var s struct {
		Sites []struct {
			Code, Name, Role string
			DistanceKm       *float64 `json:"distance_km"`
			Sources          []string
			Neighbours       []struct{ Code, Role string }
			Detail           string
			DetailEn         string `json:"detail_en"`
		}
	}
	// 智能网联新能源汽车 near 璧山: mains first, nearest first.
	if code := getJSON(t, srv.URL+"/api/v1/plans/chongqing-2023/sites?industry=CQ-ICV&near=106.23,29.59", &s); code != 200 {
		t.Fatal(code)
	}
	// Every detail has its English; 合川区's reads as written.
	for _, site := range s.Sites {
		if (site.Detail == "") != (site.DetailEn == "") || site.Code == "500117" && site.DetailEn != "Parts and components" {
			t.Errorf("%s: detail %q, in English %q", site.Code, site.Detail, site.DetailEn)
		}
	}
	if len(s.Sites) != 8 || s.Sites[0].Code != "500120" || *s.Sites[0].DistanceKm != 0 || s.Sites[0].Role != "main" || len(s.Sites[0].Sources) != 1 {
		t.Errorf("sites %+v", s.Sites)
	}
	for i := 1; i < len(s.Sites); i++ {
		if *s.Sites[i].DistanceKm < *s.Sites[i-1].DistanceKm {
			t.Errorf("not sorted by distance at %d", i)
		}
	}
	// 合川区's neighbours 璧山区 (main ICV) and 永川区? Any neighbour listed holds ICV.
	for _, site := range s.Sites {
		for _, n := range site.Neighbours {
			if n.Role == "" {
				t.Errorf("%s neighbour %s without role", site.Code, n.Code)
			}
		}
	}
	// Mains before specials: 新一代电子信息制造业 is main in 璧山 and special in 大足.
	var eim struct {
		Sites []struct {
			Code, Role string
			DistanceKm *float64 `json:"distance_km"`
		}
	}
	getJSON(t, srv.URL+"/api/v1/plans/chongqing-2023/sites?industry=CQ-EIM", &eim)
	last := eim.Sites[len(eim.Sites)-1]
	if last.Code != "500111" || last.Role != "special" || eim.Sites[0].Role != "main" || eim.Sites[0].DistanceKm != nil {
		t.Errorf("EIM sites %+v", eim.Sites)
	}
	resp, body := get(t, srv.URL+"/api/v1/plans/chongqing-2023/sites?industry=CQ-ICV", "Accept", "text/csv")
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(string(body), "rank,code,name,name_en,kind,role") || strings.Count(string(body), "\n") != 9 {
		t.Errorf("sites CSV: %s", body)
	}
	// Shandong: clusters count as sites, national ones as main.
	getJSON(t, srv.URL+"/api/v1/plans/shandong-clusters/sites?industry=智能制造装备", &eim)
	if len(eim.Sites) == 0 || eim.Sites[0].Role != "special" {
		t.Errorf("Shandong 智能制造装备 sites %+v", eim.Sites)
	}

	var ind struct {
		Industries []struct {
			Code         string
			MainUnits    int `json:"main_units"`
			SpecialUnits int `json:"special_units"`
		}
	}
	if code := getJSON(t, srv.URL+"/api/v1/industries?plan=chongqing-2023", &ind); code != 200 || len(ind.Industries) != 30 {
		t.Fatalf("%d %d", code, len(ind.Industries))
	}
	if ind.Industries[0].Code != "CQ-ICV" || ind.Industries[0].MainUnits != 8 || ind.Industries[0].SpecialUnits != 0 {
		t.Errorf("ICV counts %+v", ind.Industries[0])
	}
	resp, body = get(t, srv.URL+"/api/v1/industries?plan=chongqing-2023&format=csv")
	if !strings.HasPrefix(string(body), "code,name,tier,tier_name,confirmed,main_units,special_units,clusters\nCQ-ICV,智能网联新能源汽车,1,") {
		t.Errorf("industries CSV: %.200s", body)
	}
}

func BenchmarkLookup(b *testing.B) {
	snap, err := readmodel.Load(context.Background(), testdb.Seeded(b, "chongqing-districts", "shandong-cities"))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := api.Lookup(snap, orb.Point{106.5775, 29.5574}, "2026-11-29"); len(r.Units) != 1 {
			b.Fatal(r)
		}
	}
}

func BenchmarkGeoJSONPage(b *testing.B) {
	st := testdb.Seeded(b, "chongqing-districts", "shandong-cities")
	_ = plan.ChongqingID
	srv := newBenchServer(b, st)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/plans/chongqing-2023/units?limit=100", nil))
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}

// TestSitesRanking: mains first, those with neighbours holding the
// industry next, distance only from a chosen origin, a stable order.
func TestSitesRanking(t *testing.T) {
	_, srv := newServer(t)
	type siteList struct {
		Sites []struct {
			Code, Role string
			DistanceKm *float64 `json:"distance_km"`
			Neighbours []struct{ Code string }
		}
	}
	var a, b, near siteList
	getJSON(t, srv.URL+"/api/v1/plans/chongqing-2023/sites?industry=CQ-ICV", &a)
	getJSON(t, srv.URL+"/api/v1/plans/chongqing-2023/sites?industry=智能网联新能源汽车", &b)
	if fmt.Sprint(a) != fmt.Sprint(b) || len(a.Sites) < 3 {
		t.Fatalf("unstable or short: %v / %v", a, b)
	}
	var order []string
	for i, s := range a.Sites {
		order = append(order, s.Code)
		if s.DistanceKm != nil {
			t.Errorf("a distance without an origin: %+v", s)
		}
		if i > 0 && a.Sites[i-1].Role == "special" && s.Role == "main" {
			t.Errorf("a main after a special at %d", i)
		}
		if i > 0 && s.Role == a.Sites[i-1].Role && len(s.Neighbours) > 0 && len(a.Sites[i-1].Neighbours) == 0 {
			t.Errorf("%s (with neighbours holding it) after %s (without)", s.Code, a.Sites[i-1].Code)
		}
	}
	t.Logf("ICV without an origin: %v", order)
	getJSON(t, srv.URL+"/api/v1/plans/chongqing-2023/sites?industry=CQ-ICV&near=106.74,29.63", &near)
	nearest, best := "", 1e9
	for _, s := range near.Sites {
		if s.Role == "main" && *s.DistanceKm < best {
			nearest, best = s.Code, *s.DistanceKm
		}
	}
	if near.Sites[0].Code != nearest {
		t.Errorf("from (106.74, 29.63): first %s, nearest main holder %s (%.1f km)", near.Sites[0].Code, nearest, best)
	}
}

// TestSiteRanksAndReasons: every site says why it ranks where it does,
// and sites the ranking cannot tell apart share a rank (with and without
// an origin, in every Chongqing industry and a Shandong one).
func TestSiteRanksAndReasons(t *testing.T) {
	_, srv := newServer(t)
	type reasons struct {
		Role              string
		NeighboursHolding int `json:"neighbours_holding"`
		Distance          *struct {
			Km          float64
			Measure, To string
		}
	}
	type siteRow struct {
		Rank       int
		Code, Role string
		DistanceKm *float64 `json:"distance_km"`
		Neighbours []struct{ Code string }
		Reasons    reasons
	}
	var cat struct{ Industries []struct{ Code string } }
	getJSON(t, srv.URL+"/api/v1/industries?plan=chongqing-2023", &cat)
	ties := 0
	for _, q := range []string{"", "&near=106.23,29.59"} {
		for _, in := range cat.Industries {
			var r struct{ Sites []siteRow }
			getJSON(t, srv.URL+"/api/v1/plans/chongqing-2023/sites?limit=100&industry="+in.Code+q, &r)
			for i, s := range r.Sites {
				if s.Reasons.Role != s.Role || s.Reasons.NeighboursHolding != len(s.Neighbours) {
					t.Errorf("%s%s %s: reasons %+v for role %s, %d neighbours", in.Code, q, s.Code, s.Reasons, s.Role, len(s.Neighbours))
				}
				if (q == "") != (s.Reasons.Distance == nil) {
					t.Fatalf("%s%s %s: distance reason %+v", in.Code, q, s.Code, s.Reasons.Distance)
				}
				if d := s.Reasons.Distance; d != nil && (d.Measure != "straight_line" || d.Km != *s.DistanceKm || (d.Km == 0) != (d.To == "inside")) {
					t.Errorf("%s%s %s: distance %+v", in.Code, q, s.Code, *d)
				}
				if i == 0 {
					if s.Rank != 1 {
						t.Errorf("%s%s: first rank %d", in.Code, q, s.Rank)
					}
					continue
				}
				p := r.Sites[i-1]
				same := p.Role == s.Role && (len(p.Neighbours) > 0) == (len(s.Neighbours) > 0) && len(p.Neighbours) == len(s.Neighbours) &&
					(p.DistanceKm == nil || *p.DistanceKm == *s.DistanceKm)
				switch {
				case same && s.Rank != p.Rank:
					t.Errorf("%s%s: %s and %s tie but rank %d, %d", in.Code, q, p.Code, s.Code, p.Rank, s.Rank)
				case same && p.Code > s.Code:
					t.Errorf("%s%s: tied %s before %s", in.Code, q, p.Code, s.Code)
				case !same && s.Rank != i+1:
					t.Errorf("%s%s: %s at %d ranks %d", in.Code, q, s.Code, i+1, s.Rank)
				case same:
					ties++
				}
			}
		}
	}
	// Real ties exist (units alike in role and neighbours, no origin).
	if ties == 0 {
		t.Error("no tied sites in the Chongqing plan")
	}
	_, body := get(t, srv.URL+"/api/v1/plans/chongqing-2023/sites?industry=CQ-ICV&near=106.23,29.59&format=csv")
	if !strings.Contains(string(body), ",straight_line,") {
		t.Errorf("sites CSV without the distance measure: %.300s", body)
	}
}

// TestValidationAsOf: the stored plan's report says the day it was
// checked against, and ?as_of= checks it against another day's units
// (Chongqing's 2023 plan in 2027: 江北区 and 渝北区 are abolished).
func TestValidationAsOf(t *testing.T) {
	_, srv := newServer(t)
	type report struct {
		AsOf       string `json:"as_of"`
		Subject    string
		Revision   int
		Violations []struct {
			Rule  string
			Units []string
		}
	}
	var now, later report
	getJSON(t, srv.URL+"/api/v1/plans/chongqing-2023/validation", &now)
	getJSON(t, srv.URL+"/api/v1/plans/chongqing-2023/validation?as_of=2027-01-01", &later)
	names := func(r report, code string) bool {
		for _, v := range r.Violations {
			if slices.Contains(v.Units, code) {
				return true
			}
		}
		return false
	}
	if now.AsOf == "" || later.AsOf != "2027-01-01" || later.Subject != now.Subject || later.Revision != now.Revision {
		t.Errorf("as of: stored %q %q r%d, 2027 %q %q r%d", now.AsOf, now.Subject, now.Revision, later.AsOf, later.Subject, later.Revision)
	}
	// 江北区 (abolished 2026-01-25) has no picks on the plan's date; in
	// 2027 it is gone and the administrative 两江新区 has none.
	if !names(now, "500105") || names(later, "500105") || !names(later, "500000-liangjiang") {
		t.Errorf("江北区 named %v then %v; 两江新区 in 2027 %v", names(now, "500105"), names(later, "500105"), names(later, "500000-liangjiang"))
	}
	// In 2027 the district 两江新区 has no picks: the report says the
	// plan's are its functional zone's.
	var zh struct {
		Violations []struct {
			Rule    string
			Units   []string
			Message string
			Zone    *struct{ Code string }
		}
	}
	getJSON(t, srv.URL+"/api/v1/plans/chongqing-2023/validation?as_of=2027-01-01", &zh)
	linked := false
	for _, v := range zh.Violations {
		if v.Rule == "unit-unassigned" && slices.Contains(v.Units, "500000-liangjiang") {
			linked = v.Zone != nil && v.Zone.Code == "cq-liangjiang" && strings.Contains(v.Message, "同名功能区 两江新区")
			if !linked {
				t.Errorf("两江新区 (2026) unassigned: %+v", v)
			}
		}
	}
	if !linked {
		t.Error("no report on the district 两江新区 in 2027")
	}
	if code := getJSON(t, srv.URL+"/api/v1/plans/chongqing-2023/validation?as_of=2027-13-01", &later); code != 400 {
		t.Errorf("a bad as_of answers %d", code)
	}
}

// TestSiteSourcesOnce: a city hosting two clusters of one industry from
// one source (潍坊: 智能农机 and 工业母机, 智能制造装备) cites it once.
func TestSiteSourcesOnce(t *testing.T) {
	_, srv := newServer(t)
	var r struct {
		Sites []struct {
			Code    string
			Detail  string
			Sources []string
		}
	}
	getJSON(t, srv.URL+"/api/v1/plans/shandong-clusters/sites?limit=100&industry="+url.QueryEscape("智能制造装备"), &r)
	found := false
	for _, s := range r.Sites {
		if s.Code == "370700" {
			found = true
			if !strings.Contains(s.Detail, "潍坊智能农机产业集群") || !strings.Contains(s.Detail, "济青枣潍工业母机产业集群") || len(s.Sources) != 1 {
				t.Errorf("潍坊: %q, sources %v", s.Detail, s.Sources)
			}
		}
	}
	if !found {
		t.Errorf("潍坊 is not a site of 智能制造装备: %+v", r.Sites)
	}
}
