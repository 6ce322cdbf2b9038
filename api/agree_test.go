package api_test

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/indmap/indmap/api"
	"github.com/indmap/indmap/internal/testdb"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/maptile/tilecover"
)

// TestRolesAgree: for every industry of every plan, the GeoJSON role
// filters, the ranked sites, the industry counts, OGC API Features, the
// thematic tiles and the thematic data name the same units in the same
// roles (one read model in plan).
func TestRolesAgree(t *testing.T) {
	st := testdb.Seeded(t, "chongqing-districts", "shandong-cities", "henan/henan-cities", "henan/henan-counties")
	_, srv := serve(t, st, api.Config{})
	var plans struct{ Plans []struct{ ID string } }
	getJSON(t, srv.URL+"/api/v1/plans", &plans)
	// The z8 tiles over each plan (every unit of these plans is larger
	// than a pixel there, so none is merged away).
	tiles := map[string][]maptile.Tile{}
	for _, p := range plans.Plans {
		var tj struct{ Bounds [4]float64 }
		getJSON(t, srv.URL+"/tiles/"+p.ID+".json", &tj)
		set, _ := tilecover.Geometry(orb.Bound{Min: orb.Point{tj.Bounds[0], tj.Bounds[1]}, Max: orb.Point{tj.Bounds[2], tj.Bounds[3]}}, 8)
		for tl := range set {
			tiles[p.ID] = append(tiles[p.ID], tl)
		}
	}
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
		// OGC API Features: each unit's industries by role.
		var items struct {
			Features []struct {
				ID         string
				Properties struct {
					MainCodes    string `json:"main_codes"`
					SpecialCodes string `json:"special_codes"`
				}
			}
		}
		getJSON(t, srv.URL+"/ogc/collections/"+p.ID+"/items?limit=1000", &items)
		ogc := map[string]map[string]string{} // industry → unit → role
		for _, f := range items.Features {
			for role, codes := range map[string]string{"main": f.Properties.MainCodes, "special": f.Properties.SpecialCodes} {
				for _, c := range strings.Split(codes, "|") {
					if c == "" {
						continue
					}
					if ogc[c] == nil {
						ogc[c] = map[string]string{}
					}
					ogc[c][f.ID] = role
				}
			}
		}
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
			checkTileRoles(t, srv.URL, p.ID, in.Code, tiles[p.ID], want)
			for role, units := range want {
				for _, u := range units {
					if ogc[in.Code][u] != role {
						t.Errorf("%s %s: OGC has %s as %q, the theme as %s", p.ID, in.Code, u, ogc[in.Code][u], role)
					}
				}
				if len(units) != countRole(ogc[in.Code], role) {
					t.Errorf("%s %s: OGC %d %s units, theme %d", p.ID, in.Code, countRole(ogc[in.Code], role), role, len(units))
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

// checkTileRoles reads a plan's thematic tiles for an industry and
// compares every unit's role with want (role → unit codes).
func checkTileRoles(t *testing.T, base, planID, industry string, list []maptile.Tile, want map[string][]string) {
	t.Helper()
	role := map[string]string{}
	for r, codes := range want {
		for _, c := range codes {
			role[c] = r
		}
	}
	seen := map[string]bool{}
	for _, tl := range list {
		resp, body := do(t, "GET", fmt.Sprintf("%s/tiles/%s/%d/%d/%d.mvt?industry=%s", base, planID, tl.Z, tl.X, tl.Y, url.QueryEscape(industry)), "",
			"Accept-Encoding", "identity")
		if resp.StatusCode == 204 {
			continue
		}
		ls, err := mvt.Unmarshal(body)
		if err != nil {
			t.Fatalf("%s %v: %v", planID, tl, err)
		}
		for _, l := range ls {
			if l.Name != "units" && l.Name != "labels" {
				continue
			}
			for _, f := range l.Features {
				code, _ := f.Properties["code"].(string)
				got, wantRole := f.Properties["role"], role[code]
				if wantRole == "" {
					wantRole = "none"
				}
				if got != wantRole {
					t.Errorf("%s %s: %s is %v in tile %v, %s in the theme", planID, industry, code, got, tl, wantRole)
				}
				seen[code] = true
			}
		}
	}
	for c := range role {
		if !seen[c] {
			t.Errorf("%s %s: holder %s in no tile", planID, industry, c)
		}
	}
}

func countRole(m map[string]string, role string) int {
	n := 0
	for _, r := range m {
		if r == role {
			n++
		}
	}
	return n
}
