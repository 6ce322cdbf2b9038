package glyphs

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/paulmach/protoscan"
)

// decoded is a glyph PBF as an independent reader (protoscan) sees it.
type decoded struct {
	name, rng string
	glyphs    map[rune]Glyph
}

// decode reads a glyphs message field by field with protoscan, as
// MapLibre's parse_glyph_pbf does.
func decode(t *testing.T, b []byte) []decoded {
	t.Helper()
	var out []decoded
	msg := protoscan.New(b)
	for msg.Next() {
		if msg.FieldNumber() != 1 {
			msg.Skip()
			continue
		}
		stack, err := msg.Message(nil)
		if err != nil {
			t.Fatal(err)
		}
		d := decoded{glyphs: map[rune]Glyph{}}
		for stack.Next() {
			switch stack.FieldNumber() {
			case 1:
				d.name, err = stack.String()
			case 2:
				d.rng, err = stack.String()
			case 3:
				var gm *protoscan.Message
				if gm, err = stack.Message(nil); err != nil {
					break
				}
				var g Glyph
				for gm.Next() && err == nil {
					switch gm.FieldNumber() {
					case 1:
						var id uint32
						id, err = gm.Uint32()
						g.ID = rune(id)
					case 2:
						g.Bitmap, err = gm.Bytes()
					case 3:
						g.Width, err = gm.Uint32()
					case 4:
						g.Height, err = gm.Uint32()
					case 5:
						g.Left, err = gm.Sint32()
					case 6:
						g.Top, err = gm.Sint32()
					case 7:
						g.Advance, err = gm.Uint32()
					default:
						gm.Skip()
					}
				}
				if err == nil {
					err = gm.Err()
				}
				d.glyphs[g.ID] = g
			default:
				stack.Skip()
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := stack.Err(); err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	if err := msg.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func embeddedSet(t testing.TB) *Set {
	t.Helper()
	s, err := Open(Embedded())
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Names()) == 0 {
		t.Fatal("no fonts embedded: run make assets (it copies Noto Sans from npm into glyphs/fonts)")
	}
	return s
}

// TestRangeDecodes: a range read back by an independent protobuf reader
// has every glyph of an English label, with bitmaps of the size MapLibre
// expects and plausible metrics for 24 px Noto Sans.
func TestRangeDecodes(t *testing.T) {
	s := embeddedSet(t)
	if got := strings.Join(s.Names(), ","); got != "Noto Sans Bold,Noto Sans Regular" {
		t.Errorf("fonts %s", got)
	}
	for _, stack := range []string{"Noto Sans Regular", "Noto Sans Bold", "Open Sans Regular,Noto Sans Bold", "Unknown Font"} {
		r, err := s.Range(stack, 0)
		if err != nil {
			t.Fatal(err)
		}
		ds := decode(t, r.PBF)
		if len(ds) != 1 || ds[0].name != stack || ds[0].rng != "0-255" || len(ds[0].glyphs) != r.Glyphs || r.Glyphs < 190 {
			t.Fatalf("%s: %d stacks, %+v", stack, len(ds), ds)
		}
		if want := map[string]string{"Unknown Font": DefaultFont, "Open Sans Regular,Noto Sans Bold": "Noto Sans Bold"}[stack]; want != "" && r.Font != want {
			t.Errorf("%s drawn with %s, want %s", stack, r.Font, want)
		}
		for _, c := range "Bishan District" {
			g, ok := ds[0].glyphs[c]
			if !ok {
				t.Errorf("%s: no glyph for %q", stack, c)
				continue
			}
			if c == ' ' {
				if g.Width != 0 || g.Height != 0 || len(g.Bitmap) != 0 || g.Advance < 4 || g.Advance > 8 {
					t.Errorf("%s: space %+v", stack, g)
				}
				continue
			}
			if len(g.Bitmap) != int((g.Width+2*Buffer)*(g.Height+2*Buffer)) {
				t.Errorf("%s %q: bitmap of %d bytes for %d×%d", stack, c, len(g.Bitmap), g.Width, g.Height)
			}
			if g.Width < 2 || g.Width > 20 || g.Height < 10 || g.Height > 20 || g.Advance < 5 || g.Advance > 20 ||
				g.Left < -1 || g.Left > 3 || g.Top > -6 || g.Top < -14 {
				t.Errorf("%s %q: implausible metrics %+v", stack, c, g)
			}
			inside := 0
			for _, v := range g.Bitmap {
				if v >= 192 {
					inside++
				}
			}
			if inside == 0 || inside >= len(g.Bitmap)/2 {
				t.Errorf("%s %q: %d of %d pixels inside the outline", stack, c, inside, len(g.Bitmap))
			}
		}
		// Letters sit on one baseline (the bottom is top − height, give or
		// take a pixel of overshoot) and a cap rises above an x-height.
		B, a := ds[0].glyphs['B'], ds[0].glyphs['a']
		if d := (B.Top - int32(B.Height)) - (a.Top - int32(a.Height)); d < 0 || d > 1 || B.Top < a.Top+3 {
			t.Errorf("%s: B %d/%d and a %d/%d (top/height) are not on one baseline", stack, B.Top, B.Height, a.Top, a.Height)
		}
	}
}

// TestRangesEverywhere: every range is answered; ranges the font lacks
// are empty glyph sets, and so is every range of a set with no fonts.
func TestRangesEverywhere(t *testing.T) {
	s := embeddedSet(t)
	empty, err := Open(fstest.MapFS{".gitkeep": {}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		set       *Set
		start     int
		minGlyphs int
		maxGlyphs int
	}{
		{s, 0, 190, 256},
		{s, 256, 100, 256},    // Latin Extended
		{s, 0x0400, 200, 256}, // Cyrillic
		{s, 0x4E00, 0, 0},     // CJK, drawn by the browser
		{s, 0x10FF00, 0, 0},
		{empty, 0, 0, 0},
	} {
		r, err := c.set.Range("Noto Sans Regular", c.start)
		if err != nil {
			t.Fatal(err)
		}
		ds := decode(t, r.PBF)
		if len(ds) != 1 || ds[0].name != "Noto Sans Regular" || len(ds[0].glyphs) < c.minGlyphs || len(ds[0].glyphs) > c.maxGlyphs ||
			!strings.HasPrefix(r.ETag, `"`+version+"-") {
			t.Errorf("range %d: %d glyphs, ETag %s", c.start, len(ds[0].glyphs), r.ETag)
		}
	}
	a, _ := s.Range("Noto Sans Regular", 0)
	b, _ := s.Range("Noto Sans Regular", 0)
	c, _ := s.Range("Noto Sans Bold", 0)
	if a.ETag != b.ETag || string(a.PBF) != string(b.PBF) || a.ETag == c.ETag {
		t.Errorf("ETags %s %s %s", a.ETag, b.ETag, c.ETag)
	}
}

// TestParseRange: ranges as MapLibre names them, and nothing else.
func TestParseRange(t *testing.T) {
	for _, c := range []struct {
		in    string
		start int
		ok    bool
	}{
		{"0-255", 0, true},
		{"256-511", 256, true},
		{"65280-65535", 65280, true},
		{"1114112-1114367", 0, false},
		{"1-256", 0, false},
		{"0-511", 0, false},
		{"-256-0", 0, false},
		{"0", 0, false},
		{"a-b", 0, false},
	} {
		start, err := ParseRange(c.in)
		if (err == nil) != c.ok || start != c.start {
			t.Errorf("ParseRange(%q) = %d, %v", c.in, start, err)
		}
	}
}

// TestEDT checks the distance transform against brute force.
func TestEDT(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, size := range [][2]int{{1, 1}, {5, 3}, {17, 23}, {30, 30}} {
		w, h := size[0], size[1]
		grid := make([]float64, w*h)
		for i := range grid {
			grid[i] = inf
			if rng.IntN(7) == 0 {
				grid[i] = 0
			}
		}
		want := make([]float64, len(grid))
		for i := range want {
			want[i] = inf
			for j, g := range grid {
				if g == 0 {
					dx, dy := i%w-j%w, i/w-j/w
					want[i] = math.Min(want[i], float64(dx*dx+dy*dy))
				}
			}
		}
		n := max(w, h)
		edt(grid, w, h, make([]float64, n), make([]int, n), make([]float64, n+1))
		for i := range grid {
			if want[i] < inf && grid[i] != want[i] {
				t.Fatalf("%dx%d: at %d got %g, want %g", w, h, i, grid[i], want[i])
			}
		}
	}
}

// TestSDFValues: a filled square reads 191–192 on its edge (MapLibre's
// threshold), more inside, less outside.
func TestSDFValues(t *testing.T) {
	const w, h = 20, 20
	alpha := make([]byte, w*h)
	for y := 6; y < 14; y++ {
		for x := 6; x < 14; x++ {
			alpha[y*w+x] = 255
		}
	}
	for x := 6; x < 14; x++ {
		alpha[5*w+x] = 128 // a half-covered row above
	}
	d := sdf(alpha, w, h)
	for _, c := range []struct {
		x, y     int
		min, max byte
	}{
		{10, 10, 230, 255}, // centre
		{10, 6, 200, 225},  // inside, next to the edge
		{10, 5, 185, 198},  // the half-covered edge
		{10, 3, 120, 180},  // outside
		{0, 0, 0, 60},      // far away
	} {
		if v := d[c.y*w+c.x]; v < c.min || v > c.max {
			t.Errorf("(%d,%d) = %d, want %d–%d", c.x, c.y, v, c.min, c.max)
		}
	}
}

// BenchmarkRange renders a range from scratch (the first request for
// it) and reports the PBF's size.
func BenchmarkRange(b *testing.B) {
	s := embeddedSet(b)
	for _, start := range []int{0, 256, 0x0400, 0x4E00} {
		b.Run(fmt.Sprintf("%d-%d", start, start+255), func(b *testing.B) {
			var size int
			for b.Loop() {
				fresh := &Set{fonts: s.fonts, fallback: s.fallback, ranges: map[rangeKey]*rendered{}}
				r, err := fresh.Range(DefaultFont, start)
				if err != nil {
					b.Fatal(err)
				}
				size = len(r.PBF)
			}
			b.ReportMetric(float64(size), "pbf-bytes")
		})
	}
	b.Run("cached", func(b *testing.B) {
		for b.Loop() {
			s.Range(DefaultFont, 0)
		}
	})
}
