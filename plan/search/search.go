// Package search finds units and industries by what people type: part of
// a Chinese name (璧山), its pinyin without tones in any case (bishan,
// bish) or its English name (Bishan District). An Index is built once
// per data snapshot; a query folds its text once and compares it with
// keys folded in advance.
package search

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/indmap/indmap/plan"
	"github.com/paulmach/orb"
	"golang.org/x/text/unicode/norm"
)

// Match says how a result matched: the whole of a name, its start, or
// somewhere inside it. Results are ranked in this order.
type Match int8

// Matches, best first.
const (
	Exact Match = iota
	Prefix
	Substring
)

// String names the match: exact, prefix or substring.
func (m Match) String() string {
	switch m {
	case Exact:
		return "exact"
	case Prefix:
		return "prefix"
	case Substring:
		return "substring"
	}
	return "none"
}

// MarshalText writes the match as its name.
func (m Match) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// Result types.
const (
	TypeUnit     = "unit"
	TypeIndustry = "industry"
)

// A Result is a unit or an industry that matched a query.
type Result struct {
	Type   string `json:"type"` // unit or industry
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEn string `json:"name_en"`
	Match  Match  `json:"match"`
	// Units: their kind, parent, a point to show them at and their
	// bounds ([minLon, minLat, maxLon, maxLat]); ValidTo when they were
	// abolished.
	Kind    string      `json:"kind,omitempty"`
	Parent  string      `json:"parent,omitempty"`
	Label   *[2]float64 `json:"label,omitempty"`
	BBox    []float64   `json:"bbox,omitempty"`
	ValidTo string      `json:"valid_to,omitempty"`
	// Industries: the plan whose catalogue holds them, and their tier.
	Plan       string `json:"plan,omitempty"`
	Tier       int    `json:"tier,omitempty"`
	TierName   string `json:"tier_name,omitempty"`
	TierNameEn string `json:"tier_name_en,omitempty"`
}

type entry struct {
	Result
	sort string // folded English name: results are ordered by it
}

// An Index holds the searchable names of a snapshot's units and of every
// plan's catalogue. It is immutable. Every folded key is in one string,
// each after a 0 byte, so a query is a few fast substring searches
// rather than one per key.
type Index struct {
	entries []entry
	hay     string
	keyAt   []int // where each key starts in hay, ascending
	keyEnd  []int
	keyOf   []int // the entry of each key
}

// New indexes units (with their English names filled) and the plans'
// catalogues. bounds, when not nil, are the units' bounds (the snapshot
// has them); names romanises names for pinyin queries.
func New(units []plan.Unit, bounds []orb.Bound, plans []plan.Plan, names *plan.Names) *Index {
	ix := &Index{entries: make([]entry, 0, len(units))}
	var hay strings.Builder
	for i, u := range units {
		r := Result{Type: TypeUnit, Code: u.Code, Name: u.Name, NameEn: u.NameEn, Kind: u.Kind, Parent: u.Parent, ValidTo: u.ValidTo}
		if u.Label != (orb.Point{}) {
			r.Label = &[2]float64{u.Label[0], u.Label[1]}
		}
		if u.Geom != nil {
			var b orb.Bound
			if bounds != nil {
				b = bounds[i]
			} else {
				b = u.Geom.Bound()
			}
			r.BBox = []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
		}
		root, _, _ := strings.Cut(u.NameEn, " ")
		ix.add(&hay, r, u.Name, names.Root(u.Name), names.Romanise(u.Name), u.NameEn, root)
	}
	for _, p := range plans {
		for _, in := range p.Catalogue {
			r := Result{Type: TypeIndustry, Code: in.Code, Name: in.Name, NameEn: in.NameEn, Plan: p.ID,
				Tier: in.Tier, TierName: in.TierName, TierNameEn: in.TierNameEn}
			ix.add(&hay, r, in.Name, in.Code, names.Romanise(in.Name), in.NameEn)
		}
	}
	ix.hay = hay.String()
	return ix
}

func (ix *Index) add(hay *strings.Builder, r Result, keys ...string) {
	e := entry{Result: r, sort: Fold(r.NameEn)}
	if e.sort == "" {
		e.sort = Fold(r.Name)
	}
	seen := map[string]bool{}
	for _, k := range keys {
		if k = Fold(k); k != "" && !seen[k] {
			seen[k] = true
			hay.WriteByte(0)
			ix.keyAt = append(ix.keyAt, hay.Len())
			hay.WriteString(k)
			ix.keyEnd = append(ix.keyEnd, hay.Len())
			ix.keyOf = append(ix.keyOf, len(ix.entries))
		}
	}
	ix.entries = append(ix.entries, e)
}

// Query returns the results that keep accepts whose names match q, best
// first (exact, prefix, substring; then by English name and code), at
// most limit of them, and how many matched in all. A q with nothing to
// match (only spaces or punctuation) matches nothing.
func (ix *Index) Query(q string, limit int, keep func(Result) bool) ([]Result, int) {
	fq := Fold(q)
	out := []Result{}
	if fq == "" {
		return out, 0
	}
	// best holds each entry's best match plus one (0: none yet).
	best := make([]Match, len(ix.entries))
	var hits []int
	// Folded text has no 0 bytes, so a match never spans two keys.
	for pos := 0; ; {
		i := strings.Index(ix.hay[pos:], fq)
		if i < 0 {
			break
		}
		at := pos + i
		pos = at + 1
		k := sort.SearchInts(ix.keyAt, at+1) - 1
		m := Substring
		if at == ix.keyAt[k] {
			m = Prefix
			if at+len(fq) == ix.keyEnd[k] {
				m = Exact
			}
		}
		switch e := ix.keyOf[k]; {
		case best[e] == 0:
			if keep != nil && !keep(ix.entries[e].Result) {
				best[e] = -1 // refused
				continue
			}
			hits = append(hits, e)
			best[e] = m + 1
		case m+1 < best[e]:
			best[e] = m + 1
		}
	}
	slices.SortFunc(hits, func(i, j int) int {
		a, b := &ix.entries[i], &ix.entries[j]
		return cmp.Or(cmp.Compare(best[i], best[j]), strings.Compare(a.sort, b.sort),
			cmp.Compare(typeRank(a.Type), typeRank(b.Type)), strings.Compare(a.Plan, b.Plan), strings.Compare(a.Code, b.Code))
	})
	for _, i := range hits[:min(limit, len(hits))] {
		r := ix.entries[i].Result
		r.Match = best[i] - 1
		out = append(out, r)
	}
	return out, len(hits)
}

func typeRank(t string) int {
	if t == TypeUnit {
		return 0
	}
	return 1
}

// Fold reduces text to what a search compares: letters and digits
// (Chinese characters included) in lower case, without tone marks or
// other accents, spaces or punctuation; ü and v, both ways people type
// ü, become u. "Xi'an" and "xian", "Bǐshān Qū" and "bishanqu" fold alike,
// and so do full-width letters, as Chinese input methods type them
// ("ｂｉｓｈ" is "bish"): compatibility decomposition (NFKD).
func Fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'v' || r == 'V':
			b.WriteByte('u')
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// An Entry is one searchable unit or industry with the folded keys it is
// found by and the key results are ordered by: what a client needs to
// answer queries as Query does, with no server (a published map).
type Entry struct {
	Result
	Sort string   `json:"sort"`
	Keys []string `json:"keys"`
}

// Entries are the index's entries that keep accepts (all when keep is
// nil), in index order.
func (ix *Index) Entries(keep func(Result) bool) []Entry {
	keys := make([][]string, len(ix.entries))
	for k, e := range ix.keyOf {
		keys[e] = append(keys[e], ix.hay[ix.keyAt[k]:ix.keyEnd[k]])
	}
	out := []Entry{}
	for i, e := range ix.entries {
		if keep == nil || keep(e.Result) {
			out = append(out, Entry{Result: e.Result, Sort: e.sort, Keys: keys[i]})
		}
	}
	return out
}
