// Package tiles is the home of indmap's vector tile pipeline. So far it
// holds the tile addressing that the tile endpoint will parse.
package tiles

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/paulmach/orb/maptile"
)

// MaxZoom is the deepest zoom a tile is answered for.
const MaxZoom = 22

// ParseTile reads z, x and y path segments (y may end in .mvt or .pbf)
// of an XYZ tile address and checks they name a tile of the pyramid.
func ParseTile(z, x, y string) (maptile.Tile, error) {
	// One extension, once: 13.pbf.mvt is no tile.
	if trimmed, ok := strings.CutSuffix(y, ".mvt"); ok {
		y = trimmed
	} else {
		y = strings.TrimSuffix(y, ".pbf")
	}
	zoom, err := strconv.ParseUint(z, 10, 8)
	if err != nil || zoom > MaxZoom {
		return maptile.Tile{}, fmt.Errorf("zoom %q: want a whole number from 0 to %d", z, MaxZoom)
	}
	n := uint64(1) << zoom
	tx, err := strconv.ParseUint(x, 10, 32)
	if err != nil || tx >= n {
		return maptile.Tile{}, fmt.Errorf("x %q: want a whole number from 0 to %d at zoom %d", x, n-1, zoom)
	}
	ty, err := strconv.ParseUint(y, 10, 32)
	if err != nil || ty >= n {
		return maptile.Tile{}, fmt.Errorf("y %q: want a whole number from 0 to %d at zoom %d", y, n-1, zoom)
	}
	// One URL per tile: 07/101/053 would split caches (ParseUint takes
	// no sign: a leading zero is the only other spelling).
	if leadingZero(z) || leadingZero(x) || leadingZero(y) {
		return maptile.Tile{}, fmt.Errorf("%s/%s/%s: write the numbers without leading zeros", z, x, y)
	}
	return maptile.New(uint32(tx), uint32(ty), maptile.Zoom(zoom)), nil
}

func leadingZero(s string) bool { return len(s) > 1 && s[0] == '0' }
