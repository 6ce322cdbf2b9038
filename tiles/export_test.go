package tiles_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/tiles"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
)

func TestHilbertID(t *testing.T) {
	// Values from the PMTiles v3 specification's reference implementation.
	for _, tc := range []struct {
		z    maptile.Zoom
		x, y uint32
		id   uint64
	}{
		{0, 0, 0, 0}, {1, 0, 0, 1}, {1, 0, 1, 2}, {1, 1, 1, 3}, {1, 1, 0, 4}, {2, 0, 0, 5},
	} {
		if got := tiles.HilbertID(maptile.New(tc.x, tc.y, tc.z)); got != tc.id {
			t.Errorf("%d/%d/%d: %d, want %d", tc.z, tc.x, tc.y, got, tc.id)
		}
	}
	// Ids are unique and dense within a zoom.
	for z := maptile.Zoom(0); z <= 6; z++ {
		seen := map[uint64]bool{}
		n := uint32(1) << z
		base := (uint64(1)<<(2*z) - 1) / 3
		for x := uint32(0); x < n; x++ {
			for y := uint32(0); y < n; y++ {
				id := tiles.HilbertID(maptile.New(x, y, z))
				if id < base || id >= base+uint64(n)*uint64(n) || seen[id] {
					t.Fatalf("z%d: id %d of %d/%d out of range or repeated", z, id, x, y)
				}
				seen[id] = true
			}
		}
	}
}

func TestExportMBTiles(t *testing.T) {
	ix := index(t)
	path := filepath.Join(t.TempDir(), "cq.mbtiles")
	n, err := ix.WriteMBTiles(context.Background(), plan.ChongqingID, 8, path)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var count int
	db.QueryRow(`SELECT count(*) FROM tiles`).Scan(&count)
	if count != n || n < 20 {
		t.Errorf("%d tiles stored, %d reported", count, n)
	}
	// The z8 tile over 解放碑 sits at the flipped (TMS) row, gzipped once.
	tile := maptile.At(jiefangbei, 8)
	var gz []byte
	if err := db.QueryRow(`SELECT tile_data FROM tiles WHERE zoom_level = 8 AND tile_column = ? AND tile_row = ?`,
		tile.X, (1<<8)-1-tile.Y).Scan(&gz); err != nil {
		t.Fatal(err)
	}
	ls, err := mvt.UnmarshalGzipped(gz)
	if err != nil || feature(ls[0], "500103") == nil {
		t.Errorf("tile from MBTiles: %v", err)
	}
	var meta string
	db.QueryRow(`SELECT value FROM metadata WHERE name = 'json'`).Scan(&meta)
	if !strings.Contains(meta, `"vector_layers"`) || !strings.Contains(meta, `"main_count":"Number"`) || !strings.Contains(meta, `"approximate":"Boolean"`) {
		t.Errorf("metadata json %s", meta)
	}

	ogrinfo, err := exec.LookPath("ogrinfo")
	if err != nil {
		t.Skip("ogrinfo not on PATH (CI installs gdal-bin)")
	}
	// GDAL reads the MBTiles' vector layers...
	out, err := exec.Command(ogrinfo, "-ro", "-so", path, "units", "-oo", "ZOOM_LEVEL=8").CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	for _, want := range []string{"Layer name: units", "main: String", "main_count: Real", "approximate: Integer(Boolean)"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("ogrinfo lacks %q:\n%s", want, out)
		}
	}
	// ...and a single tile file.
	single := filepath.Join(t.TempDir(), "422.mvt")
	raw, _ := mvtRaw(gz)
	os.WriteFile(single, raw, 0o644)
	out, err = exec.Command(ogrinfo, "-ro", "-so", single, "units", "-oo", "X="+strconv.Itoa(int(tile.X)),
		"-oo", "Y="+strconv.Itoa(int(tile.Y)), "-oo", "Z=8").CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo on one tile: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`Feature Count: (\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no feature count:\n%s", out)
	}
	if got, _ := strconv.Atoi(string(m[1])); got != len(ls[0].Features) {
		t.Errorf("GDAL counts %d units in the tile, we wrote %d", got, len(ls[0].Features))
	}
}

func TestExportPMTiles(t *testing.T) {
	ix := index(t)
	path := filepath.Join(t.TempDir(), "cq.pmtiles")
	n, err := ix.WritePMTiles(context.Background(), plan.ChongqingID, 9, path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	found := 0
	for _, tile := range chongqingTiles(9) {
		got, err := tiles.ReadPMTile(f, tile)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := ix.Encode(tiles.Request{Plan: plan.ChongqingID, Tile: tile})
		if !bytes.Equal(got, want) {
			t.Errorf("%v: archive has %d bytes, renderer %d", tile, len(got), len(want))
		}
		if got != nil {
			found++
		}
	}
	if found != n || n == 0 {
		t.Errorf("found %d tiles, wrote %d", found, n)
	}
	if b, _ := tiles.ReadPMTile(f, maptile.New(0, 0, 12)); b != nil {
		t.Error("a tile outside the archive was found")
	}
}

func mvtRaw(gz []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}
