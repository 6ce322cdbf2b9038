package tiles_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"sort"
	"strings"
	"testing"

	"github.com/indmap/indmap/internal/mvtcheck"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/tiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// TestTilesMatchTileJSON: every property a served tile carries is
// described in its TileJSON's vector_layers, and every field described
// there is carried by some tile (read back by mvtcheck, not by the
// encoder's own decoder), with and without ?industry=.
func TestTilesMatchTileJSON(t *testing.T) {
	ix := index(t)
	for _, tc := range []struct {
		plan     string
		industry string
		at       orb.Point
	}{
		{plan.ChongqingID, "", jiefangbei},
		{plan.ChongqingID, "CQ-ICV", jiefangbei},
		{plan.ShandongID, "", orb.Point{117.0, 36.65}},
		{plan.ShandongID, "智能家电", orb.Point{120.38, 36.07}},
	} {
		tj, err := ix.TileJSON(tc.plan, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		described := map[string]map[string]bool{}
		minZoom := map[string]int{}
		for _, vl := range tj.VectorLayers {
			minZoom[vl.ID] = vl.MinZoom
			described[vl.ID] = map[string]bool{}
			for name := range vl.Fields {
				described[vl.ID][name] = true
			}
		}
		if minZoom[tiles.LayerPlaces] != 6 || minZoom[tiles.LayerRivers] != 4 || minZoom[tiles.LayerUnits] != 0 {
			t.Errorf("%s: layers' minzoom %v", tc.plan, minZoom)
		}
		seen := map[string]map[string]bool{}
		for z := maptile.Zoom(0); z <= 12; z += 3 {
			b, err := ix.Encode(tiles.Request{Plan: tc.plan, Tile: maptile.At(tc.at, z), Industry: tc.industry})
			if err != nil || b == nil {
				t.Fatalf("%s %v: %v", tc.plan, z, err)
			}
			ls, err := mvtcheck.Decode(gunzip(t, b))
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range ls {
				if described[l.Name] == nil {
					t.Errorf("%s: layer %s is not in TileJSON", tc.plan, l.Name)
					continue
				}
				if int(z) < minZoom[l.Name] {
					t.Errorf("%s z%d: layer %s, which TileJSON says starts at z%d", tc.plan, z, l.Name, minZoom[l.Name])
				}
				if seen[l.Name] == nil {
					seen[l.Name] = map[string]bool{}
				}
				for _, k := range l.Keys {
					seen[l.Name][k] = true
					if !described[l.Name][k] {
						t.Errorf("%s ?industry=%s %s: property %q is not described in TileJSON", tc.plan, tc.industry, l.Name, k)
					}
				}
			}
		}
		if tc.industry == "" {
			continue
		}
		// With an industry, every described field is carried.
		for layer, fields := range described {
			var missing []string
			for f := range fields {
				if seen[layer] != nil && !seen[layer][f] {
					missing = append(missing, f)
				}
			}
			sort.Strings(missing)
			if len(missing) > 0 {
				t.Errorf("%s ?industry=%s %s: described but never carried: %s", tc.plan, tc.industry, layer, strings.Join(missing, ", "))
			}
		}
	}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
