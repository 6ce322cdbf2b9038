package geo

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzReadDataV feeds the boundary importer arbitrary bytes: it must
// return boundaries or an error, never panic, and what it returns must be
// closed, counter-clockwise rings inside lon/lat range.
func FuzzReadDataV(f *testing.F) {
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"adcode":"1","name":"a"},"geometry":{"type":"Polygon","coordinates":[[[108,30],[108.1,30],[108.1,30.1],[108,30]]]}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"adcode":2,"name":"b","parent":{"adcode":1}},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[2,2],[2,0],[0,2],[0,0]]],[[[0,0],[1,0],[1,1],[0,1],[0,0]]]]}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[]}`))
	f.Add([]byte("\xef\xbb\xbf{}"))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"properties":{"adcode":"1","name":"x"},"geometry":{"type":"Polygon","coordinates":[[[1e309,0]]]}}]}`))
	// A real feature: the smallest of Chongqing's districts, 渝中区.
	if b, err := os.ReadFile(filepath.Join("..", "..", "shared", "data", "boundaries", "chongqing-districts.gcj02.geojson")); err == nil {
		if i := bytes.Index(b, []byte(`{"type":"Feature","properties":{"adcode":"500103"`)); i > 0 {
			if j := bytes.Index(b[i:], []byte(`]]]]}}`)); j > 0 {
				f.Add(append(append([]byte(`{"type":"FeatureCollection","features":[`), b[i:i+j+6]...), []byte(`]}`)...))
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case <-done:
			case <-time.After(3 * time.Second):
				panic(fmt.Sprintf("ReadDataV took over 3 s on %q", data))
			}
		}()
		bs, err := ReadDataV(bytes.NewReader(data), "fuzz", ReadOptions{CRS: GCJ02, MaxBytes: 1 << 20})
		if err != nil {
			return
		}
		for _, b := range bs {
			for _, p := range b.Geom {
				for i, r := range p {
					if len(r) < 4 || r[0] != r[len(r)-1] {
						t.Fatalf("%s: ring not closed or too short: %v", b.Code, r)
					}
					if (i == 0) != (PlanarArea(r) > 0) {
						t.Fatalf("%s: ring %d winds wrong", b.Code, i)
					}
					for _, pt := range r {
						if !validLonLat(pt[0], pt[1]) {
							t.Fatalf("%s: point %v out of range", b.Code, pt)
						}
					}
				}
			}
			if b.AreaKm2 < 0 {
				t.Fatalf("%s: negative area", b.Code)
			}
		}
	})
}
