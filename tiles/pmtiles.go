package tiles

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/paulmach/orb/maptile"
)

// HilbertID is a tile's PMTiles v3 id: the count of tiles of all lower
// zooms, then the tile's position along the Hilbert curve of its zoom.
func HilbertID(t maptile.Tile) uint64 {
	z := uint(t.Z)
	id := (uint64(1)<<(2*z) - 1) / 3
	x, y := t.X, t.Y
	for s := uint32(1) << z >> 1; s > 0; s >>= 1 {
		rx, ry := x&s != 0, y&s != 0
		quad := uint64(0)
		switch {
		case rx && ry:
			quad = 2
		case rx:
			quad = 3
		case ry:
			quad = 1
		}
		id += uint64(s) * uint64(s) * quad
		// Rotate the quadrant so the curve continues (only the bits
		// below s matter from here on).
		if !ry {
			if rx {
				x, y = s-1-x, s-1-y
			}
			x, y = y, x
		}
	}
	return id
}

// pmEntry is a PMTiles directory entry.
type pmEntry struct {
	id        uint64
	offset    uint64
	length    uint32
	runLength uint32
}

const pmHeaderLen = 127

// WritePMTiles writes a plan's tiles z0–maxZoom to a PMTiles v3 archive
// (clustered, gzipped directories and tiles): one file that any static
// host or object store can serve with HTTP range requests. The file
// appears only when complete. It returns the number of tiles written.
func (ix *Index) WritePMTiles(ctx context.Context, planID string, maxZoom int, path string) (int, error) {
	tj, err := ix.TileJSON(planID, "", nil)
	if err != nil {
		return 0, err
	}
	var data bytes.Buffer
	var entries []pmEntry
	err = ix.Each(planID, maxZoom, func(t maptile.Tile, gz []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		entries = append(entries, pmEntry{id: HilbertID(t), offset: uint64(data.Len()), length: uint32(len(gz)), runLength: 1})
		data.Write(gz)
		return nil
	})
	if err != nil {
		return 0, err
	}
	meta, err := gzipBytes(mustJSON(map[string]any{
		"name": tj.Name, "description": tj.Description, "attribution": tj.Attribution,
		"version": tj.Version, "type": "overlay", "vector_layers": tj.VectorLayers,
	}))
	if err != nil {
		return 0, err
	}
	root, leaves, err := pmDirectories(entries, 16384-pmHeaderLen)
	if err != nil {
		return 0, err
	}
	h := make([]byte, pmHeaderLen)
	copy(h, "PMTiles")
	h[7] = 3
	rootOff := uint64(pmHeaderLen)
	metaOff := rootOff + uint64(len(root))
	leafOff := metaOff + uint64(len(meta))
	dataOff := leafOff + uint64(len(leaves))
	for i, v := range []uint64{rootOff, uint64(len(root)), metaOff, uint64(len(meta)), leafOff, uint64(len(leaves)),
		dataOff, uint64(data.Len()), uint64(len(entries)), uint64(len(entries)), uint64(len(entries))} {
		binary.LittleEndian.PutUint64(h[8+8*i:], v)
	}
	h[96] = 1 // clustered: tile data in tile id order
	h[97] = 2 // directories and metadata gzipped
	h[98] = 2 // tiles gzipped
	h[99] = 1 // MVT
	h[100] = 0
	h[101] = byte(maxZoom)
	e7 := func(v float64) uint32 { return uint32(int32(math.Round(v * 1e7))) }
	binary.LittleEndian.PutUint32(h[102:], e7(tj.Bounds[0]))
	binary.LittleEndian.PutUint32(h[106:], e7(tj.Bounds[1]))
	binary.LittleEndian.PutUint32(h[110:], e7(tj.Bounds[2]))
	binary.LittleEndian.PutUint32(h[114:], e7(tj.Bounds[3]))
	h[118] = byte(min(int(tj.Center[2]), maxZoom))
	binary.LittleEndian.PutUint32(h[119:], e7(tj.Center[0]))
	binary.LittleEndian.PutUint32(h[123:], e7(tj.Center[1]))

	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name())
	for _, part := range [][]byte{h, root, meta, leaves, data.Bytes()} {
		if _, err := tmp.Write(part); err != nil {
			tmp.Close()
			return 0, err
		}
	}
	if err := tmp.Close(); err != nil {
		return 0, err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return 0, err
	}
	return len(entries), os.Rename(tmp.Name(), path)
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// pmSerialize encodes directory entries as the spec lays them out:
// count, id deltas, run lengths, lengths, offsets (0 = right after the
// previous tile, else offset + 1), all varints, then gzip.
func pmSerialize(es []pmEntry) ([]byte, error) {
	var b []byte
	b = binary.AppendUvarint(b, uint64(len(es)))
	last := uint64(0)
	for _, e := range es {
		b = binary.AppendUvarint(b, e.id-last)
		last = e.id
	}
	for _, e := range es {
		b = binary.AppendUvarint(b, uint64(e.runLength))
	}
	for _, e := range es {
		b = binary.AppendUvarint(b, uint64(e.length))
	}
	for i, e := range es {
		if i > 0 && e.offset == es[i-1].offset+uint64(es[i-1].length) {
			b = binary.AppendUvarint(b, 0)
		} else {
			b = binary.AppendUvarint(b, e.offset+1)
		}
	}
	return gzipBytes(b)
}

// pmDirectories returns the root directory and the leaf directories:
// all entries in the root when they fit, else leaves of growing size
// until the root of leaf pointers fits.
func pmDirectories(es []pmEntry, rootMax int) ([]byte, []byte, error) {
	root, err := pmSerialize(es)
	if err != nil || len(root) <= rootMax {
		return root, nil, err
	}
	for size := max(4096, len(es)/3500); ; size = size * 12 / 10 {
		var leaves []byte
		var pointers []pmEntry
		for i := 0; i < len(es); i += size {
			leaf, err := pmSerialize(es[i:min(i+size, len(es))])
			if err != nil {
				return nil, nil, err
			}
			pointers = append(pointers, pmEntry{id: es[i].id, offset: uint64(len(leaves)), length: uint32(len(leaf))})
			leaves = append(leaves, leaf...)
		}
		root, err := pmSerialize(pointers)
		if err != nil {
			return nil, nil, err
		}
		if len(root) <= rootMax {
			return root, leaves, nil
		}
	}
}

// ReadPMTile finds one tile in a PMTiles archive (for tests and checks):
// its gzipped bytes, or nil when the archive has no such tile.
func ReadPMTile(r io.ReaderAt, t maptile.Tile) ([]byte, error) {
	h := make([]byte, pmHeaderLen)
	if _, err := r.ReadAt(h, 0); err != nil {
		return nil, err
	}
	if string(h[:7]) != "PMTiles" || h[7] != 3 {
		return nil, fmt.Errorf("not a PMTiles v3 archive")
	}
	u := func(i int) uint64 { return binary.LittleEndian.Uint64(h[8+8*i:]) }
	rootOff, rootLen, leafOff, dataOff := u(0), u(1), u(4), u(6)
	id := HilbertID(t)
	off, length := rootOff, rootLen
	for depth := 0; depth < 4; depth++ {
		dir := make([]byte, length)
		if _, err := r.ReadAt(dir, int64(off)); err != nil {
			return nil, err
		}
		es, err := pmDeserialize(dir)
		if err != nil {
			return nil, err
		}
		// The last entry with id <= the tile's.
		i := len(es) - 1
		for i >= 0 && es[i].id > id {
			i--
		}
		if i < 0 {
			return nil, nil
		}
		e := es[i]
		if e.runLength == 0 { // a leaf directory
			off, length = leafOff+e.offset, uint64(e.length)
			continue
		}
		if id >= e.id+uint64(e.runLength) {
			return nil, nil
		}
		b := make([]byte, e.length)
		_, err = r.ReadAt(b, int64(dataOff+e.offset))
		return b, err
	}
	return nil, fmt.Errorf("directories nest too deep")
}

func pmDeserialize(gz []byte) ([]pmEntry, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	rd := bytes.NewReader(b)
	n, err := binary.ReadUvarint(rd)
	if err != nil {
		return nil, err
	}
	es := make([]pmEntry, n)
	last := uint64(0)
	for i := range es {
		d, err := binary.ReadUvarint(rd)
		if err != nil {
			return nil, err
		}
		last += d
		es[i].id = last
	}
	for _, f := range []func(int, uint64){
		func(i int, v uint64) { es[i].runLength = uint32(v) },
		func(i int, v uint64) { es[i].length = uint32(v) },
		func(i int, v uint64) {
			if v == 0 && i > 0 {
				es[i].offset = es[i-1].offset + uint64(es[i-1].length)
			} else {
				es[i].offset = v - 1
			}
		},
	} {
		for i := range es {
			v, err := binary.ReadUvarint(rd)
			if err != nil {
				return nil, err
			}
			f(i, v)
		}
	}
	return es, nil
}
