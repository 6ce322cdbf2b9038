package geo

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"embed"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/paulmach/orb"
)

// riverFiles holds the rivers make assets writes (see rivers/README.md);
// a build without them has no rivers.
//
//go:embed rivers
var riverFiles embed.FS

// RiversCredit is the attribution the rivers' data asks for.
const RiversCredit = "Rivers: GSHHG 2.3.7 (WDBII), Wessel & Smith, LGPL-3.0"

// River is a piece of a river: GSHHG cuts its rivers into one-degree
// bins, so a long river is many pieces that meet end to end.
type River struct {
	// Level is WDBII's rank: 0 double-lined rivers (the widest, drawn as
	// lakes), 1 permanent major rivers, 2 additional major rivers,
	// 3 additional rivers, 4 minor rivers.
	Level int
	Line  orb.LineString // WGS 84
}

// MaxRiverLevel is the highest level (the least river) read.
const MaxRiverLevel = 4

// DefaultRiversFile returns the embedded rivers of China (gzipped GMT
// multi-segment text), or nil when the build carries none.
func DefaultRiversFile() []byte {
	b, _ := riverFiles.ReadFile("rivers/cn.gmt.gz")
	return b
}

// DefaultRivers returns the embedded rivers, read once: a constant of
// the build, shared by every snapshot, to be read only.
var DefaultRivers = sync.OnceValues(func() ([]River, error) {
	return ReadRivers(bytes.NewReader(DefaultRiversFile()))
})

// ReadRivers reads rivers as GMT writes them with `gmt coast -I… -M`:
// segments headed by a "> … Level N" line, then one "lon lat" row a
// point, gzipped or not. Pieces of one point are left out.
func ReadRivers(r io.Reader) ([]River, error) {
	br := bufio.NewReader(r)
	if head, err := br.Peek(2); err == nil && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("rivers: %w", err)
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
	}
	var out []River
	cur := -1 // index in out of the segment being read
	sc := bufio.NewScanner(br)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		switch {
		case len(line) == 0 || line[0] == '#':
		case line[0] == '>':
			_, lv, ok := strings.Cut(string(line), "Level ")
			level, err := strconv.Atoi(strings.TrimSpace(lv))
			if !ok || err != nil || level < 0 || level > MaxRiverLevel {
				return nil, fmt.Errorf("rivers: line %d: segment header %q has no level 0–%d", n, line, MaxRiverLevel)
			}
			if cur >= 0 && len(out[cur].Line) < 2 {
				out = out[:cur]
			}
			out = append(out, River{Level: level})
			cur = len(out) - 1
		default:
			if cur < 0 {
				return nil, fmt.Errorf("rivers: line %d: a point before any segment header", n)
			}
			f := strings.Fields(string(line))
			if len(f) < 2 {
				return nil, fmt.Errorf("rivers: line %d: %q is not a lon lat pair", n, line)
			}
			lon, err1 := strconv.ParseFloat(f[0], 64)
			lat, err2 := strconv.ParseFloat(f[1], 64)
			if err1 != nil || err2 != nil || !validLonLat(lon, lat) {
				return nil, fmt.Errorf("rivers: line %d: %q is not a lon lat pair", n, line)
			}
			p := orb.Point{lon, lat}
			if l := out[cur].Line; len(l) == 0 || l[len(l)-1] != p {
				out[cur].Line = append(l, p)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("rivers: %w", err)
	}
	if cur >= 0 && len(out[cur].Line) < 2 {
		out = out[:cur]
	}
	return out, nil
}
