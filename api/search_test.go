package api_test

import (
	"net/url"
	"testing"
)

type searchAnswer struct {
	Q       string
	Plan    string
	Count   int
	Matched int
	Results []struct {
		Type, Code, Name, Match, Kind, Plan string
		NameEn                              string `json:"name_en"`
		Label                               *[2]float64
		BBox                                []float64
	}
}

// TestSearch: partial Chinese, pinyin and English names find units and
// industries, best first; nothing found is an empty list.
func TestSearch(t *testing.T) {
	_, srv := newServer(t)
	for _, c := range []struct {
		q, plan, limit     string
		first, typ, nameEn string
		count              int // -1: any
	}{
		{"璧山", "chongqing-2023", "", "500120", "unit", "Bishan District", 1},
		{"bishan", "chongqing-2023", "", "500120", "unit", "Bishan District", 1},
		{"Bishan District", "", "", "500120", "unit", "Bishan District", 1},
		{"bish", "", "", "500120", "unit", "Bishan District", 1},
		{"changshou", "", "", "500115", "unit", "Changshou District", 1},
		{"qingdao", "shandong-clusters", "", "370200", "unit", "Qingdao City", -1},
		{"智能网联", "chongqing-2023", "", "CQ-ICV", "industry", "", -1},
		{"qu", "chongqing-2023", "3", "", "", "", 3},
		{"no such place", "", "", "", "", "", 0},
	} {
		u := srv.URL + "/api/v1/search?q=" + url.QueryEscape(c.q) + "&plan=" + c.plan + "&limit=" + c.limit
		var a searchAnswer
		if code := getJSON(t, u, &a); code != 200 {
			t.Errorf("%s: %d", u, code)
			continue
		}
		if c.count >= 0 && (a.Count != c.count || len(a.Results) != c.count) || a.Matched < a.Count || a.Q != c.q || a.Plan != c.plan {
			t.Errorf("%s: %d results (%d matched), want %d: %+v", u, a.Count, a.Matched, c.count, a)
		}
		if c.first == "" {
			continue
		}
		if len(a.Results) == 0 {
			t.Errorf("%s: nothing found", u)
			continue
		}
		r := a.Results[0]
		if r.Code != c.first || r.Type != c.typ || c.nameEn != "" && r.NameEn != c.nameEn || r.NameEn == "" {
			t.Errorf("%s: first %+v, want %s %s %q", u, r, c.typ, c.first, c.nameEn)
		}
		if r.Type == "unit" && (r.Label == nil || len(r.BBox) != 4) || r.Type == "industry" && r.Plan != c.plan {
			t.Errorf("%s: %+v lacks its place or plan", u, r)
		}
	}
}

// TestNameEnEverywhere: wherever the API shows a unit, its English name
// is beside its Chinese one.
func TestNameEnEverywhere(t *testing.T) {
	_, srv := newServer(t)
	type named struct {
		Code   string
		Name   string
		NameEn string `json:"name_en"`
	}
	check := func(where string, ns ...named) {
		t.Helper()
		if len(ns) == 0 {
			t.Errorf("%s: no units", where)
		}
		for _, n := range ns {
			if n.Code == "" || n.Name == "" || n.NameEn == "" {
				t.Errorf("%s: %+v has no English name", where, n)
			}
		}
	}
	var unit struct {
		Properties struct {
			named
			Neighbours []named
		}
	}
	getJSON(t, srv.URL+"/api/v1/units/500120", &unit)
	check("unit", unit.Properties.named)
	check("unit neighbours", unit.Properties.Neighbours...)
	if unit.Properties.NameEn != "Bishan District" {
		t.Errorf("璧山区 is %q", unit.Properties.NameEn)
	}
	var lookup struct {
		Units       []named
		NearbyZones []named `json:"nearby_zones"`
	}
	getJSON(t, srv.URL+"/api/v1/lookup?lon=106.57&lat=29.55", &lookup)
	check("lookup", lookup.Units...)
	check("lookup zones", lookup.NearbyZones...)
	var sites struct {
		Sites []struct {
			named
			Neighbours []named
		}
	}
	getJSON(t, srv.URL+"/api/v1/plans/chongqing-2023/sites?industry=CQ-ICV", &sites)
	for _, s := range sites.Sites {
		check("sites", s.named)
		if len(s.Neighbours) > 0 {
			check("site neighbours", s.Neighbours...)
		}
	}
	for _, u := range []string{"/api/v1/plans/chongqing-2023/units?limit=5", "/ogc/collections/chongqing-2023/items?limit=5", "/ogc/collections/units/items?limit=5"} {
		var fc struct{ Features []struct{ Properties named } }
		getJSON(t, srv.URL+u, &fc)
		var ns []named
		for _, f := range fc.Features {
			ns = append(ns, f.Properties)
		}
		check(u, ns...)
	}
}
