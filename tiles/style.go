package tiles

import (
	"math"

	"github.com/paulmach/orb"
)

// Colours of the default style: roles strong to neutral, borders dark.
const (
	colourMain       = "#c2410c"
	colourSpecial    = "#fdba74"
	colourNone       = "#e7e5e4"
	colourBorder     = "#57534e"
	colourViolation  = "#dc2626"
	colourSelected   = "#1d4ed8"
	colourBackground = "#f5f5f4"
	colourRegion     = "#7c3aed"
)

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
	// Regions draws the regions layer's outlines (for a plan whose tiles
	// have one: MapLibre refuses a layer its source does not list).
	Regions bool
}

// Style returns a MapLibre style (version 8) for a plan's tiles, usable as
// it is: centred on the plan, units filled by the role of the chosen
// industry (tiles carry the role when asked for ?industry=), outlines from
// the borders layer (each border once, no seams), labels (Chinese, or
// English with Lang "en"), hover through feature-state, and layers the
// page filters for the selected unit, cluster hosts and violations.
func Style(o StyleOptions) map[string]any {
	planID, title, glyphsURL, basemapURL := o.Plan, o.Title, o.GlyphsURL, o.BasemapURL
	sources := map[string]any{}
	sources["indmap"] = map[string]any{"type": "vector", "url": o.TileJSONURL}
	label := any([]any{"get", "name"})
	if o.Lang == "en" {
		label = []any{"coalesce", []any{"get", "name_en"}, []any{"get", "name"}}
	}
	layers := []any{
		map[string]any{"id": "background", "type": "background", "paint": map[string]any{"background-color": colourBackground}},
	}
	if basemapURL != "" {
		sources["basemap"] = map[string]any{"type": "raster", "tiles": []string{basemapURL}, "tileSize": 256}
		layers = append(layers, map[string]any{"id": "basemap", "type": "raster", "source": "basemap", "paint": map[string]any{"raster-opacity": 0.6}})
	}
	hover := []any{"boolean", []any{"feature-state", "hover"}, false}
	layers = append(layers,
		map[string]any{"id": "units-fill", "type": "fill", "source": "indmap", "source-layer": LayerUnits,
			"paint": map[string]any{
				"fill-color": []any{"match", []any{"coalesce", []any{"get", "role"}, ""},
					"main", colourMain, "special", colourSpecial, colourNone},
				"fill-opacity": []any{"case", hover, 0.95, 0.75},
			}},
		map[string]any{"id": "borders-line", "type": "line", "source": "indmap", "source-layer": LayerBorders,
			"paint": map[string]any{
				"line-color": colourBorder,
				// Outer boundaries strongest; a plan's counties (shown
				// over its cities from their zoom on) thinnest.
				"line-width": []any{"case", []any{"get", "outer"}, 1.6, []any{"==", []any{"get", "kind"}, "city"}, 1.1, 0.6},
			}},

		map[string]any{"id": "units-hover", "type": "line", "source": "indmap", "source-layer": LayerUnits,
			"paint": map[string]any{"line-color": colourSelected, "line-width": []any{"case", hover, 2, 0}}},
		map[string]any{"id": "units-violations", "type": "line", "source": "indmap", "source-layer": LayerUnits,
			"filter": []any{">", []any{"coalesce", []any{"get", "errors"}, 0}, 0}, "layout": map[string]any{"visibility": "none"},
			"paint": map[string]any{"line-color": colourViolation, "line-width": 2.5}},
		map[string]any{"id": "units-highlight", "type": "line", "source": "indmap", "source-layer": LayerUnits,
			"filter": []any{"in", []any{"get", "code"}, []any{"literal", []string{}}},
			"paint":  map[string]any{"line-color": colourSelected, "line-width": 3}},
		map[string]any{"id": "zones", "type": "circle", "source": "indmap", "source-layer": LayerLabels,
			"filter": []any{"==", []any{"get", "approximate"}, true},
			"paint": map[string]any{"circle-radius": 6, "circle-color": []any{"match", []any{"coalesce", []any{"get", "role"}, ""},
				"main", colourMain, "special", colourSpecial, "#a8a29e"}, "circle-stroke-color": "#ffffff", "circle-stroke-width": 1.5}},
		map[string]any{"id": "labels", "type": "symbol", "source": "indmap", "source-layer": LayerLabels,
			"layout": map[string]any{"text-field": label, "text-font": []string{"Noto Sans Regular"},
				"text-size": 12, "text-offset": []any{"case", []any{"==", []any{"get", "approximate"}, true}, []any{"literal", []float64{0, 1.2}}, []any{"literal", []float64{0, 0}}}},
			"paint": map[string]any{"text-color": "#1c1917", "text-halo-color": "#ffffff", "text-halo-width": 1.2}},
	)
	if o.Regions {
		layers = append(layers, map[string]any{"id": "regions-line", "type": "line", "source": "indmap", "source-layer": LayerRegions,
			"paint": map[string]any{"line-color": colourRegion, "line-width": 2.5, "line-opacity": 0.7}})
	}
	return map[string]any{
		"version":  8,
		"name":     title,
		"metadata": map[string]any{"indmap:plan": planID, "indmap:industry": o.Industry, "indmap:lang": o.Lang},
		"center":   []float64{o.Center[0], o.Center[1]},
		"zoom":     o.Zoom,
		"glyphs":   glyphsURL,
		"sources":  sources,
		"layers":   layers,
	}
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
