package tiles

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// colourLiteral finds colours written out in code: #rgb, #rgba, #rrggbb
// and #rrggbbaa (not a CSS selector such as "#add-industry"), and rgb(),
// rgba(), hsl() and hsla() calls.
var colourLiteral = regexp.MustCompile(`#(?:[0-9a-fA-F]{8}|[0-9a-fA-F]{6}|[0-9a-fA-F]{3,4})(?:[^\w-]|$)|\b(?:rgba?|hsla?)\(`)

func TestColourLiteral(t *testing.T) {
	for s, want := range map[string]bool{
		`"#c2410c"`: true, `'#fff'`: true, "#57534e99)": true, `fill: "#ABC"`: true, `rgba(87, 83, 78, 0.43)`: true, `hsl(0 0% 0%)`: true,
		`$("#add-industry")`: false, `"#legend"`: false, `#plan`: false, `"#feed"`: true, `"#c2410c-x"`: false, `grid(`: false,
	} {
		if got := colourLiteral.MatchString(s); got != want {
			t.Errorf("%s: colour literal %v, want %v", s, got, want)
		}
	}
}

// TestPageHasNoColourTable fails when the page carries colours of its own
// again: the map's, the legend's and the roles' colours are the style's
// (its metadata's "indmap:colours", read by colouring.js and legend.js),
// so no module of the page writes a colour out.
func TestPageHasNoColourTable(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "static", "js", "*.js"))
	if err != nil || len(files) == 0 {
		t.Fatalf("the page's modules: %v %v", files, err)
	}
	// Colours a module may write out, with why ("file: literal").
	allowed := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			for _, m := range colourLiteral.FindAllString(line, -1) {
				if _, ok := allowed[filepath.Base(f)+": "+strings.TrimRight(m, `"')`+"`;, ")]; !ok {
					t.Errorf("%s:%d: a colour of the page's own (%s): take it from the style's metadata", filepath.Base(f), i+1, strings.TrimSpace(line))
				}
			}
		}
	}
}

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
		// A zone is its dot: no unit's or place's label may be drawn over
		// it (a circle takes no part in label placement), so the dots come
		// after those labels; the origin marker comes before the labels,
		// which it must never hide.
		at := map[string]int{}
		for i, l := range style.Layers {
			at[l["id"].(string)] = i
		}
		if at["zones"] < at["labels"] || at["zones"] < at["places-labels"] || at["origin"] > at["labels"] {
			t.Errorf("layer order: zones at %d, labels at %d, place labels at %d, origin at %d", at["zones"], at["labels"], at["places-labels"], at["origin"])
		}
	}
}
