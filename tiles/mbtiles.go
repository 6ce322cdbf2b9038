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
// complete. It returns the number of tiles written.
func (ix *Index) WriteMBTiles(ctx context.Context, planID string, maxZoom int, path string) (int, error) {
	tj, err := ix.TileJSON(planID, "", func(f Field) string { return f.Type })
	if err != nil {
		return 0, err
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	os.Remove(tmp)
	defer os.Remove(tmp)
	db, err := sql.Open("sqlite", tmp)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	for _, s := range []string{
		`CREATE TABLE metadata (name TEXT, value TEXT)`,
		`CREATE UNIQUE INDEX name ON metadata (name)`,
		`CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)`,
		`CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)`,
	} {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return 0, err
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
			return 0, err
		}
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO tiles VALUES (?, ?, ?, ?)`)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	n := 0
	err = ix.Each(planID, maxZoom, func(t maptile.Tile, gz []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		n++
		_, err := stmt.ExecContext(ctx, int(t.Z), int(t.X), int((uint32(1)<<t.Z)-1-t.Y), gz)
		return err
	})
	if err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	if err := db.Close(); err != nil {
		return 0, err
	}
	return n, os.Rename(tmp, path)
}
