package tiles

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// colours are the map's, in one table: the style's layers are drawn with
// them and the style carries them in its metadata ("indmap:colours"),
// where the page reads its legend's colours and what it paints through
// feature-state. Roles strong to neutral; tiers and cluster levels on a
// ramp, strongest first; outlines that must not be mistaken for one
// another.
var colours = styleColours{
	Background: "#f5f5f4",
	Main:       "#c2410c", Special: "#fdba74", None: "#e7e5e4", Empty: "#e7e5e4",
	Ramp:        []string{"#253494", "#2c7fb8", "#41b6c4", "#a1dab4", "#d9f0a3"},
	SpecialOnly: "#ffffcc",
	Zone:        "#a8a29e",
	Border:      "#57534e",
	Selected:    "#111827", Changed: "#7c3aed", Error: "#dc2626", Warning: "#d97706", Highlight: "#db2777",
	Region: "#4c1d95",
	Label:  "#1c1917", Halo: "#ffffff",
	Place: "#6b6560",
	River: "#3b82c4",
}

// hatchOpacity is the hatch's lines' opacity (in the border's colour).
const hatchOpacity = 0.43

// styleColours names each colour of the map by what it means.
type styleColours struct {
	Background string `json:"background"`
	// Main, Special and None: a unit's role for the chosen industry;
	// Empty: a unit with nothing published (drawn hatched).
	Main    string `json:"main"`
	Special string `json:"special"`
	None    string `json:"none"`
	Empty   string `json:"empty"`
	// Ramp colours the overview: tiers of main industries (picks plans)
	// or cluster levels (clusters plans), strongest first; SpecialOnly a
	// unit with special industries only.
	Ramp        []string `json:"ramp"`
	SpecialOnly string   `json:"specialOnly"`
	// Zone is a zone's point with no colour of its own.
	Zone   string `json:"zone"`
	Border string `json:"border"`
	// Hatch is the hatch's lines (the border's colour, translucent).
	Hatch string `json:"hatch"`
	// Outlines: the selected (and hovered) unit, what a draft changes,
	// errors and warnings, highlighted units (a cluster's hosts, a
	// circle's cities).
	Selected  string `json:"selected"`
	Changed   string `json:"changed"`
	Error     string `json:"error"`
	Warning   string `json:"warning"`
	Highlight string `json:"highlight"`
	// Region is the economic circles' outlines and names.
	Region string `json:"region"`
	Label  string `json:"label"`
	Halo   string `json:"halo"`
	// Place is named places' dots and names, quieter than the units'.
	Place string `json:"place"`
	// River is the rivers' lines (the reference layer).
	River string `json:"river"`
}

func init() { colours.Hatch = translucent(colours.Border, hatchOpacity) }

// translucent is a #rrggbb colour at an opacity, as CSS rgba().
func translucent(hex string, a float64) string {
	var r, g, b int
	fmt.Sscanf(hex, "#%02x%02x%02x", &r, &g, &b)
	return fmt.Sprintf("rgba(%d, %d, %d, %g)", r, g, b, a)
}

// StyleOptions says what a style shows.
type StyleOptions struct {
	Plan, Title string
	// TileJSONURL is the source's TileJSON (with ?industry= for role
	// colours), GlyphsURL the glyph template, BasemapURL an optional
	// raster XYZ template drawn under the units.
	TileJSONURL, GlyphsURL, BasemapURL string
	// Industry is the catalogue code the units are coloured for ("" for
	// none: units are drawn neutral).
	Industry string
	// Lang "en" labels units with their English names.
	Lang string
	// Center and Zoom frame the plan's units.
	Center [2]float64
	Zoom   float64
	// Regions draws the regions layer's outlines and the regions' names
	// (for a plan whose tiles have one: MapLibre refuses a layer its
	// source does not list).
	Regions bool
}

// The feature-state keys the style reads (the page sets them by feature
// id on the units and labels layers; a unit without them is drawn from
// its tile's properties alone).
const (
	// stateHover and stateSelected (booleans) outline a unit.
	stateHover    = "hover"
	stateSelected = "selected"
	// stateChanged (boolean): what a planner's draft changes.
	stateChanged = "changed"
	// stateSeverity: "error" or "warning", the worst rule a unit breaks
	// (as the planner's view shows it).
	stateSeverity = "sev"
	// stateHighlight (boolean): a cluster's hosts, a circle's cities.
	stateHighlight = "hl"
	// stateHatch (boolean): the unit has nothing published.
	stateHatch = "hatch"
)

// globalRegion is the global state ("global-state") naming the selected
// region, whose outline is drawn wider.
const globalRegion = "region"

// The hatch's image, which the style names in units-hatch's
// fill-pattern. The style has no sprite: a page supplies the image
// (map.addImage) from the metadata's "indmap:hatch" and shows the layer,
// hidden until then.
const hatchImage = "hatch"

// Style returns a MapLibre style (version 8) for a plan's tiles, usable as
// it is and the one the map page draws: centred on the plan, units filled
// by the role of the chosen industry (tiles carry the role when asked for
// ?industry=), outlines from the borders layer (each border once, no
// seams), labels (Chinese, or English with Lang "en"), zones as points,
// the economic circles outlined and named; and the outlines the page
// sets through feature-state (see the state constants). Its metadata
// carries the colour table ("indmap:colours") and the hatch
// ("indmap:hatch").
func Style(o StyleOptions) map[string]any {
	c := colours
	sources := map[string]any{}
	sources["indmap"] = map[string]any{"type": "vector", "url": o.TileJSONURL}
	// The origin of distances, the page's to fill in (empty elsewhere):
	// often a town found by name, whose credit the tiles' attribution
	// already gives (a second one here showed it twice).
	sources["origin"] = map[string]any{"type": "geojson", "data": map[string]any{"type": "FeatureCollection", "features": []any{}}}
	layers := []any{
		map[string]any{"id": "background", "type": "background", "paint": map[string]any{"background-color": c.Background}},
	}
	if o.BasemapURL != "" {
		sources["basemap"] = map[string]any{"type": "raster", "tiles": []string{o.BasemapURL}, "tileSize": 256}
		layers = append(layers, map[string]any{"id": "basemap", "type": "raster", "source": "basemap", "paint": map[string]any{"raster-opacity": 0.6}})
	}
	state := func(k string) []any { return []any{"boolean", []any{"feature-state", k}, false} }
	sev := []any{"coalesce", []any{"feature-state", stateSeverity}, ""}
	role := func(fallback string) []any {
		return []any{"match", []any{"coalesce", []any{"get", "role"}, ""}, "main", c.Main, "special", c.Special, fallback}
	}
	// Nothing published, as thematic tiles (?industry=) say it.
	nothing := []any{"all",
		[]any{"==", []any{"coalesce", []any{"get", "main_count"}, -1}, 0},
		[]any{"==", []any{"coalesce", []any{"get", "special_count"}, -1}, 0},
		[]any{"==", []any{"coalesce", []any{"get", "cluster_count"}, -1}, 0}}
	units := func(id, typ string, paint map[string]any) map[string]any {
		return map[string]any{"id": id, "type": typ, "source": "indmap", "source-layer": LayerUnits, "paint": paint}
	}
	fill := units("units-fill", "fill", map[string]any{
		"fill-color":   role(c.None),
		"fill-opacity": []any{"case", state(stateHover), 0.95, 0.82},
	})
	// Cities first, their counties over them.
	fill["layout"] = map[string]any{"fill-sort-key": []any{"match", []any{"get", "kind"}, "city", 0, 1}}
	hatch := units("units-hatch", "fill", map[string]any{
		"fill-pattern": hatchImage,
		"fill-opacity": []any{"case", []any{"boolean", []any{"feature-state", stateHatch}, nothing}, 1, 0},
	})
	hatch["layout"] = map[string]any{"visibility": "none"}
	layers = append(layers, fill, hatch,
		// Rivers to find one's way by, over the units' fills (under
		// them, 82 % opaque, they would hardly show) and under every
		// outline and name: the great rivers widest, each level from
		// the zoom its tiles carry it (RiverMinZoom).
		map[string]any{"id": "rivers-line", "type": "line", "source": "indmap", "source-layer": LayerRivers,
			"layout": map[string]any{"line-join": "round", "line-cap": "round"},
			"paint": map[string]any{
				"line-color":   c.River,
				"line-opacity": 0.85,
				"line-width": []any{"interpolate", []any{"linear"}, []any{"zoom"},
					riverMinZoom[0], []any{"match", []any{"get", "level"}, []any{0, 1}, 1.2, 0.5},
					12, []any{"match", []any{"get", "level"}, 0, 4, 1, 3, 2, 2.2, 3, 1.5, 1}},
			}},
		map[string]any{"id": "borders-line", "type": "line", "source": "indmap", "source-layer": LayerBorders,
			"paint": map[string]any{
				"line-color": c.Border,
				// Outer boundaries strongest; a plan's counties (shown
				// over its cities from their zoom on) thinnest.
				"line-width": []any{"case", []any{"boolean", []any{"get", "outer"}, false}, 1.6, []any{"==", []any{"get", "kind"}, "city"}, 1.1, 0.6},
			}},
		// Outlines nest, widest below: the selection, what a draft
		// changes, then errors and warnings on top, so none hides
		// another. Errors and warnings differ in colour and weight: a
		// warning-only unit is never outlined like an error.
		units("units-selected", "line", map[string]any{"line-color": c.Selected,
			"line-width": []any{"case", state(stateSelected), 5, state(stateHover), 2, 0}}),
		units("units-changed", "line", map[string]any{"line-color": c.Changed,
			"line-width": []any{"case", state(stateChanged), 4.5, 0}}),
		units("units-severity", "line", map[string]any{
			"line-color": []any{"match", sev, "error", c.Error, "warning", c.Warning, c.Error},
			"line-width": []any{"match", sev, "error", 2.6, "warning", 1.2, 0}}),
		units("units-highlight", "line", map[string]any{"line-color": c.Highlight,
			"line-width": []any{"case", state(stateHighlight), 2.6, 0}}),
	)
	if o.Regions {
		layers = append(layers, map[string]any{"id": "regions-line", "type": "line", "source": "indmap", "source-layer": LayerRegions,
			"paint": map[string]any{
				"line-color": c.Region, "line-dasharray": []float64{3, 2},
				"line-width": []any{"case", []any{"==", []any{"get", "name"}, []any{"global-state", globalRegion}}, 3.5, 2},
			}})
	}
	layers = append(layers,
		// Towns and seats to find one's way by: small and grey, their
		// names placed after the units' (a lower layer yields).
		map[string]any{"id": "places", "type": "circle", "source": "indmap", "source-layer": LayerPlaces,
			"paint": map[string]any{"circle-radius": 2.5, "circle-color": c.Place, "circle-stroke-color": c.Halo, "circle-stroke-width": 1}},
		map[string]any{"id": "places-labels", "type": "symbol", "source": "indmap", "source-layer": LayerPlaces,
			"layout": map[string]any{"text-field": labelField(o.Lang), "text-font": []string{"Noto Sans Regular"},
				"text-size": 10.5, "text-max-width": 6, "text-justify": "auto", "text-optional": true,
				"text-variable-anchor-offset": []any{"literal", []any{"left", []float64{0.6, 0}, "right", []float64{-0.6, 0}, "top", []float64{0, 0.5}, "bottom", []float64{0, -0.5}}}},
			"paint": map[string]any{"text-color": c.Place, "text-halo-color": c.Halo, "text-halo-width": 1.6}},
		// Where the page measures distances from: a point it fills in,
		// drawn under the labels so that it never hides a name.
		map[string]any{"id": "origin", "type": "circle", "source": "origin",
			"paint": map[string]any{"circle-radius": 6, "circle-color": c.Selected, "circle-stroke-color": c.Halo, "circle-stroke-width": 2.5}},
		map[string]any{"id": "labels", "type": "symbol", "source": "indmap", "source-layer": LayerLabels,
			"layout": map[string]any{"text-field": unitLabelField(o.Lang), "text-font": []string{"Noto Sans Regular"},
				"text-size": labelSize(o.Lang), "text-max-width": 7, "text-justify": "auto",
				// Where the centre is taken, a label may sit beside its
				// point (a zone's always does, off its dot): more units
				// get a name in crowded places.
				"text-variable-anchor-offset": []any{"case", []any{"==", []any{"get", "approximate"}, true},
					[]any{"literal", []any{"top", []float64{0, 0.9}, "bottom", []float64{0, -0.9}, "left", []float64{0.9, 0}, "right", []float64{-0.9, 0}}},
					[]any{"literal", []any{"center", []float64{0, 0}, "top", []float64{0, 0.5}, "bottom", []float64{0, -0.5}, "left", []float64{0.5, 0}, "right", []float64{-0.5, 0}}}}},
			"paint": map[string]any{"text-color": c.Label, "text-halo-color": c.Halo, "text-halo-width": 1.3}},
		// A zone's dot keeps names off it: a circle takes no part in
		// placing them, so an invisible mark of its size is placed first
		// (MapLibre places the upper layer's symbols first), always: text,
		// as a style has no images of its own, of the glyph range the page
		// loads anyway ("oo" at 10 px, padded; "•••" cost a request of
		// 25 kB).
		map[string]any{"id": "zones-keepout", "type": "symbol", "source": "indmap", "source-layer": LayerLabels,
			"filter": []any{"==", []any{"get", "approximate"}, true},
			"layout": map[string]any{"text-field": "oo", "text-font": []string{"Noto Sans Regular"}, "text-size": zoneSize(6.5, 10),
				"text-padding": 1.5, "text-allow-overlap": true},
			"paint": map[string]any{"text-opacity": 0}},
		// A zone is its dot: drawn over the labels, as a label (a circle
		// takes no part in their placement) could otherwise hide its
		// colour, the answer (两江新区's under "Shapingba District").
		map[string]any{"id": "zones", "type": "circle", "source": "indmap", "source-layer": LayerLabels,
			"filter": []any{"==", []any{"get", "approximate"}, true},
			"paint": map[string]any{
				"circle-radius": zoneSize(4.5, 7),
				"circle-color":  role(c.Zone),
				"circle-stroke-color": []any{"case", state(stateSelected), c.Selected, []any{"==", sev, "error"}, c.Error,
					state(stateHighlight), c.Highlight, c.Halo},
				"circle-stroke-width": []any{"case", state(stateSelected), 3, []any{"==", sev, "error"}, 3, state(stateHighlight), 3, 1.5},
			}},
	)
	metadata := map[string]any{"indmap:plan": o.Plan, "indmap:industry": o.Industry, "indmap:lang": o.Lang,
		"indmap:colours": c,
		"indmap:hatch": map[string]any{"image": hatchImage, "layer": "units-hatch", "colour": c.Hatch,
			// An n × n pixel tile crossed by a diagonal of this width.
			"size": 8, "width": 1.5},
	}
	style := map[string]any{
		"version":  8,
		"name":     o.Title,
		"metadata": metadata,
		"center":   []float64{o.Center[0], o.Center[1]},
		"zoom":     o.Zoom,
		"glyphs":   o.GlyphsURL,
		"sources":  sources,
	}
	if o.Regions {
		// A region is named once, at a point of its own: the tiles cut
		// a region into a piece per tile, each of which would repeat its
		// name. The points are the page's to fill in (each region's
		// name and name_en); the selected region is the global state
		// "region".
		sources["region-names"] = map[string]any{"type": "geojson", "data": map[string]any{"type": "FeatureCollection", "features": []any{}}}
		layers = append(layers, map[string]any{"id": "regions-label", "type": "symbol", "source": "region-names",
			"layout": map[string]any{"text-field": labelField(o.Lang), "text-font": []string{"Noto Sans Bold"}, "text-size": regionLabelSize, "text-allow-overlap": true},
			"paint":  map[string]any{"text-color": c.Region, "text-halo-color": c.Halo, "text-halo-width": 2.2}})
		style["state"] = map[string]any{globalRegion: map[string]any{"default": ""}}
	}
	style["layers"] = layers
	return style
}

// regionLabelSize is an economic circle's name's size: smaller at a
// phone's view of a province (z5), where at 15 px Shandong's three names
// left 7 of its 16 cities named in English, full from z7.
var regionLabelSize = []any{"interpolate", []any{"linear"}, []any{"zoom"}, 5, 11, 7, 15}

// zoneSize grows a zone's dot (and its keep-out) from small, at a
// province's view on a phone (z5), to full from z7: at full size on a
// 375-pixel phone the dots of 两江新区 and 高新区 covered most of 璧山区,
// and its name had nowhere to go.
func zoneSize(small, full float64) any {
	return []any{"interpolate", []any{"linear"}, []any{"zoom"}, 5, small, 7, full}
}

// labelField is a label's text: the Chinese name, or with lang "en" the
// English one where there is one.
func labelField(lang string) any {
	if lang != "en" {
		return []any{"get", "name"}
	}
	en := []any{"coalesce", []any{"get", "name_en"}, ""}
	return []any{"case", []any{"==", en, ""}, []any{"get", "name"}, en}
}

// FullNameZoom is the zoom from which units are labelled with their
// full names; below it with their short ones (沙坪坝 for 沙坪坝区, Shapingba
// for Shapingba District), as a province's first view has room for: on a
// 375-pixel phone the full names left 7 of Chongqing's 41 units unnamed
// in Chinese and 13 in English.
const FullNameZoom = 8

// unitLabelField is a unit label's text: its short name below
// FullNameZoom, its full name from there on.
func unitLabelField(lang string) any {
	short := []any{"coalesce", []any{"get", "short"}, []any{"get", "name"}}
	if lang == "en" {
		en := []any{"coalesce", []any{"get", "short_en"}, []any{"get", "name_en"}, ""}
		short = []any{"case", []any{"==", en, ""}, []any{"get", "name"}, en}
	}
	return []any{"step", []any{"zoom"}, short, FullNameZoom, labelField(lang)}
}

// FitZoom is the zoom at which bounds (lon/lat) fill a width × height
// pixel view with 512-pixel tiles, as MapLibre counts them.
func FitZoom(b orb.Bound, width, height float64) float64 {
	min, max := World(b.Min), World(b.Max)
	dx, dy := math.Abs(max[0]-min[0]), math.Abs(max[1]-min[1])
	if dx == 0 || dy == 0 {
		return 10
	}
	z := math.Log2(math.Min(width/(512*dx), height/(512*dy)))
	return math.Round(math.Max(0, math.Min(z, 14))*100) / 100
}

// labelSize is the labels' size in pixels: Latin names run longer than
// Chinese ones at the same size, and at 12 px the English first view of
// Chongqing lost 璧山区, a main holder, to its neighbours' names.
func labelSize(lang string) float64 {
	if lang == "en" {
		return 11
	}
	return 12
}
