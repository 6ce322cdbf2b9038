package tiles_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/tiles"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
	"github.com/protomaps/go-pmtiles/pmtiles"
)

func TestExportMBTiles(t *testing.T) {
	ix := index(t)
	want := renderedTiles(t, ix)
	const maxZoom = 13
	dir := t.TempDir()
	path := filepath.Join(dir, "cq.mbtiles")
	st, err := ix.WriteMBTiles(context.Background(), plan.ChongqingID, maxZoom, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", st)
	if names := dirNames(dir); len(names) != 1 {
		t.Errorf("files left beside the MBTiles: %v", names)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Every tile through the tiles view, each content once in images.
	var count, mapped, images, views int
	db.QueryRow(`SELECT count(*) FROM tiles`).Scan(&count)
	db.QueryRow(`SELECT count(*) FROM map`).Scan(&mapped)
	db.QueryRow(`SELECT count(*) FROM images`).Scan(&images)
	db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'view' AND name = 'tiles'`).Scan(&views)
	if count != st.Tiles || mapped != st.Tiles || images != st.Distinct || views != 1 || images*10 > count*7 {
		t.Errorf("%d tiles, %d mapped, %d images (a view: %d); reported %+v", count, mapped, images, views, st)
	}
	rows, err := db.Query(`SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles`)
	if err != nil {
		t.Fatal(err)
	}
	n, perZoom := 0, map[int]int{}
	for rows.Next() {
		var z, x, row int
		var gz []byte
		if err := rows.Scan(&z, &x, &row, &gz); err != nil {
			t.Fatal(err)
		}
		tile := maptile.New(uint32(x), uint32((1<<z)-1-row), maptile.Zoom(z))
		if !bytes.Equal(gz, want[tile]) {
			t.Errorf("%v: %d bytes stored, %d rendered", tile, len(gz), len(want[tile]))
		}
		n++
		perZoom[z]++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for tile := range want {
		if tile.Z <= maxZoom {
			perZoom[int(tile.Z)]--
		}
	}
	for z, d := range perZoom {
		if d != 0 {
			t.Errorf("z%d: %+d tiles stored against rendered", z, d)
		}
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
	var meta, version string
	db.QueryRow(`SELECT value FROM metadata WHERE name = 'version'`).Scan(&version)
	if _, err := strconv.ParseUint(version, 10, 64); err != nil {
		t.Errorf("metadata version %q is not a plain number (MBTiles 1.3)", version)
	}
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
	// ...and every tile of z12 (where many are alike) through the view: as
	// many units as the rendered tiles hold, shared images read once per
	// tile that uses them.
	units := countFeatures(want, 12, tiles.LayerUnits)
	out, err = exec.Command(ogrinfo, "-ro", "-so", path, "units", "-oo", "ZOOM_LEVEL=12").CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	if m := regexp.MustCompile(`Feature Count: (\d+)`).FindSubmatch(out); m == nil || string(m[1]) != strconv.Itoa(units) {
		t.Errorf("GDAL counts %q units at z12, the tiles hold %d:\n%s", m, units, out)
	}
	// ...and the places at z12, 鱼嘴镇 among them, with their fields.
	places := countFeatures(want, 12, tiles.LayerPlaces)
	out, err = exec.Command(ogrinfo, "-ro", "-al", path, "places", "-oo", "ZOOM_LEVEL=12", "-where", "name = '鱼嘴镇'").CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo places: %v\n%s", err, out)
	}
	for _, want := range []string{"Layer name: places", "kind (String) = town", "name_en (String) = Yuzui", "POINT ("} {
		if !strings.Contains(string(out), want) {
			t.Errorf("ogrinfo reads no 鱼嘴镇 in places (%q missing):\n%s", want, out)
		}
	}
	out, _ = exec.Command(ogrinfo, "-ro", "-so", path, "places", "-oo", "ZOOM_LEVEL=12").CombinedOutput()
	if m := regexp.MustCompile(`Feature Count: (\d+)`).FindSubmatch(out); m == nil || string(m[1]) != strconv.Itoa(places) || places == 0 {
		t.Errorf("GDAL counts %q places at z12, the tiles hold %d:\n%s", m, places, out)
	}
	// ...and the rivers at z8, as lines, as many as the tiles hold, a
	// major one (the Yangtze) by Chaotianmen at z10, where the Jialing
	// meets it at the tip of 渝中区.
	if len(geo.DefaultRiversFile()) > 0 {
		rivers := countFeatures(want, 8, tiles.LayerRivers)
		out, _ = exec.Command(ogrinfo, "-ro", "-so", path, "rivers", "-oo", "ZOOM_LEVEL=8").CombinedOutput()
		if m := regexp.MustCompile(`Feature Count: (\d+)`).FindSubmatch(out); m == nil || string(m[1]) != strconv.Itoa(rivers) || rivers == 0 ||
			!strings.Contains(string(out), "level: Real") {
			t.Errorf("GDAL reads %q rivers at z8, the tiles hold %d:\n%s", m, rivers, out)
		}
		// The layer is in Web Mercator (ogrinfo 3.6 has no -spat_srs).
		merc := func(lon, lat float64) (string, string) {
			const r = 6378137.0
			return strconv.FormatFloat(r*lon*math.Pi/180, 'f', 1, 64),
				strconv.FormatFloat(r*math.Log(math.Tan(math.Pi/4+lat*math.Pi/360)), 'f', 1, 64)
		}
		x0, y0 := merc(106.575, 29.56)
		x1, y1 := merc(106.595, 29.575)
		out, err = exec.Command(ogrinfo, "-ro", "-al", "-geom=SUMMARY", path, "rivers", "-oo", "ZOOM_LEVEL=10",
			"-spat", x0, y0, x1, y1, "-where", "level <= 1").CombinedOutput()
		if m := regexp.MustCompile(`Feature Count: (\d+)`).FindSubmatch(out); err != nil || m == nil || string(m[1]) == "0" || !strings.Contains(string(out), "LINESTRING") {
			t.Errorf("GDAL finds no major river at Chaotianmen at z10 (%v):\n%s", err, out)
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

func mvtRaw(gz []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

var (
	renderOnce sync.Once
	rendered   map[maptile.Tile][]byte
)

// archiveMaxZoom is the deepest zoom of the archive tests: deep enough
// for many identical tiles (units' interiors) and, in PMTiles, for leaf
// directories.
const archiveMaxZoom = 14

// renderedTiles is what the exports are given to store: Chongqing's
// non-empty tiles z0–archiveMaxZoom, gzipped, rendered once.
func renderedTiles(t *testing.T, ix *tiles.Index) map[maptile.Tile][]byte {
	t.Helper()
	renderOnce.Do(func() {
		m := map[maptile.Tile][]byte{}
		if err := ix.Each(plan.ChongqingID, archiveMaxZoom, func(tile maptile.Tile, gz []byte) error {
			m[tile] = bytes.Clone(gz)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		rendered = m
	})
	if rendered == nil {
		t.Fatal("tiles not rendered")
	}
	return rendered
}

// countFeatures counts a layer's features in the rendered tiles of a zoom.
func countFeatures(rendered map[maptile.Tile][]byte, z maptile.Zoom, layer string) int {
	n := 0
	for tile, gz := range rendered {
		if tile.Z != z {
			continue
		}
		ls, _ := mvt.UnmarshalGzipped(gz)
		for _, l := range ls {
			if l.Name == layer {
				n += len(l.Features)
			}
		}
	}
	return n
}

func TestExportPMTiles(t *testing.T) {
	ix := index(t)
	want := renderedTiles(t, ix)
	dir := t.TempDir()
	path := filepath.Join(dir, "cq.pmtiles")
	st, err := ix.WritePMTiles(context.Background(), plan.ChongqingID, archiveMaxZoom, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", st)
	if names := dirNames(dir); len(names) != 1 {
		t.Errorf("files left beside the archive: %v", names)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() != st.FileBytes || fi.Mode().Perm() != 0o644 {
		t.Errorf("archive %v: %v, %d bytes reported", fi, err, st.FileBytes)
	}
	distinct := map[string]bool{}
	for _, gz := range want {
		distinct[string(gz)] = true
	}
	if st.Tiles != len(want) || st.Distinct != len(distinct) || st.Distinct >= st.Tiles {
		t.Errorf("%d tiles, %d distinct written; %d tiles, %d distinct rendered", st.Tiles, st.Distinct, len(want), len(distinct))
	}

	// go-pmtiles' verify (`pmtiles verify`): section bounds, the header's
	// counts and zooms. It logs what it finds invalid and goes on.
	var vlog bytes.Buffer
	if err := pmtiles.Verify(log.New(&vlog, "", 0), path); err != nil || strings.Contains(vlog.String(), "Invalid") {
		t.Errorf("pmtiles verify: %v\n%s", err, vlog.String())
	}

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	hb := make([]byte, pmtiles.HeaderV3LenBytes)
	if _, err := f.ReadAt(hb, 0); err != nil {
		t.Fatal(err)
	}
	h, err := pmtiles.DeserializeHeader(hb)
	if err != nil {
		t.Fatal(err)
	}
	if h.AddressedTilesCount != uint64(st.Tiles) || h.TileContentsCount != uint64(st.Distinct) || h.TileEntriesCount != uint64(st.Entries) ||
		!h.Clustered || h.TileType != pmtiles.Mvt || h.TileCompression != pmtiles.Gzip || h.MinZoom != 0 || h.MaxZoom != archiveMaxZoom ||
		h.LeafDirectoryLength == 0 || h.TileDataLength != uint64(st.DataBytes) {
		t.Errorf("header %+v for %+v", h, st)
	}

	// The entries, in tile-id order: each offset continues the tile data
	// or points back at a blob already written (the spec's "clustered"
	// with deduplication; go-pmtiles' verify does not check it), runs of
	// identical tiles are single entries, and the data is the distinct
	// tiles' bytes, far fewer than every tile's.
	var (
		end, naive       uint64
		next             uint64
		entries, runs    int
		backRefs         int
		blobs            = map[uint64]uint32{}
		inRun, backRefed maptile.Tile
	)
	err = pmtiles.IterateEntries(h, func(off, n uint64) ([]byte, error) {
		return io.ReadAll(io.NewSectionReader(f, int64(off), int64(n)))
	}, func(e pmtiles.EntryV3) {
		entries++
		if e.TileID < next {
			t.Errorf("entry %+v out of order", e)
		}
		next = e.TileID + uint64(e.RunLength)
		switch n, ok := blobs[e.Offset]; {
		case e.Offset == end:
			blobs[e.Offset] = e.Length
			end += uint64(e.Length)
		case ok && n == e.Length:
			backRefs++
			z, x, y := pmtiles.IDToZxy(e.TileID)
			backRefed = maptile.New(x, y, maptile.Zoom(z))
		default:
			t.Errorf("entry %+v neither continues the data (at %d) nor points at a blob written", e, end)
		}
		if e.RunLength > 1 {
			runs++
			z, x, y := pmtiles.IDToZxy(e.TileID + uint64(e.RunLength) - 1)
			inRun = maptile.New(x, y, maptile.Zoom(z))
		}
		naive += uint64(e.Length) * uint64(e.RunLength)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d entries, %d runs, %d back-references; %d tile bytes stored of %d", entries, runs, backRefs, end, naive)
	if entries != st.Entries || end != h.TileDataLength || uint64(len(blobs)) != h.TileContentsCount || naive != uint64(st.Bytes) {
		t.Errorf("%d entries, %d blobs, %d of %d tile bytes, header %+v", entries, len(blobs), end, naive, h)
	}
	// Each distinct content is stored once (blobs against the header and
	// the rendered tiles, above); repeats are runs and back-references.
	// How much that saves is the data's: solid tiles inside one unit
	// repeat, tiles a river crosses do not (52 % of the bytes stored with
	// the rivers, under 50 % before).
	if runs == 0 || backRefs == 0 || end*10 > naive*7 {
		t.Errorf("no real deduplication: %d runs, %d back-references, %d tile bytes stored of %d", runs, backRefs, end, naive)
	}

	// Every tile of the cover, through go-pmtiles' reader (what `pmtiles
	// serve` answers): the rendered bytes, or nothing where the tile is
	// empty.
	srv, err := pmtiles.NewServerWithBucket(pmtiles.NewFileBucket(dir), "", log.New(io.Discard, "", 0), 16, "")
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	// Under -short one tile in eight of the deepest zooms is read.
	cover, sampled := chongqingTiles(archiveMaxZoom), false
	if testing.Short() {
		cover, sampled = sampleTiles(cover, 12, 8), true
	}
	found := 0
	for _, tile := range cover {
		code, _, got := srv.Get(context.Background(), fmt.Sprintf("/cq/%d/%d/%d.mvt", tile.Z, tile.X, tile.Y))
		w, ok := want[tile]
		if ok {
			found++
		}
		if ok && (code != 200 || !bytes.Equal(got, w)) || !ok && code != 204 {
			t.Errorf("%v: go-pmtiles answers %d with %d bytes, want %d bytes", tile, code, len(got), len(w))
		}
	}
	if !sampled && found != st.Tiles {
		t.Errorf("%d tiles in the cover, %d written", found, st.Tiles)
	}

	// The npm package's reader: header, metadata and tiles, among them
	// one inside a run and one stored as a back-reference.
	yuzhong := maptile.At(jiefangbei, 12) // 解放碑, in 渝中区
	if ls, err := mvt.UnmarshalGzipped(want[yuzhong]); err != nil || feature(ls[0], "500103") == nil {
		t.Fatalf("%v: no 渝中区 (%v)", yuzhong, err)
	}
	readWithNPM(t, path, st, want, []maptile.Tile{maptile.New(0, 0, 0), yuzhong, inRun, backRefed, maptile.New(0, 0, 12)})
}

// readWithNPM reads an archive with the pmtiles npm package
// (testdata/pmtiles-read.mjs) and checks what it reads.
func readWithNPM(t *testing.T, path string, st tiles.ArchiveStats, want map[maptile.Tile][]byte, list []maptile.Tile) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not on PATH")
	}
	if _, err := os.Stat("../node_modules/pmtiles/package.json"); err != nil {
		t.Skip("the pmtiles npm package is not installed (make assets runs npm ci)")
	}
	args := []string{"testdata/pmtiles-read.mjs", path}
	for _, tile := range list {
		args = append(args, fmt.Sprintf("%d/%d/%d", tile.Z, tile.X, tile.Y))
	}
	out, err := exec.Command(node, args...).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("node pmtiles-read.mjs: %v\n%s", err, stderr)
	}
	var got struct {
		Header struct {
			NumAddressedTiles, NumTileEntries, NumTileContents int
			Clustered                                          bool
			TileType, TileCompression, MinZoom, MaxZoom        int
		}
		Metadata struct {
			Name         string
			VectorLayers []struct{ ID string } `json:"vector_layers"`
		}
		Tiles map[string][]byte
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %.300s", err, out)
	}
	h := got.Header
	if h.NumAddressedTiles != st.Tiles || h.NumTileEntries != st.Entries || h.NumTileContents != st.Distinct || !h.Clustered ||
		h.TileType != 1 || h.TileCompression != 2 || h.MinZoom != 0 || h.MaxZoom != archiveMaxZoom {
		t.Errorf("npm pmtiles reads the header %+v for %+v", h, st)
	}
	var layers []string
	for _, l := range got.Metadata.VectorLayers {
		layers = append(layers, l.ID)
	}
	if got.Metadata.Name == "" || strings.Join(layers, ",") != "units,borders,labels,places,rivers" {
		t.Errorf("npm pmtiles reads the metadata %+v", got.Metadata)
	}
	for _, tile := range list {
		key := fmt.Sprintf("%d/%d/%d", tile.Z, tile.X, tile.Y)
		b, ok := got.Tiles[key]
		if !ok {
			t.Errorf("%s: not read", key)
			continue
		}
		var raw []byte
		if gz, ok := want[tile]; ok {
			if raw, err = mvtRaw(gz); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(b, raw) {
			t.Errorf("%s: npm pmtiles reads %d bytes, want %d", key, len(b), len(raw))
		}
	}
}

// TestExportFailureLeavesNothing: an export stopped midway leaves neither
// the file nor its temporary files.
func TestExportFailureLeavesNothing(t *testing.T) {
	ix := index(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	for name, write := range map[string]func(context.Context, string, int, string) (tiles.ArchiveStats, error){
		"cq.pmtiles": ix.WritePMTiles, "cq.mbtiles": ix.WriteMBTiles,
	} {
		if _, err := write(ctx, plan.ChongqingID, 6, filepath.Join(dir, name)); err == nil {
			t.Errorf("%s: written from a cancelled context", name)
		}
	}
	if names := dirNames(dir); len(names) != 0 {
		t.Errorf("left behind: %v", names)
	}
}

// dirNames lists a directory's entries, hidden ones included.
func dirNames(dir string) []string {
	es, _ := os.ReadDir(dir)
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}
