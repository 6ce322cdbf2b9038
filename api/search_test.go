package api_test

import (
	"fmt"
	"math"
	"net/url"
	"strings"
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
		// Named places come after the units and industries (TestSearchPlaces).
		things := 0
		for _, r := range a.Results {
			if r.Type != "place" {
				things++
			}
		}
		if c.count >= 0 && (things != c.count || c.limit == "" && len(a.Results) != a.Count) || a.Matched < a.Count || a.Q != c.q || a.Plan != c.plan {
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

// TestSearchPlaces: towns and seats (GeoNames, in WGS 84 as the stored
// boundaries are) are found by Chinese name, pinyin and English, after
// the plan's own units, only within the plan's units, shown by the name
// that reads as their English one, with their point and credit.
func TestSearchPlaces(t *testing.T) {
	_, srv := newServer(t)
	type placeAnswer struct {
		Count   int
		Results []struct {
			Type, Code, Name, Kind, Source string
			NameEn                         string `json:"name_en"`
			Lon, Lat                       *float64
		}
	}
	find := func(q, plan string) (out []string, a placeAnswer) {
		getJSON(t, srv.URL+"/api/v1/search?q="+url.QueryEscape(q)+"&plan="+plan, &a)
		for _, r := range a.Results {
			out = append(out, r.Type+":"+r.Name)
		}
		return out, a
	}
	for _, q := range []string{"鱼嘴", "yuzui", "Yuzui"} {
		got, a := find(q, "chongqing-2023")
		if len(a.Results) != 1 || got[0] != "place:鱼嘴镇" {
			t.Fatalf("%s: %v", q, got)
		}
		r := a.Results[0]
		// GeoNames has 鱼嘴镇 at 106.762, 29.62046, in WGS 84 like the
		// stored boundaries (TestPlacesInBoundariesDatum).
		if r.Kind != "town" || r.NameEn != "Yuzui" || r.Source == "" || r.Lon == nil || math.Abs(*r.Lon-106.762) > 1e-9 || math.Abs(*r.Lat-29.62046) > 1e-9 {
			t.Errorf("%s: %+v (%v, %v)", q, r, *r.Lon, *r.Lat)
		}
		var at struct{ Units []struct{ Code string } }
		getJSON(t, fmt.Sprintf("%s/api/v1/lookup?lon=%v&lat=%v&date=2023-12-01", srv.URL, *r.Lon, *r.Lat), &at)
		if len(at.Units) == 0 {
			t.Errorf("%s: no unit of the plan at %v, %v", q, *r.Lon, *r.Lat)
		}
	}
	if got, _ := find("鱼嘴", "shandong-clusters"); len(got) != 0 {
		t.Errorf("鱼嘴 in Shandong's plan: %v", got)
	}
	// Bicheng, 璧山's seat: 璧城街道, not the county's name GeoNames lists
	// for it too; after the district itself.
	if got, _ := find("bicheng", "chongqing-2023"); len(got) == 0 || got[0] != "place:璧城街道" {
		t.Errorf("bicheng: %v", got)
	}
	if got, _ := find("璧山", "chongqing-2023"); len(got) < 2 || got[0] != "unit:璧山区" || !strings.HasPrefix(got[1], "place:") {
		t.Errorf("璧山: %v", got)
	}
	// Airports (OurAirports, named in Chinese by indmap): by the name
	// people say (江北机场, without the city and 国际), in full, in
	// English and by IATA code, at OurAirports' point, inside the plan.
	for _, q := range []string{"江北机场", "重庆江北国际机场", "Jiangbei International", "CKG"} {
		got, a := find(q, "chongqing-2023")
		if len(got) == 0 || got[0] != "place:重庆江北国际机场" {
			t.Errorf("%s: %v", q, got)
			continue
		}
		r := a.Results[0]
		if r.Kind != "airport" || r.NameEn != "Chongqing Jiangbei International Airport" || !strings.Contains(r.Source, "OurAirports") ||
			math.Abs(*r.Lon-106.651895) > 1e-9 || math.Abs(*r.Lat-29.712254) > 1e-9 {
			t.Errorf("%s: %+v", q, r)
		}
	}
	if got, _ := find("江北机场", "shandong-clusters"); len(got) != 0 {
		t.Errorf("江北机场 in Shandong's plan: %v", got)
	}
	if got, _ := find("遥墙机场", "shandong-clusters"); len(got) != 1 || got[0] != "place:济南遥墙国际机场" {
		t.Errorf("遥墙机场 in Shandong's plan: %v", got)
	}
}
