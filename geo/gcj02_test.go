package geo

import (
	"testing"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

// Reference pairs published with eviltransform (wgs, gcj as lon/lat).
var gcjReference = []struct {
	name     string
	wgs, gcj orb.Point
}{
	{"shanghai", orb.Point{121.5272106, 31.1774276}, orb.Point{121.531541859215, 31.17530398364597}},
	{"shenzhen", orb.Point{113.912316, 22.543847}, orb.Point{113.9171764808363, 22.540796131694766}},
	{"beijing", orb.Point{116.377817, 39.911954}, orb.Point{116.38404722455657, 39.91334545536069}},
}

func TestWGS84ToGCJ02Reference(t *testing.T) {
	for _, tc := range gcjReference {
		got := WGS84ToGCJ02(tc.wgs)
		if d := orbgeo.Distance(got, tc.gcj); d > 0.01 {
			t.Errorf("%s: WGS84ToGCJ02(%v) = %v, %.3f m from %v", tc.name, tc.wgs, got, d, tc.gcj)
		}
	}
}

func TestGCJ02ToWGS84Reference(t *testing.T) {
	for _, tc := range gcjReference {
		got := GCJ02ToWGS84(tc.gcj)
		if d := orbgeo.Distance(got, tc.wgs); d > 0.5 {
			t.Errorf("%s: GCJ02ToWGS84(%v) = %v, %.3f m from %v", tc.name, tc.gcj, got, d, tc.wgs)
		}
	}
}

func TestGCJ02RoundTrip(t *testing.T) {
	// A grid over Chongqing and Shandong, where the offset is 300–600 m.
	worst := 0.0
	for lon := 105.0; lon <= 123.0; lon += 0.37 {
		for lat := 28.0; lat <= 38.5; lat += 0.29 {
			w := orb.Point{lon, lat}
			g := WGS84ToGCJ02(w)
			if off := orbgeo.Distance(w, g); off < 100 || off > 1000 {
				t.Fatalf("offset at %v is %.1f m, want 100–1000 m", w, off)
			}
			back := GCJ02ToWGS84(g)
			if d := orbgeo.Distance(back, w); d > worst {
				worst = d
			}
		}
	}
	if worst > 0.5 {
		t.Errorf("round trip worst error %.4f m, want < 0.5 m", worst)
	}
}

func TestGCJ02OutsideChina(t *testing.T) {
	p := orb.Point{2.35, 48.85}
	if got := GCJ02ToWGS84(p); got != p {
		t.Errorf("GCJ02ToWGS84(%v) = %v, want unchanged", p, got)
	}
}
