package api_test

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/indmap/indmap/api"
	"github.com/indmap/indmap/internal/testdb"
)

// TestRolesAgree: for every industry of every plan, the GeoJSON role
// filters, the ranked sites, the industry counts and the thematic data
// name the same units in the same roles (one read model in plan).
func TestRolesAgree(t *testing.T) {
	st := testdb.Seeded(t, "chongqing-districts", "shandong-cities", "henan/henan-cities", "henan/henan-counties")
	_, srv := serve(t, st, api.Config{})
	var plans struct{ Plans []struct{ ID string } }
	getJSON(t, srv.URL+"/api/v1/plans", &plans)
	checked := 0
	for _, p := range plans.Plans {
		var th struct {
			Industries map[string]struct{ Main, Special []string }
		}
		getJSON(t, srv.URL+"/api/v1/plans/"+p.ID+"/theme", &th)
		var ind struct {
			Industries []struct {
				Code         string
				MainUnits    int `json:"main_units"`
				SpecialUnits int `json:"special_units"`
			}
		}
		getJSON(t, srv.URL+"/api/v1/industries?plan="+p.ID, &ind)
		for _, in := range ind.Industries {
			want := map[string][]string{"main": th.Industries[in.Code].Main, "special": th.Industries[in.Code].Special}
			for role, units := range want {
				var page struct{ Features []struct{ ID string } }
				getJSON(t, srv.URL+"/api/v1/plans/"+p.ID+"/units?limit=1000&role="+role+"&industry="+url.QueryEscape(in.Code), &page)
				var got []string
				for _, f := range page.Features {
					got = append(got, f.ID)
				}
				sort.Strings(got)
				if strings.Join(got, ",") != strings.Join(units, ",") {
					t.Errorf("%s %s %s: GeoJSON %v, theme %v", p.ID, in.Code, role, got, units)
				}
			}
			if in.MainUnits != len(want["main"]) || in.SpecialUnits != len(want["special"]) {
				t.Errorf("%s %s: industries counts %d/%d, theme %d/%d", p.ID, in.Code, in.MainUnits, in.SpecialUnits, len(want["main"]), len(want["special"]))
			}
			var sites struct{ Sites []struct{ Code, Role string } }
			getJSON(t, srv.URL+"/api/v1/plans/"+p.ID+"/sites?limit=1000&industry="+url.QueryEscape(in.Code), &sites)
			got := map[string][]string{"main": {}, "special": {}}
			for _, s := range sites.Sites {
				got[s.Role] = append(got[s.Role], s.Code)
			}
			for role := range got {
				sort.Strings(got[role])
				if fmt.Sprint(got[role]) != fmt.Sprint(nonNilStrings(want[role])) {
					t.Errorf("%s %s %s: sites %v, theme %v", p.ID, in.Code, role, got[role], want[role])
				}
			}
			checked++
		}
	}
	if checked != 30+15+7 {
		t.Errorf("checked %d industries", checked)
	}
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
