package tiles

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
)

func FuzzParseTile(f *testing.F) {
	for _, s := range [][3]string{{"0", "0", "0.mvt"}, {"10", "834", "422.pbf"}, {"22", "4194303", "0"}, {"-1", "0", "0"}, {"1", "2", "0"}, {"99999999999999999999", "0", "0"}} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, z, x, y string) {
		tile, err := ParseTile(z, x, y)
		if err != nil {
			return
		}
		if tile.Z > MaxZoom || tile.X >= 1<<tile.Z || tile.Y >= 1<<tile.Z {
			t.Fatalf("accepted %s/%s/%s as %v", z, x, y, tile)
		}
	})
}

// FuzzPolygonTile feeds the tile pipeline (projection, clipping, integer
// snapping, winding) a random polygon: the encoded tile must decode, stay
// within extent + buffer, and wind rings as MVT 2.1 asks.
func FuzzPolygonTile(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 255, 0, 0, 0, 255, 255, 0, 0, 0, 255, 0, 0}, uint8(3))
	f.Add([]byte{10, 200, 30, 40, 250, 10, 90, 90, 5, 250, 128, 128, 200, 200, 100, 30, 60, 60}, uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, zoomByte uint8) {
		// Points in the tile grown by four tiles, from pairs of uint16.
		var ring orb.Ring
		for i := 0; i+3 < len(data) && len(ring) < 200; i += 4 {
			x := float64(binary.LittleEndian.Uint16(data[i:]))/65535*5 - 2
			y := float64(binary.LittleEndian.Uint16(data[i+2:]))/65535*5 - 2
			ring = append(ring, orb.Point{x, y})
		}
		if len(ring) < 3 {
			return
		}
		ring = append(ring, ring[0])
		z := maptile.Zoom(zoomByte % 16)
		tile := maptile.New(1<<z/2, 1<<z/2, z)
		n := float64(uint64(1) << z)
		world := make(orb.Ring, len(ring))
		for i, p := range ring {
			world[i] = orb.Point{(float64(tile.X) + p[0]) / n, (float64(tile.Y) + p[1]) / n}
		}
		frame := newTileFrame(tile)
		mp := frame.polygons([][]orb.Ring{{world}})
		if len(mp) == 0 {
			return
		}
		layer := &mvt.Layer{Name: "units", Version: 2, Extent: Extent}
		f := geojsonFeature(mp)
		layer.Features = append(layer.Features, f)
		b, err := mvt.Marshal(mvt.Layers{layer})
		if err != nil {
			t.Fatal(err)
		}
		ls, err := mvt.Unmarshal(b)
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		for _, f := range ls[0].Features {
			bd := f.Geometry.Bound()
			if bd.Min[0] < -Buffer || bd.Min[1] < -Buffer || bd.Max[0] > Extent+Buffer || bd.Max[1] > Extent+Buffer {
				t.Fatalf("outside extent + buffer: %v", bd)
			}
		}
		for _, p := range mp {
			for i, r := range p {
				a := 0.0
				for k := 0; k+1 < len(r); k++ {
					a += r[k][0]*r[k+1][1] - r[k+1][0]*r[k][1]
					if r[k] == r[k+1] {
						t.Fatal("zero-length segment")
					}
					if r[k][0] != math.Round(r[k][0]) {
						t.Fatal("not on the integer grid")
					}
				}
				if (i == 0) != (a > 0) {
					t.Fatalf("ring %d winds wrong", i)
				}
			}
		}
	})
}

func geojsonFeature(g orb.Geometry) *geojson.Feature {
	f := geojson.NewFeature(g)
	f.ID = uint64(1)
	f.Properties = geojson.Properties{"code": "x"}
	return f
}
