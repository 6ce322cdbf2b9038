package tiles

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/paulmach/orb/maptile"
	_ "modernc.org/sqlite" // the "sqlite" driver
)

// WriteMBTiles writes a plan's tiles z0–maxZoom to an MBTiles 1.3 file:
// gzipped MVT in the TMS row order the spec asks (row = 2^z − 1 − y),
// metadata with the layers' fields in "json". Identical tiles are stored
// once: "map" gives each tile (zoom_level, tile_column, tile_row) the
// tile_id of its content in "images" (tile_id, tile_data), and "tiles" is
// the view over the two that the spec allows (mbutil's layout, with
// integer ids). The file appears only when complete.
func (ix *Index) WriteMBTiles(ctx context.Context, planID string, maxZoom int, path string) (ArchiveStats, error) {
	var st ArchiveStats
	tj, err := ix.TileJSON(planID, "", func(f Field) string { return f.Type })
	if err != nil {
		return st, err
	}
	dir, base := filepath.Split(path)
	f, err := os.CreateTemp(dir, "."+base+".*")
	if err != nil {
		return st, err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := errors.Join(f.Chmod(0o644), f.Close()); err != nil {
		return st, err
	}
	db, err := sql.Open("sqlite", tmp)
	if err != nil {
		return st, err
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return st, err
	}
	defer tx.Rollback()
	for _, s := range []string{
		`CREATE TABLE metadata (name TEXT, value TEXT)`,
		`CREATE UNIQUE INDEX name ON metadata (name)`,
		`CREATE TABLE map (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_id INTEGER)`,
		`CREATE UNIQUE INDEX map_index ON map (zoom_level, tile_column, tile_row)`,
		`CREATE TABLE images (tile_id INTEGER PRIMARY KEY, tile_data BLOB)`,
		`CREATE VIEW tiles AS SELECT map.zoom_level AS zoom_level, map.tile_column AS tile_column,
			map.tile_row AS tile_row, images.tile_data AS tile_data
			FROM map JOIN images ON images.tile_id = map.tile_id`,
	} {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return st, err
		}
	}
	layers, _ := json.Marshal(map[string]any{"vector_layers": tj.VectorLayers})
	meta := map[string]string{
		"name":   tj.Name,
		"format": "pbf",
		"type":   "overlay",
		// MBTiles 1.3 asks for a plain number: the revision part of
		// TileJSON's semver, which moves with the plan's content.
		"version":     tj.Version[strings.LastIndexByte(tj.Version, '.')+1:],
		"description": tj.Description,
		"attribution": tj.Attribution,
		"minzoom":     "0",
		"maxzoom":     fmt.Sprint(maxZoom),
		"bounds":      fmt.Sprintf("%f,%f,%f,%f", tj.Bounds[0], tj.Bounds[1], tj.Bounds[2], tj.Bounds[3]),
		"center":      fmt.Sprintf("%f,%f,%d", tj.Center[0], tj.Center[1], min(int(tj.Center[2]), maxZoom)),
		"json":        string(layers),
	}
	for k, v := range meta {
		if _, err := tx.ExecContext(ctx, `INSERT INTO metadata VALUES (?, ?)`, k, v); err != nil {
			return st, err
		}
	}
	insMap, err := tx.PrepareContext(ctx, `INSERT INTO map VALUES (?, ?, ?, ?)`)
	if err != nil {
		return st, err
	}
	defer insMap.Close()
	insImage, err := tx.PrepareContext(ctx, `INSERT INTO images VALUES (?, ?)`)
	if err != nil {
		return st, err
	}
	defer insImage.Close()
	images := map[[sha256.Size]byte]int64{}
	err = ix.Each(planID, maxZoom, func(t maptile.Tile, gz []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		st.Tiles++
		st.Bytes += int64(len(gz))
		sum := sha256.Sum256(gz)
		id, ok := images[sum]
		if !ok {
			id = int64(len(images)) + 1
			images[sum] = id
			st.DataBytes += int64(len(gz))
			if _, err := insImage.ExecContext(ctx, id, gz); err != nil {
				return err
			}
		}
		_, err := insMap.ExecContext(ctx, int(t.Z), int(t.X), int((uint32(1)<<t.Z)-1-t.Y), id)
		return err
	})
	if err != nil {
		return st, err
	}
	if err := tx.Commit(); err != nil {
		return st, err
	}
	if err := db.Close(); err != nil {
		return st, err
	}
	st.Distinct = len(images)
	if fi, err := os.Stat(tmp); err == nil {
		st.FileBytes = fi.Size()
	}
	return st, os.Rename(tmp, path)
}
