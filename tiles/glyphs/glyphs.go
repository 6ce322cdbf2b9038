// Package glyphs makes the glyph PBFs MapLibre draws label text with
// (MapLibre draws Chinese with the browser's own fonts, but Latin text
// needs glyphs from the style's server): signed distance fields rendered
// in Go from the fonts in fonts/, which make assets copies from npm and
// the binary embeds. Each 256-code-point range is rendered once, when
// first asked for. A binary built without fonts answers every range with
// an empty glyph set.
package glyphs

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"image"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

//go:embed all:fonts
var embedded embed.FS

// Embedded is the fonts this binary was built with: none unless make
// assets ran before the build.
func Embedded() fs.FS {
	sub, err := fs.Sub(embedded, "fonts")
	if err != nil {
		panic(err) // fonts/ is embedded, with at least its .gitkeep
	}
	return sub
}

// DefaultFont is the font for fontstacks that name none of the set's.
const DefaultFont = "Noto Sans Regular"

// MaxCodePoint is the last code point a range may hold.
const MaxCodePoint = 0x10FFFF

// version is part of every ETag: a change to the rendering must change
// it, since glyph URLs carry no version and are cached for long.
const version = "g1"

// A Set renders glyph ranges from its fonts. It is safe for concurrent
// use; each range of each font is rendered once.
type Set struct {
	fonts    map[string]*fontFile
	names    []string // sorted
	fallback string

	mu     sync.Mutex
	ranges map[rangeKey]*rendered
}

type fontFile struct {
	f      *sfnt.Font
	sum    string // of the file, for ETags
	ascent int    // pixels at Size, rounded up as FreeType does
}

type rangeKey struct {
	font  string
	start int
}

type rendered struct {
	once  sync.Once
	pbf   []byte // the glyphs, encoded
	count int
	err   error
}

// Open reads every .ttf and .otf file of fsys (a font's name is its
// family and style, "Noto Sans Regular", as fontstacks name fonts). A Set
// without fonts (fsys nil or holding none) is valid and answers every
// range with no glyphs.
func Open(fsys fs.FS) (*Set, error) {
	s := &Set{fonts: map[string]*fontFile{}, ranges: map[rangeKey]*rendered{}}
	if fsys == nil {
		return s, nil
	}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ext := strings.ToLower(path.Ext(p)); d.IsDir() || ext != ".ttf" && ext != ".otf" {
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		ff, name, err := parseFont(b)
		if err != nil {
			return fmt.Errorf("font %s: %w", p, err)
		}
		if _, dup := s.fonts[name]; dup {
			return fmt.Errorf("font %s: a second font named %q", p, name)
		}
		s.fonts[name] = ff
		s.names = append(s.names, name)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(s.names)
	if _, ok := s.fonts[DefaultFont]; ok {
		s.fallback = DefaultFont
	} else if len(s.names) > 0 {
		s.fallback = s.names[0]
	}
	return s, nil
}

func parseFont(b []byte) (*fontFile, string, error) {
	f, err := sfnt.Parse(b)
	if err != nil {
		return nil, "", err
	}
	var buf sfnt.Buffer
	family, err := f.Name(&buf, sfnt.NameIDTypographicFamily)
	style, err2 := f.Name(&buf, sfnt.NameIDTypographicSubfamily)
	if err != nil || err2 != nil || family == "" {
		if family, err = f.Name(&buf, sfnt.NameIDFamily); err != nil {
			return nil, "", fmt.Errorf("no family name: %w", err)
		}
		if style, err = f.Name(&buf, sfnt.NameIDSubfamily); err != nil {
			return nil, "", fmt.Errorf("no style name: %w", err)
		}
	}
	m, err := f.Metrics(&buf, fixed.I(Size), font.HintingNone)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(b)
	return &fontFile{f: f, sum: hex.EncodeToString(sum[:6]), ascent: m.Ascent.Ceil()}, family + " " + style, nil
}

// Names lists the fonts by name.
func (s *Set) Names() []string { return s.names }

// Font is the font that draws a fontstack (font names separated by
// commas): the first the set has, else the default; "" when the set has
// no fonts.
func (s *Set) Font(stack string) string {
	for _, name := range strings.Split(stack, ",") {
		if _, ok := s.fonts[strings.TrimSpace(name)]; ok {
			return strings.TrimSpace(name)
		}
	}
	return s.fallback
}

// A Range is one glyph range as MapLibre asks for it.
type Range struct {
	PBF    []byte
	ETag   string // strong; names the font file, range, stack and renderer
	Font   string // the font that drew it ("" for none)
	Glyphs int
}

// ParseRange reads a range as MapLibre names it: "0-255", "256-511" …
// and returns its first code point.
func ParseRange(s string) (int, error) {
	a, b, ok := strings.Cut(s, "-")
	start, err1 := strconv.Atoi(a)
	end, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || start < 0 || start%256 != 0 || end != start+255 || end > MaxCodePoint {
		return 0, fmt.Errorf("range %q: want START-END, 256 code points from a multiple of 256 (0-255, 256-511 …)", s)
	}
	return start, nil
}

// Range renders the 256 code points from start for a fontstack, as a PBF
// whose fontstack carries the name asked for. Code points the font lacks
// are left out; a font lacking them all gives an empty glyph set.
func (s *Set) Range(stack string, start int) (Range, error) {
	rng := fmt.Sprintf("%d-%d", start, start+255)
	name := s.Font(stack)
	h := fnv.New64a()
	h.Write([]byte(stack))
	out := Range{Font: name, ETag: fmt.Sprintf(`"%s-none-%d-%x"`, version, start, h.Sum64())}
	var glyphs []byte
	if name != "" {
		ff := s.fonts[name]
		s.mu.Lock()
		r := s.ranges[rangeKey{name, start}]
		if r == nil {
			r = &rendered{}
			s.ranges[rangeKey{name, start}] = r
		}
		s.mu.Unlock()
		r.once.Do(func() {
			var gs []Glyph
			gs, r.err = renderRange(ff, start)
			r.pbf, r.count = encodeGlyphs(gs), len(gs)
		})
		if r.err != nil {
			return Range{}, fmt.Errorf("glyphs %s %s: %w", name, rng, r.err)
		}
		glyphs, out.Glyphs = r.pbf, r.count
		out.ETag = fmt.Sprintf(`"%s-%s-%d-%x"`, version, ff.sum, start, h.Sum64())
	}
	out.PBF = encode(stack, rng, glyphs)
	return out, nil
}

// renderRange renders the code points from start to start+255 that the
// font has.
func renderRange(ff *fontFile, start int) ([]Glyph, error) {
	var buf sfnt.Buffer
	var out []Glyph
	for r := rune(start); r < rune(start+256); r++ {
		g, ok, err := renderGlyph(ff, &buf, r)
		if err != nil {
			return nil, fmt.Errorf("U+%04X: %w", r, err)
		}
		if ok {
			out = append(out, g)
		}
	}
	return out, nil
}

// renderGlyph draws a code point's outline at Size into a coverage image
// with a border of Buffer pixels and turns it into a distance field; ok
// is false when the font has no glyph for it.
func renderGlyph(ff *fontFile, buf *sfnt.Buffer, r rune) (g Glyph, ok bool, err error) {
	idx, err := ff.f.GlyphIndex(buf, r)
	if err != nil || idx == 0 {
		return g, false, err
	}
	ppem := fixed.I(Size)
	bounds, advance, err := ff.f.GlyphBounds(buf, idx, ppem, font.HintingNone)
	if err != nil {
		return g, false, err
	}
	g = Glyph{ID: r, Advance: uint32(max(0, advance.Round()))}
	segs, err := ff.f.LoadGlyph(buf, idx, ppem, nil)
	if err != nil || len(segs) == 0 || bounds.Empty() {
		return g, err == nil, err // a space: metrics only
	}
	// Outlines have y down; the box is whole pixels around the outline.
	left, right := bounds.Min.X.Floor(), bounds.Max.X.Ceil()
	top, bottom := -bounds.Min.Y.Floor(), -bounds.Max.Y.Ceil()
	w, h := right-left, top-bottom
	W, H := w+2*Buffer, h+2*Buffer
	z := vector.NewRasterizer(W, H)
	pt := func(p fixed.Point26_6) (float32, float32) {
		return float32(p.X)/64 - float32(left) + Buffer, float32(p.Y)/64 + float32(top) + Buffer
	}
	for i, s := range segs {
		switch s.Op {
		case sfnt.SegmentOpMoveTo:
			if i > 0 {
				z.ClosePath()
			}
			z.MoveTo(pt(s.Args[0]))
		case sfnt.SegmentOpLineTo:
			z.LineTo(pt(s.Args[0]))
		case sfnt.SegmentOpQuadTo:
			bx, by := pt(s.Args[0])
			cx, cy := pt(s.Args[1])
			z.QuadTo(bx, by, cx, cy)
		case sfnt.SegmentOpCubeTo:
			bx, by := pt(s.Args[0])
			cx, cy := pt(s.Args[1])
			dx, dy := pt(s.Args[2])
			z.CubeTo(bx, by, cx, cy, dx, dy)
		}
	}
	z.ClosePath()
	alpha := image.NewAlpha(image.Rect(0, 0, W, H))
	z.Draw(alpha, alpha.Bounds(), image.Opaque, image.Point{})
	g.Bitmap = sdf(alpha.Pix, W, H)
	g.Width, g.Height = uint32(w), uint32(h)
	g.Left, g.Top = int32(left), int32(top-ff.ascent)
	return g, true, nil
}
