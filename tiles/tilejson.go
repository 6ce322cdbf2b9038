package tiles

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/plan/search"
)

// Field is one property of a layer.
type Field struct {
	Name, Type, Description string // Type as MBTiles names it: String, Number, Boolean
}

// LayerSchema describes a layer for TileJSON and MBTiles metadata.
type LayerSchema struct {
	ID, Description string
	Fields          []Field
}

// unitFields are the fields of plan.UnitFields published in any of
// outs, as the tiles' schema lists them.
func unitFields(outs ...plan.Output) []Field {
	var fs []Field
	for _, f := range plan.UnitFields {
		for _, o := range outs {
			if f.In.Has(o) {
				fs = append(fs, Field{f.Name, f.Type, f.Description})
				break
			}
		}
	}
	return fs
}

// Schema lists the layers in the order tiles carry them. Lists are
// |-joined strings (MVT has no lists). A unit's fields are plan's
// (plan.UnitFields): its identity in every tile, what its plan says only
// in tiles asked for ?industry= (the page reads that from the plan's
// thematic JSON instead, so geometry tiles stay the same across writes).
var Schema = []LayerSchema{
	{LayerUnits, "Units (districts, counties, cities) as polygons; each kind at the zooms its plan shows it",
		unitFields(plan.InUnits, plan.InThemeTiles)},
	{LayerBorders, "Borders, each shared border once; outer boundaries too", []Field{
		{"left", "String", "code of the unit on the left of the line"},
		{"right", "String", "code of the unit on the right; empty on an outer boundary"},
		{"outer", "Boolean", "true on the outer boundary of the plan's units of that kind"},
		{"kind", "String", "the kind of the units it separates"},
	}},
	{LayerLabels, "One point per unit at a point inside it (zones at their approximate point), thinned by area at low zooms",
		unitFields(plan.InLabels, plan.InThemeLabels)},
	{LayerRegions, "Only for plans that group their units: each group (e.g. an economic circle) dissolved from its units' borders", []Field{
		{"name", "String", "the group's name"},
		{"name_en", "String", "the group's name in English"},
	}},
	{LayerPlaces, "Named places inside the plan's units (GeoNames, CC BY 3.0; airports: OurAirports, public domain): airports and cities from z6, county seats from z8, township seats from z10, others from z12; only in tiles that have some", []Field{
		{"name", "String", "the place's Chinese name"},
		{"name_en", "String", "the place's name in pinyin (an airport's in English)"},
		{"kind", "String", "airport, city, county_seat, town, settlement or neighbourhood"},
	}},
	{LayerRivers, "Rivers reaching into the plan's extent (GSHHG 2.3.7 WDBII, LGPL-3.0), pieces cut at whole degrees: levels 0–1 from z4, 2 from z6, 3 from z7, 4 from z9; only in tiles that have some", []Field{
		{"level", "Number", "WDBII's rank: 0 double-lined, 1 permanent major, 2 additional major, 3 additional, 4 minor river"},
	}},
}

// TileJSON is a TileJSON 3.0.0 document.
type TileJSON struct {
	TileJSON     string        `json:"tilejson"`
	Name         string        `json:"name"`
	Description  string        `json:"description"`
	Version      string        `json:"version"`
	Attribution  string        `json:"attribution"`
	Scheme       string        `json:"scheme"`
	Tiles        []string      `json:"tiles"`
	MinZoom      int           `json:"minzoom"`
	MaxZoom      int           `json:"maxzoom"`
	Bounds       [4]float64    `json:"bounds"`
	Center       [3]float64    `json:"center"`
	VectorLayers []VectorLayer `json:"vector_layers"`
}

// VectorLayer is a TileJSON vector_layers entry.
type VectorLayer struct {
	ID          string            `json:"id"`
	Description string            `json:"description"`
	MinZoom     int               `json:"minzoom"`
	MaxZoom     int               `json:"maxzoom"`
	Fields      map[string]string `json:"fields"`
}

// Attribution names the boundary source and the plan's (its title, and
// its English title after it when it has one: one TileJSON serves both
// languages).
func Attribution(planTitle, planTitleEn string) string {
	if planTitleEn != "" && planTitleEn != planTitle {
		planTitle += " (" + planTitleEn + ")"
	}
	return "Boundaries: DataV.GeoAtlas (2022 divisions, GCJ-02 converted to WGS 84); plan: " +
		planTitle + ", compiled from public sources (each assignment carries its source); place names: " + search.PlacesCredit + "; airports: OurAirports; " + geo.RiversCredit
}

// TileJSON describes a plan's tiles; tileURL is the absolute template
// ({z}/{x}/{y} in it). fieldType maps each field to what the format
// wants: a description (TileJSON) or a type (MBTiles).
func (ix *Index) TileJSON(planID, tileURL string, describe func(Field) string) (TileJSON, error) {
	pi, ok := ix.plans[planID]
	if !ok {
		return TileJSON{}, fmt.Errorf("%w %q", ErrUnknownPlan, planID)
	}
	b := pi.geom.bounds
	tj := TileJSON{
		TileJSON:    "3.0.0",
		Name:        pi.plan.Title,
		Description: fmt.Sprintf("indmap plan %s (%s)", pi.plan.ID, pi.plan.Kind),
		Version:     pi.version(),
		Attribution: Attribution(pi.plan.Title, pi.plan.TitleEn),
		Scheme:      "xyz",
		Tiles:       []string{tileURL},
		MinZoom:     0,
		MaxZoom:     ix.MaxZoom,
		Bounds:      [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]},
		Center:      [3]float64{(b.Min[0] + b.Max[0]) / 2, (b.Min[1] + b.Max[1]) / 2, 6},
	}
	if describe == nil {
		describe = func(f Field) string { return f.Description }
	}
	for _, l := range Schema {
		if l.ID == LayerRegions && pi.geom.regionGroup < 0 {
			continue
		}
		vl := VectorLayer{ID: l.ID, Description: l.Description, MinZoom: layerMinZoom(l.ID), MaxZoom: ix.MaxZoom, Fields: map[string]string{}}
		for _, f := range l.Fields {
			vl.Fields[f.Name] = describe(f)
		}
		tj.VectorLayers = append(tj.VectorLayers, vl)
	}
	return tj, nil
}

// layerMinZoom is the first zoom a layer has features at: places and
// rivers show from a zoom on; the units' layers from 0.
func layerMinZoom(layer string) int {
	switch layer {
	case LayerPlaces:
		var zs []int
		for _, z := range placeMinZoom {
			zs = append(zs, z)
		}
		return slices.Min(zs)
	case LayerRivers:
		return slices.Min(riverMinZoom[:])
	}
	return 0
}

// PlanIDs lists the plans of the index.
func (ix *Index) PlanIDs() []string {
	var ids []string
	for id := range ix.plans {
		ids = append(ids, id)
	}
	return ids
}

// TileURL joins a base URL and a plan's tile path template.
func TileURL(base, planID string) string {
	return strings.TrimRight(base, "/") + "/tiles/" + planID + "/{z}/{x}/{y}.mvt"
}

// version is the plan's TileJSON version: it moves when the plan's
// geometry or content does, and not with other plans' writes, so that
// an archive of an unchanged plan stays byte for byte the same (and a
// publish does not upload it again). Semver, as TileJSON asks.
func (pi *planIndex) version() string {
	h := fnv.New64a()
	h.Write([]byte(pi.geom.tag + "/" + pi.themeTag))
	return fmt.Sprintf("1.0.%d", h.Sum64()%1_000_000_000)
}
