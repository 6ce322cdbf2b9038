package api_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestDivisionsInTheAPI: a unit says when it was in force and what came
// of it; lookup answers the units in force on a date (today by default);
// a file is checked against the divisions of another date on request.
func TestDivisionsInTheAPI(t *testing.T) {
	_, srv := newServer(t)
	var u struct {
		Properties struct {
			ValidTo    string `json:"valid_to"`
			Successors []struct{ Code, Name, Share, Date string }
			Plans      []struct{ Plan string }
		}
	}
	getJSON(t, srv.URL+"/api/v1/units/500105", &u)
	if p := u.Properties; p.ValidTo != "2026-01-25" || len(p.Successors) != 1 || p.Successors[0].Name != "两江新区" ||
		p.Successors[0].Share != "whole" || len(p.Plans) == 0 || p.Plans[0].Plan != "chongqing-2023" {
		t.Errorf("江北区: %+v", p)
	}
	// 北碚区 stays in force but gave streets to 两江新区 and took towns of
	// 渝北区 on 2026-01-25: its outline is from before (issue 22); an
	// unchanged district and an abolished one say nothing.
	for code, want := range map[string]string{"500109": "2026-01-25", "500120": "", "500105": ""} {
		var o struct {
			Properties struct {
				OutlineBefore *string `json:"outline_before"`
			}
		}
		getJSON(t, srv.URL+"/api/v1/units/"+code, &o)
		if o.Properties.OutlineBefore == nil || *o.Properties.OutlineBefore != want {
			t.Errorf("%s: outline_before %v, want %q", code, o.Properties.OutlineBefore, want)
		}
	}
	var lj struct {
		Properties struct {
			ValidFrom    string `json:"valid_from"`
			Approximate  bool
			Note         string
			Predecessors []struct{ Code string }
			Plans        []struct{ Plan string }
			Neighbours   []struct{ Code string }
		}
	}
	getJSON(t, srv.URL+"/api/v1/units/500000-liangjiang", &lj)
	// The derived unit borders units in force beside it (渝中, 沙坪坝,
	// 北碚, 南岸, 长寿, 合川 …), never its predecessors.
	var ns []string
	for _, n := range lj.Properties.Neighbours {
		ns = append(ns, n.Code)
	}
	if len(ns) < 6 || slices.Contains(ns, "500105") || slices.Contains(ns, "500112") || !slices.Contains(ns, "500103") || !slices.Contains(ns, "500109") {
		t.Errorf("两江新区's neighbours: %v", ns)
	}
	if p := lj.Properties; p.ValidFrom != "2026-01-25" || !p.Approximate || len(p.Predecessors) != 3 || !strings.Contains(p.Note, "approximate") ||
		len(p.Plans) != 0 {
		t.Errorf("两江新区 (administrative): %+v", p)
	}
	var r struct {
		Date  string
		Units []struct {
			Code        string
			Approximate bool
		}
	}
	const guanyinqiao = "/api/v1/lookup?lon=106.529&lat=29.579"
	for _, tc := range []struct{ query, code string }{
		{"", "500000-liangjiang"},
		{"&date=2023-12-01", "500105"},
		{"&date=2026-01-24", "500105"},
		{"&date=2026-01-25", "500000-liangjiang"},
	} {
		getJSON(t, srv.URL+guanyinqiao+tc.query, &r)
		if len(r.Units) != 1 || r.Units[0].Code != tc.code || r.Units[0].Approximate != (tc.code == "500000-liangjiang") {
			t.Errorf("观音桥%s: %+v", tc.query, r)
		}
	}
	if resp, body := get(t, srv.URL+guanyinqiao+"&date=yesterday"); resp.StatusCode != 400 || !strings.Contains(string(body), `"param":"date"`) {
		t.Errorf("bad date: %d %s", resp.StatusCode, body)
	}
	file := "unit_code,unit_name,role,industry,detail,source\n500120,璧山区,main,CQ-ICV,,s\n500112,渝北区,main,CQ-EIM,,s\n"
	var rep struct {
		Valid      bool
		Violations []struct {
			Rule  string
			Units []string
			Lines []int
		}
	}
	for _, tc := range []struct {
		query string
		valid bool
	}{{"", true}, {"?as_of=2026-02-01", false}} {
		resp, body := post(t, srv.URL+"/api/v1/plans/chongqing-2023/validate"+tc.query, "text/csv", file)
		rep.Violations = nil
		decode(t, body, &rep)
		retired := 0
		for _, v := range rep.Violations {
			if v.Rule == "retired-unit" {
				retired++
				if v.Units[0] != "500112" || len(v.Lines) != 1 || v.Lines[0] != 3 {
					t.Errorf("retired-unit %+v", v)
				}
			}
		}
		if resp.StatusCode != 200 || rep.Valid != tc.valid || retired != map[bool]int{true: 0, false: 1}[tc.valid] {
			t.Errorf("validate%s: %d valid %v, %d retired-unit", tc.query, resp.StatusCode, rep.Valid, retired)
		}
	}
}

func decode(t *testing.T, body []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
}
