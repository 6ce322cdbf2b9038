package tiles

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/paulmach/orb/maptile"
	_ "modernc.org/sqlite" // the "sqlite" driver
)

// WriteMBTiles writes a plan's tiles z0–maxZoom to an MBTiles 1.3 file:
// gzipped MVT in the TMS row order the spec asks (row = 2^z − 1 − y),
// metadata with the layers' fields in "json". The file appears only when
// complete.
func (ix *Index) WriteMBTiles(ctx context.Context, planID string, maxZoom int, path string) (ArchiveStats, error) {
	var st ArchiveStats
	tj, err := ix.TileJSON(planID, "", func(f Field) string { return f.Type })
	if err != nil {
		return st, err
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	os.Remove(tmp)
	defer os.Remove(tmp)
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
		`CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)`,
		`CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)`,
	} {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return st, err
		}
	}
	layers, _ := json.Marshal(map[string]any{"vector_layers": tj.VectorLayers})
	meta := map[string]string{
		"name":        tj.Name,
		"format":      "pbf",
		"type":        "overlay",
		"version":     tj.Version,
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
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO tiles VALUES (?, ?, ?, ?)`)
	if err != nil {
		return st, err
	}
	defer stmt.Close()
	err = ix.Each(planID, maxZoom, func(t maptile.Tile, gz []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		st.Tiles++
		st.Bytes += int64(len(gz))
		_, err := stmt.ExecContext(ctx, int(t.Z), int(t.X), int((uint32(1)<<t.Z)-1-t.Y), gz)
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
	st.Distinct, st.DataBytes = st.Tiles, st.Bytes
	if fi, err := os.Stat(tmp); err == nil {
		st.FileBytes = fi.Size()
	}
	return st, os.Rename(tmp, path)
}
