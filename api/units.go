package api

import (
	"net/http"

	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/readmodel"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb/geojson"
)

type planSummary struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	TitleEn     string `json:"title_en"`
	Kind        string `json:"kind"`
	AsOf        string `json:"as_of"`
	Region      string `json:"region"`
	Units       int    `json:"units"`
	Industries  int    `json:"industries"`
	Assignments int    `json:"assignments"`
	Clusters    int    `json:"clusters"`
	// AssignedUnits counts the units the plan gives anything.
	AssignedUnits int `json:"assigned_units"`
}

func (h *handlers) plans(c echo.Context) error {
	snap := snapshotOf(c)
	out := make([]planSummary, 0, len(snap.Plans))
	for i := range snap.Plans {
		p := &snap.Plans[i]
		out = append(out, planSummary{ID: p.ID, Title: p.Title, TitleEn: p.TitleEn, Kind: string(p.Kind), AsOf: p.AsOf, Region: p.Region,
			Units: len(snap.PlanUnits(p)), Industries: len(p.Catalogue),
			Assignments: len(p.Assignments), Clusters: len(p.Clusters), AssignedUnits: assignedUnits(snap, p)})
	}
	return c.JSON(http.StatusOK, map[string]any{"data_version": snap.Version, "plans": out})
}

// industryRef is an assignment as the API shows it.
type industryRef struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Detail string `json:"detail"`
	// DetailEn is indmap's English for the detail, when it has one.
	DetailEn string `json:"detail_en,omitempty"`
	Source   string `json:"source"`
}

// clusterRef is a cluster as the API shows it: its current level (the
// latest step) and its history of recognitions.
type clusterRef struct {
	Name string `json:"name"`
	// Title and TitleEn name it for display (plan.ClusterTitle).
	Title    string             `json:"title"`
	TitleEn  string             `json:"title_en"`
	Industry string             `json:"industry"`
	Level    string             `json:"level"`
	Hosts    []string           `json:"hosts"`
	Year     int                `json:"year,omitempty"`
	Source   string             `json:"source"`
	History  []plan.ClusterStep `json:"history"`
}

// unitPlan is a unit's part in one plan: main and special industries in
// a district-picks plan, clusters in a clusters plan. The lists of the
// plan's kind are always present, empty when the unit has none.
type unitPlan struct {
	Plan     string         `json:"plan"`
	Title    string         `json:"title"`
	Kind     string         `json:"kind"`
	Main     *[]industryRef `json:"main,omitempty"`
	Special  *[]industryRef `json:"special,omitempty"`
	Clusters *[]clusterRef  `json:"clusters,omitempty"`
	Group    string         `json:"group,omitempty"`
	GroupEn  string         `json:"group_en,omitempty"`
	// Limits are the unit's caps per role (district picks).
	Limits map[plan.Role]int `json:"limits,omitempty"`
	// Violations are the ids of the plan's rules the unit breaks.
	Violations []string `json:"violations"`
}

type unitRef struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEn string `json:"name_en"`
}

func (h *handlers) unit(c echo.Context) error {
	snap := snapshotOf(c)
	u, ok := snap.Unit(c.Param("code"))
	if !ok {
		return notFound("no unit with code %s", c.Param("code"))
	}
	f := geojson.NewFeature(u.Geom)
	f.ID = u.Code
	// The outline is most of an answer: ?geometry=none leaves it out and
	// keeps its bounds, all a panel needs to frame the unit.
	switch c.QueryParam("geometry") {
	case "", "full":
	case "none":
		if u.Geom != nil {
			f.BBox = geojson.NewBBox(u.Geom.Bound())
		}
		f.Geometry = nil
	default:
		return badParam("geometry", "full (the default) or none")
	}
	neighbours := []unitRef{}
	for _, code := range snap.NeighboursOf(u.Code) {
		n, _ := snap.Unit(code)
		neighbours = append(neighbours, unitRef{Code: n.Code, Name: n.Name, NameEn: n.NameEn})
	}
	f.Properties = geojson.Properties{
		"code":           u.Code,
		"name":           u.Name,
		"name_en":        u.NameEn,
		"valid_from":     u.ValidFrom,
		"valid_to":       u.ValidTo,
		"predecessors":   links(u.Predecessors),
		"successors":     links(u.Successors),
		"kind":           u.Kind,
		"parent":         u.Parent,
		"approximate":    u.Approximate,
		"outline_before": u.OutlineBefore(),
		"area_km2":       u.AreaKm2,
		"label":          []float64{u.Label[0], u.Label[1]},
		"neighbours":     neighbours,
		"plans":          unitPlans(snap, u),
		"hosts":          nonNil(u.Hosts),
		"note":           u.Note,
		"note_zh":        plan.NoteIn(u.Note, "zh"),
		"note_en":        plan.NoteIn(u.Note, "en"),
		"repairs":        nonNil(u.Repairs),
	}
	return c.JSON(http.StatusOK, f)
}

func links(l []plan.UnitLink) []plan.UnitLink {
	if l == nil {
		return []plan.UnitLink{}
	}
	return l
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func refOf(h plan.Holding) industryRef {
	return industryRef{Code: h.Industry, Name: h.Name, Detail: h.Detail, DetailEn: h.DetailEn, Source: h.Source}
}

// unitPlans lists what each plan assigns to u.
func unitPlans(snap *readmodel.Snapshot, u plan.Unit) []unitPlan {
	out := []unitPlan{}
	for i := range snap.Plans {
		p := &snap.Plans[i]
		if !snap.InPlan(p, u.Code) {
			continue
		}
		v := snap.View(p.ID, u.Code)
		up := unitPlan{Plan: p.ID, Title: p.Title, Kind: string(p.Kind), Group: p.Groups[u.Code], GroupEn: p.GroupsEn[p.Groups[u.Code]],
			Violations: nonNil(v.Violations)}
		main, special, clusters := viewRefs(p, v)
		if p.Kind == plan.Clusters {
			up.Clusters = &clusters
		} else {
			up.Main, up.Special = &main, &special
			up.Limits = map[plan.Role]int{}
			for _, role := range []plan.Role{plan.Main, plan.Special} {
				if l, ok := p.Rules.Limit(u.Code, role); ok {
					up.Limits[role] = l
				}
			}
		}
		out = append(out, up)
	}
	return out
}

// viewRefs shows a unit's view: its picks and the clusters it hosts, each
// at its latest level with its history. The lists are never nil.
func viewRefs(p *plan.Plan, v *plan.UnitView) (main, special []industryRef, clusters []clusterRef) {
	main, special, clusters = []industryRef{}, []industryRef{}, []clusterRef{}
	for _, h := range v.Main {
		main = append(main, refOf(h))
	}
	for _, h := range v.Special {
		special = append(special, refOf(h))
	}
	for _, c := range v.Clusters {
		t := p.ClusterTitles[c.Name]
		clusters = append(clusters, clusterRef{Name: c.Name, Title: t.Title, TitleEn: t.TitleEn, Industry: c.Industry, Level: string(c.Level), Hosts: c.Hosts,
			Year: c.Year, Source: c.Source, History: c.History})
	}
	return main, special, clusters
}

// assignedUnits counts the plan's units it gives anything.
func assignedUnits(snap *readmodel.Snapshot, p *plan.Plan) int {
	n := 0
	for _, u := range snap.PlanUnits(p) {
		if snap.View(p.ID, u.Code).Assigned() {
			n++
		}
	}
	return n
}
