package api

import (
	"testing"
)

// FuzzParams: bbox and lon,lat parsing accept only finite, ordered,
// in-range numbers, and fail with a problem naming the parameter.
func FuzzParams(f *testing.F) {
	for _, s := range []string{"106,29,107,30", "1,2,3", "a,b,c,d", "107,29,106,30", "-180,-90,180,90", "1e400,0,0,0", "NaN,0,1,1", " 1, 2 ,3,4", "106.5,29.5", "0x10,1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := parseBBox(s)
		if err != nil {
			if p, ok := err.(*Problem); !ok || p.Param != "bbox" || p.Status != 400 {
				t.Fatalf("bbox %q: %v", s, err)
			}
		} else if b != nil {
			if b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] || b.Min[0] < -180 || b.Max[0] > 180 || b.Min[1] < -90 || b.Max[1] > 90 {
				t.Fatalf("bbox %q accepted as %v", s, b)
			}
		}
		p, err := lonLat("near", s)
		if err != nil {
			if pr, ok := err.(*Problem); !ok || pr.Param != "near" {
				t.Fatalf("near %q: %v", s, err)
			}
		} else if p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 || p[0] != p[0] || p[1] != p[1] {
			t.Fatalf("near %q accepted as %v", s, p)
		}
	})
}
