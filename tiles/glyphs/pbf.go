package glyphs

import "encoding/binary"

// A Glyph is one rendered glyph with the metrics MapLibre lays text out
// by, in pixels at Size: its bitmap is (Width+2·Buffer)×(Height+2·Buffer)
// distance values, none for a glyph that draws nothing (a space).
type Glyph struct {
	ID            rune
	Bitmap        []byte
	Width, Height uint32
	Left, Top     int32 // Top: from the font's ascent, as fontnik writes it
	Advance       uint32
}

// Fields of glyphs.proto (Mapbox/MapLibre glyph PBFs):
//
//	message glyphs    { repeated fontstack stacks = 1; }
//	message fontstack { required string name = 1; required string range = 2; repeated glyph glyphs = 3; }
//	message glyph     { required uint32 id = 1; optional bytes bitmap = 2; required uint32 width = 3;
//	                    required uint32 height = 4; required sint32 left = 5; required sint32 top = 6;
//	                    required uint32 advance = 7; }
const (
	wireVarint = 0
	wireBytes  = 2
)

// encodeGlyphs writes glyphs as the repeated glyph field of a fontstack,
// once per range: only the fontstack's name differs between requests.
func encodeGlyphs(glyphs []Glyph) []byte {
	var out, g []byte
	for _, gl := range glyphs {
		g = g[:0]
		g = appendVarint(g, 1, uint64(gl.ID))
		if len(gl.Bitmap) > 0 {
			g = appendBytes(g, 2, gl.Bitmap)
		}
		g = appendVarint(g, 3, uint64(gl.Width))
		g = appendVarint(g, 4, uint64(gl.Height))
		g = appendVarint(g, 5, zigzag(gl.Left))
		g = appendVarint(g, 6, zigzag(gl.Top))
		g = appendVarint(g, 7, uint64(gl.Advance))
		out = appendBytes(out, 3, g)
	}
	return out
}

// encode writes a glyphs message of one fontstack: its name, its range
// and its glyphs as encodeGlyphs wrote them.
func encode(name, rng string, glyphs []byte) []byte {
	head := appendBytes(appendBytes(nil, 1, []byte(name)), 2, []byte(rng))
	n := len(head) + len(glyphs)
	b := make([]byte, 0, n+binary.MaxVarintLen64+1)
	b = binary.AppendUvarint(appendKey(b, 1, wireBytes), uint64(n))
	return append(append(b, head...), glyphs...)
}

func appendKey(b []byte, field, wire int) []byte {
	return binary.AppendUvarint(b, uint64(field<<3|wire))
}

func appendVarint(b []byte, field int, v uint64) []byte {
	return binary.AppendUvarint(appendKey(b, field, wireVarint), v)
}

func appendBytes(b []byte, field int, v []byte) []byte {
	b = binary.AppendUvarint(appendKey(b, field, wireBytes), uint64(len(v)))
	return append(b, v...)
}

// zigzag encodes a sint32.
func zigzag(v int32) uint64 { return uint64(uint32(v<<1) ^ uint32(v>>31)) }
