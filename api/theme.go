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

type themeUnit struct {
	Code       string   `json:"code"`
	ID         uint64   `json:"id"` // the tiles' feature id
	Name       string   `json:"name"`
	NameEn     string   `json:"name_en"`
	Kind       string   `json:"kind"`
	Assigned   bool     `json:"assigned"`
	Tier       int      `json:"tier"`  // best tier of its main industries, 0 for none
	Level      string   `json:"level"` // best level of the clusters it hosts
	Industries int      `json:"industries"`
	Main       []string `json:"main"`    // industry codes
	Special    []string `json:"special"` // industry codes
	Clusters   []string `json:"clusters"`
	Errors     int      `json:"errors"`
	Warnings   int      `json:"warnings"`
	Violations []string `json:"violations"`
}

type themeRoles struct {
	Main    []string `json:"main"`
	Special []string `json:"special"`
}

type theme struct {
	Plan        string                `json:"plan"`
	Tag         string                `json:"tag"`
	Geometry    string                `json:"geometry"`
	DataVersion int64                 `json:"data_version"`
	Coverage    coverage              `json:"coverage"`
	Units       []themeUnit           `json:"units"`
	Industries  map[string]themeRoles `json:"industries"` // code → unit codes by role
}

type coverage struct {
	Units    int `json:"units"`
	Assigned int `json:"assigned"`
}

// themeOf builds a plan's thematic data from its read model.
func themeOf(snap *readmodel.Snapshot, p *plan.Plan) theme {
	t := theme{Plan: p.ID, Tag: snap.PlanTag(p.ID), Geometry: snap.PlanGeometryTag(p.ID), DataVersion: snap.Version,
		Units: []themeUnit{}, Industries: map[string]themeRoles{}}
	for _, in := range p.Catalogue {
		var r themeRoles
		r.Main, r.Special = plan.ByRole(p.Holders(in.Code), func(code string) bool { return snap.InPlan(p, code) })
		t.Industries[in.Code] = r
	}
	for _, u := range snap.PlanUnits(p) {
		v := snap.View(p.ID, u.Code)
		tu := themeUnit{Code: u.Code, ID: tiles.FeatureID(u.Code), Name: u.Name, NameEn: u.NameEn, Kind: u.Kind,
			Assigned: v.Assigned(), Tier: v.Tier, Level: string(v.Level), Industries: len(v.Roles),
			Clusters: []string{}, Errors: v.Errors, Warnings: v.Warnings, Violations: nonNil(v.Violations)}
		tu.Main, tu.Special = plan.ByRole(v.Roles, nil)
		for _, c := range v.Clusters {
			tu.Clusters = append(tu.Clusters, c.Name)
		}
		t.Coverage.Units++
		if tu.Assigned {
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
