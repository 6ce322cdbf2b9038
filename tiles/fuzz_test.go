package tiles

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"io"
	"math"
	"testing"

	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/internal/mvtcheck"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/readmodel"
	"github.com/paulmach/orb"
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

// FuzzPolygonTile feeds the whole tile pipeline (topology, zoom snap
// rounding, clipping, ring building) two random polygons, repaired as
// the importer would, around a tile: every unit polygon of the tile must
// be valid for mvtcheck (MVT 2.1 ring rules and OGC validity).
func FuzzPolygonTile(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 255, 0, 0, 0, 255, 255, 0, 0, 0, 255, 0, 0}, uint8(3))
	f.Add([]byte{10, 200, 30, 40, 250, 10, 90, 90, 5, 250, 128, 128, 200, 200, 100, 30, 60, 60, 7, 9, 200, 100, 20, 220}, uint8(0))
	f.Add([]byte{0, 0, 0, 0, 128, 0, 0, 0, 128, 128, 0, 0, 0, 128, 0, 0, 128, 0, 0, 0, 255, 0, 0, 0, 255, 128, 0, 0, 128, 128, 0, 0}, uint8(14))
	f.Fuzz(func(t *testing.T, data []byte, zoomByte uint8) {
		z := maptile.Zoom(zoomByte % 17)
		tile := maptile.New(1<<z/2, 1<<z/2, z)
		n := float64(uint64(1) << z)
		// Points in the tile grown by a tile on each side, from pairs of
		// uint16; the first half makes one unit, the second another.
		var rings [2]orb.Ring
		for i := 0; i+3 < len(data) && i < 800; i += 4 {
			x := float64(binary.LittleEndian.Uint16(data[i:]))/65535*3 - 1
			y := float64(binary.LittleEndian.Uint16(data[i+2:]))/65535*3 - 1
			w := orb.Point{(float64(tile.X) + x) / n, (float64(tile.Y) + y) / n}
			k := 0
			if i >= len(data)/2 {
				k = 1
			}
			rings[k] = append(rings[k], fromWorld(w))
		}
		var units []plan.Unit
		for k, r := range rings {
			if len(r) < 3 {
				continue
			}
			mp, _ := geo.Repair(orb.MultiPolygon{{append(r, r[0])}})
			if len(mp) == 0 {
				continue
			}
			code := []string{"1", "2"}[k]
			units = append(units, plan.Unit{Code: code, Name: code, Kind: plan.KindDistrict, Parent: "x", Geom: mp, Label: geo.LabelPoint(mp)})
		}
		if len(units) == 0 {
			return
		}
		p := plan.Plan{ID: "p", Kind: plan.DistrictPicks, Region: "x", UnitKinds: []string{plan.KindDistrict}}
		ix := NewIndex(readmodel.NewSnapshot(1, units, []plan.Plan{p}, nil))
		gz, err := ix.Encode(Request{Plan: "p", Tile: tile})
		if err != nil || gz == nil {
			if err != nil {
				t.Fatal(err)
			}
			return
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(zr)
		layers, err := mvtcheck.Decode(raw)
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		for _, f := range layers[0].Features {
			ps, err := mvtcheck.Polygons(f)
			if err == nil {
				err = mvtcheck.Validate(ps)
			}
			if err != nil {
				t.Fatalf("unit %d: %v", f.ID, err)
			}
		}
	})
}

// fromWorld inverts World.
func fromWorld(w orb.Point) orb.Point {
	return orb.Point{w[0]*360 - 180, math.Atan(math.Sinh(math.Pi*(1-2*w[1]))) * 180 / math.Pi}
}
