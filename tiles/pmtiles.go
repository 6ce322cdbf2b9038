package tiles

import (
	"bufio"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/paulmach/orb/maptile"
	"github.com/protomaps/go-pmtiles/pmtiles"
)

// tileID is a tile's PMTiles v3 id (zoom, then Hilbert order).
func tileID(t maptile.Tile) uint64 {
	return pmtiles.ZxyToID(uint8(t.Z), t.X, t.Y)
}

// ErrNoTiles is returned for an archive of a plan none of whose units
// has a tile (their boundaries are not loaded).
var ErrNoTiles = errors.New("no tiles")

// WritePMTiles writes a plan's tiles z0–maxZoom to a PMTiles v3 archive
// (gzipped directories and tiles): one file that any static host or
// object store can serve with HTTP range requests.
//
// Identical tiles are stored once, as go-pmtiles' convert and tippecanoe
// store them: a run of identical tiles in tile-id order is one entry with
// a run length, and a later repeat points back at the first copy's
// offset. The archive is clustered (the spec's rule: each entry's offset
// continues the tile data or points back at data already written). Tile
// data is streamed to a temporary file as tiles are rendered; the
// archive is assembled from it (header, root directory, metadata, leaf
// directories, tile data) and appears only when complete.
func (ix *Index) WritePMTiles(ctx context.Context, planID string, maxZoom int, path string) (ArchiveStats, error) {
	var st ArchiveStats
	tj, err := ix.TileJSON(planID, "", nil)
	if err != nil {
		return st, err
	}
	dir, base := filepath.Split(path)
	data, err := os.CreateTemp(dir, "."+base+".*.tiles")
	if err != nil {
		return st, err
	}
	defer os.Remove(data.Name())
	defer data.Close()
	w := bufio.NewWriterSize(data, 1<<20)

	type blob struct {
		offset uint64
		length uint32
	}
	seen := map[[sha256.Size]byte]blob{}
	var entries []pmtiles.EntryV3
	var offset uint64
	err = ix.Each(planID, maxZoom, func(t maptile.Tile, gz []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if len(gz) > math.MaxUint32 {
			return fmt.Errorf("tile %d/%d/%d: %d bytes", t.Z, t.X, t.Y, len(gz))
		}
		id := tileID(t)
		st.Tiles++
		st.Bytes += int64(len(gz))
		sum := sha256.Sum256(gz)
		b, dup := seen[sum]
		if n := len(entries); n > 0 {
			last := &entries[n-1]
			if id <= last.TileID+uint64(last.RunLength)-1 {
				return fmt.Errorf("tile %d/%d/%d out of tile-id order", t.Z, t.X, t.Y)
			}
			if dup && id == last.TileID+uint64(last.RunLength) && last.Offset == b.offset && last.RunLength < math.MaxUint32 {
				last.RunLength++
				return nil
			}
		}
		if !dup {
			if _, err := w.Write(gz); err != nil {
				return err
			}
			b = blob{offset, uint32(len(gz))}
			seen[sum] = b
			offset += uint64(len(gz))
		}
		entries = append(entries, pmtiles.EntryV3{TileID: id, Offset: b.offset, Length: b.length, RunLength: 1})
		return nil
	})
	if err != nil {
		return st, err
	}
	if len(entries) == 0 {
		return st, fmt.Errorf("plan %s: %w z0–%d to write", planID, ErrNoTiles, maxZoom)
	}
	if err := w.Flush(); err != nil {
		return st, err
	}
	st.Distinct, st.Entries, st.DataBytes = len(seen), len(entries), int64(offset)

	meta, err := pmtiles.SerializeMetadata(map[string]any{
		"name": tj.Name, "description": tj.Description, "attribution": tj.Attribution,
		"version": tj.Version, "type": "overlay", "format": "pbf", "vector_layers": tj.VectorLayers,
	}, pmtiles.Gzip)
	if err != nil {
		return st, err
	}
	root, leaves, _ := pmtiles.BuildDirectories(entries, 16384-pmtiles.HeaderV3LenBytes, pmtiles.Gzip)
	minZ, _, _ := pmtiles.IDToZxy(entries[0].TileID)
	last := entries[len(entries)-1]
	maxZ, _, _ := pmtiles.IDToZxy(last.TileID + uint64(last.RunLength) - 1)
	e7 := func(v float64) int32 { return int32(math.Round(v * 1e7)) }
	h := pmtiles.HeaderV3{
		RootOffset:          pmtiles.HeaderV3LenBytes,
		RootLength:          uint64(len(root)),
		AddressedTilesCount: uint64(st.Tiles),
		TileEntriesCount:    uint64(len(entries)),
		TileContentsCount:   uint64(len(seen)),
		Clustered:           true,
		InternalCompression: pmtiles.Gzip,
		TileCompression:     pmtiles.Gzip,
		TileType:            pmtiles.Mvt,
		MinZoom:             minZ,
		MaxZoom:             maxZ,
		MinLonE7:            e7(tj.Bounds[0]),
		MinLatE7:            e7(tj.Bounds[1]),
		MaxLonE7:            e7(tj.Bounds[2]),
		MaxLatE7:            e7(tj.Bounds[3]),
		CenterZoom:          uint8(min(max(int(tj.Center[2]), int(minZ)), int(maxZ))),
		CenterLonE7:         e7(tj.Center[0]),
		CenterLatE7:         e7(tj.Center[1]),
	}
	h.MetadataOffset = h.RootOffset + h.RootLength
	h.MetadataLength = uint64(len(meta))
	h.LeafDirectoryOffset = h.MetadataOffset + h.MetadataLength
	h.LeafDirectoryLength = uint64(len(leaves))
	h.TileDataOffset = h.LeafDirectoryOffset + h.LeafDirectoryLength
	h.TileDataLength = offset

	err = writeFileAtomically(path, func(out io.Writer) error {
		for _, part := range [][]byte{pmtiles.SerializeHeader(h), root, meta, leaves} {
			if _, err := out.Write(part); err != nil {
				return err
			}
		}
		if _, err := data.Seek(0, io.SeekStart); err != nil {
			return err
		}
		n, err := io.Copy(out, data)
		if err == nil && uint64(n) != offset {
			err = fmt.Errorf("tile data: copied %d bytes of %d", n, offset)
		}
		return err
	})
	if err != nil {
		return st, err
	}
	st.FileBytes = int64(h.TileDataOffset + h.TileDataLength)
	return st, nil
}
