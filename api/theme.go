package api

import (
	"net/http"

	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/readmodel"
	"github.com/indmap/indmap/tiles"
	"github.com/labstack/echo/v4"
)

// A plan's thematic data: what it says of each unit, small and apart
// from the geometry, which changes far less often. The page applies it
// to the geometry tiles with MapLibre's feature-state (by feature id).

type themeRoles struct {
	Main    []string `json:"main"`
	Special []string `json:"special"`
}

type theme struct {
	Plan        string   `json:"plan"`
	Tag         string   `json:"tag"`
	Geometry    string   `json:"geometry"`
	DataVersion int64    `json:"data_version"`
	Coverage    coverage `json:"coverage"`
	// Units hold the fields of plan.UnitFields published in the theme
	// (plan.InThemeJSON), and the tiles' feature id.
	Units      []map[string]any      `json:"units"`
	Industries map[string]themeRoles `json:"industries"` // code → unit codes by role
	// Clusters names a clusters plan's clusters for display, by name.
	Clusters map[string]plan.ClusterTitle `json:"clusters,omitempty"`
}

type coverage struct {
	Units    int `json:"units"`
	Assigned int `json:"assigned"`
}

// themeOf builds a plan's thematic data from its read model.
func themeOf(snap *readmodel.Snapshot, p *plan.Plan) theme {
	t := theme{Plan: p.ID, Tag: snap.PlanTag(p.ID), Geometry: snap.PlanGeometryTag(p.ID), DataVersion: snap.Version,
		Units: []map[string]any{}, Industries: map[string]themeRoles{}, Clusters: p.ClusterTitles}
	for _, in := range p.Catalogue {
		var r themeRoles
		r.Main, r.Special = plan.ByRole(p.Holders(in.Code), func(code string) bool { return snap.InPlan(p, code) })
		t.Industries[in.Code] = r
	}
	for _, u := range snap.PlanUnits(p) {
		v := snap.View(p.ID, u.Code)
		tu := plan.JSONProperties(plan.InThemeJSON, u, v)
		tu["id"] = tiles.FeatureID(u.Code)
		t.Coverage.Units++
		if v.Assigned() {
			t.Coverage.Assigned++
		}
		t.Units = append(t.Units, tu)
	}
	return t
}

// theme serves GET /api/v1/plans/{id}/theme. Its ETag is the plan's
// content tag; asked for with ?v=TAG matching the current one, it may be
// kept for good (the tag names the content).
func (h *handlers) theme(c echo.Context) error {
	p, err := h.plan(c)
	if err != nil {
		return err
	}
	snap := snapshotOf(c)
	tag := snap.PlanTag(p.ID)
	hdr := c.Response().Header()
	if v := c.QueryParam("v"); v != "" && v == tag {
		hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
	}
	hdr.Set("ETag", `W/"`+tag+`"`)
	return c.JSON(http.StatusOK, themeOf(snap, p))
}
