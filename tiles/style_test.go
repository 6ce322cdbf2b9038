package tiles

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// TestStyleColoursOnce: every colour the style draws with is in its
// metadata's colour table, which has what the page's legend needs.
func TestStyleColoursOnce(t *testing.T) {
	for _, o := range []StyleOptions{
		{Plan: "p", TileJSONURL: "http://x/tiles/p.json", GlyphsURL: "http://x/fonts/{fontstack}/{range}.pbf"},
		{Plan: "p", Industry: "I", Lang: "en", Regions: true, BasemapURL: "http://b/{z}/{x}/{y}.png"},
	} {
		b, err := json.Marshal(Style(o))
		if err != nil {
			t.Fatal(err)
		}
		var style struct {
			Metadata struct {
				Colours map[string]any `json:"indmap:colours"`
				Hatch   struct {
					Image, Layer, Colour string
					Size, Width          float64
				} `json:"indmap:hatch"`
			}
			Layers []map[string]any
		}
		if err := json.Unmarshal(b, &style); err != nil {
			t.Fatal(err)
		}
		table := map[string]bool{}
		for k, v := range style.Metadata.Colours {
			switch v := v.(type) {
			case string:
				table[v] = true
			case []any:
				for _, c := range v {
					table[c.(string)] = true
				}
			default:
				t.Errorf("colour %s: %v", k, v)
			}
		}
		for _, k := range []string{"main", "special", "none", "empty", "specialOnly", "border", "hatch", "region", "zone"} {
			if _, ok := style.Metadata.Colours[k].(string); !ok {
				t.Errorf("the colour table lacks %s: %v", k, style.Metadata.Colours)
			}
		}
		if r, _ := style.Metadata.Colours["ramp"].([]any); len(r) < 3 {
			t.Errorf("the ramp: %v", style.Metadata.Colours["ramp"])
		}
		h := style.Metadata.Hatch
		if !table[h.Colour] || h.Size < 4 || h.Width <= 0 || h.Image == "" {
			t.Errorf("the hatch: %+v", h)
		}
		hatched := false
		for _, l := range style.Layers {
			lb, _ := json.Marshal(l)
			for _, c := range regexp.MustCompile(`#[0-9a-fA-F]{6}\b|rgba\([^)]*\)`).FindAllString(string(lb), -1) {
				if !table[c] {
					t.Errorf("layer %s draws with %s, which the colour table lacks", l["id"], c)
				}
			}
			if l["id"] == h.Layer {
				hatched = strings.Contains(string(lb), `"fill-pattern":"`+h.Image+`"`) && strings.Contains(string(lb), `"visibility":"none"`)
			}
		}
		if !hatched {
			t.Errorf("no hidden layer %s draws the hatch %s", h.Layer, h.Image)
		}
	}
}
