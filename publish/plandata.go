package publish

import (
	"encoding/json"
	"fmt"
	"net/url"
)

// pageData is what the page asks the server for about one plan,
// answered in advance so a published map needs no server.
type pageData struct {
	industries, units, sites, search []byte
}

// planData asks the in-process server for a plan's catalogue, its
// units' panels and each industry's sites, and takes its search entries
// from the snapshot: the same answers the page gets from a server.
func planData(src Source, id string) (pageData, error) {
	var d pageData
	p, ok := src.Snapshot.Plan(id)
	if !ok {
		return d, fmt.Errorf("no plan %s", id)
	}
	var err error
	if d.industries, err = get(src.Handler, "/api/v1/industries?plan="+url.QueryEscape(id)); err != nil {
		return d, err
	}

	// Units: the plan's, and those their panels link to (neighbours,
	// predecessors, successors, hosts), without outlines and with only
	// this plan's part: another plan's write leaves this object as it is.
	units := map[string]json.RawMessage{}
	var want []string
	for _, u := range src.Snapshot.PlanUnits(p) {
		want = append(want, u.Code)
	}
	inPlan := len(want)
	for i := 0; i < len(want); i++ {
		code := want[i]
		if _, done := units[code]; done {
			continue
		}
		if _, ok := src.Snapshot.Unit(code); !ok && i >= inPlan {
			continue // a link to a unit not loaded (a zone's host in data without it)
		}
		body, err := get(src.Handler, "/api/v1/units/"+url.PathEscape(code)+"?geometry=none")
		if err != nil {
			return d, err
		}
		var f struct {
			Properties struct {
				Plans []struct {
					Plan string `json:"plan"`
				} `json:"plans"`
				Neighbours   []struct{ Code string } `json:"neighbours"`
				Predecessors []struct{ Code string } `json:"predecessors"`
				Successors   []struct{ Code string } `json:"successors"`
				Hosts        []string                `json:"hosts"`
			} `json:"properties"`
		}
		if err := json.Unmarshal(body, &f); err != nil {
			return d, fmt.Errorf("unit %s: %w", code, err)
		}
		if i < inPlan {
			for _, l := range append(append(f.Properties.Neighbours, f.Properties.Predecessors...), f.Properties.Successors...) {
				want = append(want, l.Code)
			}
			want = append(want, f.Properties.Hosts...)
		}
		if body, err = onlyPlan(body, id); err != nil {
			return d, fmt.Errorf("unit %s: %w", code, err)
		}
		units[code] = body
	}
	if d.units, err = json.Marshal(map[string]any{"plan": id, "units": units}); err != nil {
		return d, err
	}

	sites := map[string]json.RawMessage{}
	for _, in := range p.Catalogue {
		body, err := get(src.Handler, "/api/v1/plans/"+url.PathEscape(id)+"/sites?limit=1000&industry="+url.QueryEscape(in.Code))
		if err != nil {
			return d, err
		}
		var r struct {
			Sites json.RawMessage `json:"sites"`
		}
		if err := json.Unmarshal(body, &r); err != nil {
			return d, fmt.Errorf("sites of %s: %w", in.Code, err)
		}
		sites[in.Code] = r.Sites
	}
	if d.sites, err = json.Marshal(map[string]any{"plan": id, "industries": sites}); err != nil {
		return d, err
	}

	// Every plan's search reads one file of every entry (what another
	// plan has is named, as the server's search does).
	d.search, err = json.Marshal(map[string]any{"entries": src.Snapshot.SearchEntries()})
	return d, err
}

// onlyPlan keeps, of a unit answer's plans, the one with the given id.
func onlyPlan(feature []byte, id string) ([]byte, error) {
	var f map[string]json.RawMessage
	if err := json.Unmarshal(feature, &f); err != nil {
		return nil, err
	}
	var props map[string]json.RawMessage
	if err := json.Unmarshal(f["properties"], &props); err != nil {
		return nil, err
	}
	var plans []map[string]any
	if err := json.Unmarshal(props["plans"], &plans); err != nil {
		return nil, err
	}
	kept := []map[string]any{}
	for _, p := range plans {
		if p["plan"] == id {
			kept = append(kept, p)
		}
	}
	var err error
	if props["plans"], err = json.Marshal(kept); err != nil {
		return nil, err
	}
	if f["properties"], err = json.Marshal(props); err != nil {
		return nil, err
	}
	return json.Marshal(f)
}
